/**
 * The rule source's contract (decision 0010), against the AppConfig adapter (Powertools Parameters and the
 * real AppConfigData client, on the local runtime's AppConfig fake) and the in-memory fake: what is deployed
 * applies once the max age has passed, a refused document keeps the last good one in force and is counted on
 * every read while it stays deployed, and before any good version the caller gets every problem.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { appConfigRuleSource } from '../../shared/adapters/aws/appconfig-rule-source';
import { InMemoryRuleSource } from '../../shared/adapters/aws/appconfig-rule-source.fake';
import { versionedDocument } from '../../shared/domain/rules/versioned-document';
import { LOCAL_RULE_DOCUMENT } from '../../shared/domain/shift-bids/default-rules';
import { RuleDocumentSchema, type RuleDocument } from '../../shared/domain/shift-bids/rules.schema';
import { MetricName } from '../../shared/observability/metrics';
import { RuleDocumentUnavailable, type RuleSource } from '../../shared/ports/rule-source';
import { AwsFake } from '../../local/aws-fake';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/provision';
import { FakeClock } from '../helpers/fake-clock';

const versioned = versionedDocument(RuleDocumentSchema);
const MAX_AGE_SECONDS = 60;

interface Subject {
  rules: RuleSource<RuleDocument>;
  clock: FakeClock;
  /** Deploys a document as an operator's AppConfig deployment does: JSON text, valid or not. */
  deploy(text: string): void;
  /** How many refusals were counted for the alarm. */
  refused(): number;
}

const fake = new AwsFake();
beforeAll(() => fake.listen(0));
afterAll(() => fake.close());
let profiles = 0;

describe.each<[string, (initial?: string) => Subject]>([
  [
    'in-memory fake',
    (initial) => {
      const clock = new FakeClock();
      const rules = new InMemoryRuleSource({
        name: 'shift-bids-rules',
        versioned,
        clock,
        maxAgeSeconds: MAX_AGE_SECONDS,
        initial,
      });
      return { rules, clock, deploy: (text) => rules.deploy(text), refused: () => rules.refusals.length };
    },
  ],
  [
    'AppConfig (Powertools, local AppConfig fake)',
    (initial) => {
      const clock = new FakeClock();
      const location = {
        application: 'wfm-bridge-test',
        environment: 'test',
        profile: `rules-${++profiles}`,
      };
      if (initial !== undefined) fake.deployConfiguration(location, initial);
      const metrics = new Metrics({ namespace: 'WfmBridge', serviceName: 'shift-bids' });
      const counted: string[] = [];
      jest.spyOn(metrics, 'addMetric').mockImplementation((name: string) => {
        counted.push(name);
        return metrics;
      });
      const rules = appConfigRuleSource({
        name: 'shift-bids-rules',
        location,
        versioned,
        clock,
        maxAgeSeconds: MAX_AGE_SECONDS,
        metrics,
        clientConfig: { endpoint: fake.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
      });
      return {
        rules,
        clock,
        deploy: (text) => fake.deployConfiguration(location, text),
        refused: () => counted.filter((n) => n === MetricName.RuleDocumentRefused).length,
      };
    },
  ],
])('rule source contract: %s', (_name, make) => {
  const json = (document: unknown) => JSON.stringify(document);
  const v2 = json({ ...LOCAL_RULE_DOCUMENT, version: 'v2', scheduleCache: { maxAgeSeconds: 30 } });
  const bad = json({
    ...LOCAL_RULE_DOCUMENT,
    version: 'v3',
    coverage: { ...LOCAL_RULE_DOCUMENT.coverage, intervalMinutes: 7 },
  });

  it('serves the deployed document; a new deployment applies once the max age has passed', async () => {
    const s = make(json(LOCAL_RULE_DOCUMENT));
    expect(await s.rules.current()).toMatchObject({
      version: 'local-v1',
      document: { scheduleCache: { maxAgeSeconds: 120 } },
    });
    s.deploy(v2);
    await s.clock.advance(MAX_AGE_SECONDS * 1000 - 1);
    expect((await s.rules.current()).version).toBe('local-v1');
    await s.clock.advance(1);
    expect(await s.rules.current()).toMatchObject({
      version: 'v2',
      document: { scheduleCache: { maxAgeSeconds: 30 } },
    });
    // Unchanged since (AppConfig answers with no content): still v2.
    await s.clock.advance(MAX_AGE_SECONDS * 1000);
    expect((await s.rules.current()).version).toBe('v2');
    expect(s.refused()).toBe(0);
  });

  it('refuses an invalid document and keeps the last good one, counting it on every read while it stays', async () => {
    const s = make(json(LOCAL_RULE_DOCUMENT));
    await s.rules.current();
    s.deploy(bad);
    await s.clock.advance(MAX_AGE_SECONDS * 1000);
    expect((await s.rules.current()).version).toBe('local-v1');
    expect(s.refused()).toBe(1);
    await s.clock.advance(MAX_AGE_SECONDS * 1000);
    expect((await s.rules.current()).version).toBe('local-v1');
    expect(s.refused()).toBe(2);
    s.deploy(v2);
    await s.clock.advance(MAX_AGE_SECONDS * 1000);
    expect((await s.rules.current()).version).toBe('v2');
    expect(s.refused()).toBe(2);
  });

  it('fails the first load of an invalid document with every problem listed', async () => {
    const s = make(
      json({ ...LOCAL_RULE_DOCUMENT, version: '', approvalHistory: { maxRejections: 0, windowDays: 30 } }),
    );
    const failure = (await s.rules.current().catch((e: unknown) => e)) as RuleDocumentUnavailable;
    expect(failure).toBeInstanceOf(RuleDocumentUnavailable);
    expect(failure.problems).toEqual([
      expect.stringMatching(/^version: /),
      expect.stringMatching(/^approvalHistory\.maxRejections: /),
    ]);
    expect(s.refused()).toBe(1);
  });

  it('fails while nothing is deployed', async () => {
    const s = make(undefined);
    await expect(s.rules.current()).rejects.toBeInstanceOf(RuleDocumentUnavailable);
  });
});
