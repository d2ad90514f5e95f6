/**
 * The local runtime serves the rule documents as AppConfig does (decision 0010): deployed with the defaults at
 * startup, read through the functions' AppConfig endpoint and location, changed at run time through the
 * gateway, a bad one refused with the last good version kept.
 */
import { appConfigRuleSource } from '../../shared/adapters/aws/appconfig-rule-source';
import { ruleDocumentByName } from '../../shared/config/rule-documents';
import { LOCAL_RULE_DOCUMENT } from '../../shared/domain/shift-bids/default-rules';
import { RuleDocumentSchema } from '../../shared/domain/shift-bids/rules.schema';
import { versionedDocument } from '../../shared/domain/rules/versioned-document';
import { buildLocalPlan, localFunctionEnvironments, placeholderRefs } from '../../local/plan';
import { LOCAL_CREDENTIALS } from '../../local/provision';
import { loadStageConfig } from '../../shared/config/stage';
import { FakeClock } from '../helpers/fake-clock';
import { local } from '../helpers/local';

const rulesUrl = (name: string) => `${local().gatewayUrl}/_local/rules/${name}`;
const getRules = async (name: string) => (await fetch(rulesUrl(name))).json();
const putRules = async (name: string, body: string) =>
  (await fetch(rulesUrl(name), { method: 'PUT', body })).json();

describe('rule documents on the local runtime', () => {
  afterAll(() => putRules('shift-bids-rules', JSON.stringify(LOCAL_RULE_DOCUMENT, null, 2)));

  it.each(['shift-bids-rules', 'reward-points-rules'])('deploys the default %s at startup', async (name) => {
    expect(await getRules(name)).toMatchObject({
      ruleDocument: name,
      valid: true,
      ruleVersion: (ruleDocumentByName(name)!.initial as { version: string }).version,
    });
  });

  it('serves a document put through the gateway to a function reading it as its env says', async () => {
    const plan = buildLocalPlan();
    const config = loadStageConfig('local');
    const env = localFunctionEnvironments(plan, config, placeholderRefs(plan, config)).workflows['shift-bids']
      .processor!;
    expect(env.RULE_DOCUMENT).toBe('shift-bids-rules');
    const clock = new FakeClock();
    const rules = appConfigRuleSource({
      name: 'shift-bids-rules',
      location: {
        application: env.RULES_APPCONFIG_APPLICATION!,
        environment: env.RULES_APPCONFIG_ENVIRONMENT!,
        profile: env.RULES_APPCONFIG_PROFILE!,
      },
      versioned: versionedDocument(RuleDocumentSchema),
      clock,
      maxAgeSeconds: Number(env.RULES_MAX_AGE_SECONDS),
      clientConfig: {
        endpoint: local().endpoints.appConfigData,
        region: local().region,
        credentials: LOCAL_CREDENTIALS,
      },
    });
    expect((await rules.current()).version).toBe('local-v1');

    const bad = await putRules(
      'shift-bids-rules',
      JSON.stringify({
        ...LOCAL_RULE_DOCUMENT,
        version: 'e2e-bad',
        approvalHistory: { maxRejections: 0, windowDays: 30 },
      }),
    );
    expect(bad).toMatchObject({
      valid: false,
      problems: [expect.stringMatching(/^approvalHistory\.maxRejections: /)],
    });
    await clock.advance(Number(env.RULES_MAX_AGE_SECONDS) * 1000);
    expect((await rules.current()).version).toBe('local-v1');

    const good = await putRules(
      'shift-bids-rules',
      JSON.stringify({ ...LOCAL_RULE_DOCUMENT, version: 'e2e-v2' }),
    );
    expect(good).toMatchObject({ valid: true, ruleVersion: 'e2e-v2' });
    await clock.advance(Number(env.RULES_MAX_AGE_SECONDS) * 1000);
    expect((await rules.current()).version).toBe('e2e-v2');
  });
});
