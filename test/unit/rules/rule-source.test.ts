/**
 * The rule source's behaviour (decision 0010), on the in-memory source and a fake clock: read at most once per
 * max age, a refused document keeps the last good version in force and is reported on every read while it
 * stays deployed, and before any good version the caller gets every problem.
 */
import { InMemoryRuleSource } from '../../../shared/adapters/aws/appconfig-rule-source.fake';
import { RULE_DOCUMENTS } from '../../../shared/config/rule-documents';
import { versionedDocument } from '../../../shared/domain/rules/versioned-document';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import { PointsRuleDocumentSchema } from '../../../shared/domain/reward-triggers/points-rules.schema';
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import { RuleDocumentSchema } from '../../../shared/domain/shift-bids/rules.schema';
import { RuleDocumentUnavailable } from '../../../shared/ports/rule-source';
import { ValidatedRuleSource } from '../../../shared/runtime/validated-rule-source';
import { FakeClock } from '../../helpers/fake-clock';

const bidRules = versionedDocument(RuleDocumentSchema);
const v2 = { ...LOCAL_RULE_DOCUMENT, version: 'v2', approvalHistory: { maxRejections: 5, windowDays: 30 } };

function source(initial: unknown = LOCAL_RULE_DOCUMENT, maxAgeSeconds = 60) {
  const clock = new FakeClock();
  const rules = new InMemoryRuleSource({
    name: 'shift-bids-rules',
    versioned: bidRules,
    clock,
    maxAgeSeconds,
    initial,
  });
  return { clock, rules };
}

describe('rule source', () => {
  it('serves the deployed document with its own version', async () => {
    const { rules } = source();
    const snapshot = await rules.current();
    expect(snapshot.version).toBe('local-v1');
    expect(snapshot.document.coverage.defaultMinimum).toEqual({ kind: 'headcount', minimum: 3, greyBand: 1 });
  });

  it('reads the store at most once per max age; a deployment applies once it has passed', async () => {
    const { clock, rules } = source();
    await rules.current();
    rules.deploy(v2);
    await clock.advance(59_999);
    expect((await rules.current()).version).toBe('local-v1');
    expect(rules.fetches).toBe(1);
    await clock.advance(1);
    expect((await rules.current()).version).toBe('v2');
    expect((await rules.current()).document.approvalHistory.maxRejections).toBe(5);
    expect(rules.fetches).toBe(2);
  });

  it('shares one read among concurrent callers', async () => {
    const { rules } = source();
    const versions = await Promise.all(Array.from({ length: 10 }, () => rules.current()));
    expect(new Set(versions.map((v) => v.version))).toEqual(new Set(['local-v1']));
    expect(rules.fetches).toBe(1);
  });

  it('refuses an invalid document, keeps the last good one, and reports it on every read while it stays', async () => {
    const { clock, rules } = source();
    await rules.current();
    rules.deploy({ ...LOCAL_RULE_DOCUMENT, version: 'v3', approvalHistory: { maxRejections: 0 } });
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v1');
    expect(rules.refusals).toEqual([
      [
        'approvalHistory.maxRejections: Too small: expected number to be >=1',
        expect.stringMatching(/^approvalHistory\.windowDays: /),
      ],
    ]);
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v1');
    expect(rules.refusals).toHaveLength(2);
    rules.deploy(v2);
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('v2');
    expect(rules.refusals).toHaveLength(2);
  });

  it('refuses text that is not JSON, and a misspelt key (strict documents)', async () => {
    const { clock, rules } = source();
    await rules.current();
    rules.deploy('{"version": "v4",');
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v1');
    rules.deploy({ ...LOCAL_RULE_DOCUMENT, version: 'v5', scheduleCahce: { maxAgeSeconds: 60 } });
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v1');
    expect(rules.refusals.map((r) => r[0]!.split(':')[0])).toEqual(['(document)', '(document)']);
    expect(rules.refusals[1]!.join()).toContain('scheduleCahce');
  });

  it('fails the first load with every problem listed, and recovers when a good document is deployed', async () => {
    const { clock, rules } = source({
      ...LOCAL_RULE_DOCUMENT,
      version: '',
      scheduleCache: { maxAgeSeconds: 600 },
    });
    const failure = await rules.current().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RuleDocumentUnavailable);
    expect((failure as RuleDocumentUnavailable).reason).toBe('RULE_DOCUMENT_UNAVAILABLE');
    expect((failure as RuleDocumentUnavailable).problems).toEqual([
      expect.stringMatching(/^version: /),
      expect.stringMatching(/^scheduleCache\.maxAgeSeconds: /),
    ]);
    expect((failure as Error).message).toContain('scheduleCache.maxAgeSeconds');
    rules.deploy(LOCAL_RULE_DOCUMENT);
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v1');
  });

  it('treats nothing deployed as a refusal', async () => {
    const { rules } = source(null);
    await expect(rules.current()).rejects.toThrow('none is deployed');
    expect(rules.refusals).toEqual([['(document): none is deployed']]);
  });

  it('keeps the last good version while the store cannot be read; fails while there is none', async () => {
    const { clock, rules } = source();
    await rules.current();
    rules.failReads(new Error('AppConfig is throttling'));
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v1');
    expect(rules.refusals).toEqual([]);

    const empty = source();
    empty.rules.failReads(new Error('AppConfig is throttling'));
    await expect(empty.rules.current()).rejects.toThrow('(store): AppConfig is throttling');
  });

  it('decodes the bytes AppConfig answers with, and reports each new version once', async () => {
    const clock = new FakeClock();
    let deployed: unknown = new TextEncoder().encode(JSON.stringify(LOCAL_POINTS_RULES));
    const loaded: string[] = [];
    const rules = new ValidatedRuleSource({
      name: 'reward-points-rules',
      versioned: versionedDocument(PointsRuleDocumentSchema),
      fetch: async () => deployed,
      clock,
      maxAgeSeconds: 60,
      onLoaded: (version, previous) => loaded.push(`${previous ?? '-'} -> ${version}`),
    });
    expect((await rules.current()).document.tiers).toEqual([{ rewardType: 'gift_card_50_usd', points: 500 }]);
    await clock.advance(60_000);
    await rules.current();
    deployed = new TextEncoder().encode(JSON.stringify({ ...LOCAL_POINTS_RULES, version: 'local-v2' }));
    await clock.advance(60_000);
    expect((await rules.current()).version).toBe('local-v2');
    expect(loaded).toEqual(['- -> local-v1', 'local-v1 -> local-v2']);
  });
});

describe('rule documents', () => {
  it.each(RULE_DOCUMENTS.map((d) => [d.name, d] as const))(
    '%s: the initial document is valid',
    (_name, d) => {
      expect(d.versioned.parse(d.initial)).toMatchObject({ ok: true });
    },
  );
});
