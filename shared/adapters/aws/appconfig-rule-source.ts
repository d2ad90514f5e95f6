/**
 * A rule document read from AWS AppConfig through Powertools Parameters (docs/decisions/0010): the hosted
 * configuration profile deployed to the stage's environment. Read at most once per max age (60 s on AWS), so a
 * deployment applies without a redeploy of the functions; validated on every read; a refused document keeps
 * the last good version in force and counts `RuleDocumentRefused` (the alarm).
 *
 * `AppConfigProvider` is the provider `getAppConfig` wraps: used directly so that each source has its own
 * application/environment (getAppConfig keeps one default provider per process) and tests can give the
 * client an endpoint. Its default client honours AWS_ENDPOINT_URL_APPCONFIGDATA (the local runtime's fake).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { DEFAULT_RULES_MAX_AGE_SECONDS, type WorkflowEnv } from '../../config/function-env';
import type { VersionedDocument } from '../../domain/rules/versioned-document';
import { count, MetricName } from '../../observability/metrics';
import { systemClock, type Clock } from '../../ports/clock';
import type { RuleSource } from '../../ports/rule-source';
import { ValidatedRuleSource, type Versioned } from '../../runtime/validated-rule-source';

/** Names or ids, as AppConfigData accepts either. */
export interface AppConfigLocation {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

/**
 * AppConfig refuses a poll sooner than the session's minimum interval (60 s unless asked for less, 15 s at
 * the least): asking for the least lets a stage read at any max age of 15 s and up.
 */
const MIN_POLL_INTERVAL_SECONDS = 15;

export interface AppConfigRuleSourceOptions<Document extends Versioned> {
  /** The rule document's name, e.g. `shift-bids-rules` (logs). */
  readonly name: string;
  readonly location: AppConfigLocation;
  readonly versioned: VersionedDocument<Document>;
  readonly maxAgeSeconds?: number;
  readonly clock?: Clock;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
  /** AppConfigData client settings (an endpoint and credentials in tests). */
  readonly clientConfig?: Record<string, unknown>;
}

export function appConfigRuleSource<Document extends Versioned>(
  options: AppConfigRuleSourceOptions<Document>,
): RuleSource<Document> {
  const { name, location, metrics, logger } = options;
  const provider = new AppConfigProvider({
    application: location.application,
    environment: location.environment,
    clientConfig: options.clientConfig,
  });
  return new ValidatedRuleSource({
    name,
    versioned: options.versioned,
    clock: options.clock ?? systemClock,
    maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_RULES_MAX_AGE_SECONDS,
    // The source keeps its own max age (on its clock); AppConfig answers an unchanged document with no
    // content, and the provider then returns the document it already holds, which is validated again.
    fetch: () =>
      provider.get(location.profile, {
        forceFetch: true,
        sdkOptions: { RequiredMinimumPollIntervalInSeconds: MIN_POLL_INTERVAL_SECONDS },
      }),
    onRefused: (problems, inForce) => {
      if (metrics) count(metrics, MetricName.RuleDocumentRefused);
      logger?.error('rule document refused; the last good version stays in force', {
        ruleDocument: name,
        inForce: inForce ?? null,
        problems,
      });
    },
    onUnavailable: (error, inForce) =>
      logger?.warn('rule document could not be read; the last good version stays in force', {
        ruleDocument: name,
        inForce: inForce ?? null,
        error: error.message,
      }),
    onLoaded: (version, previous) =>
      logger?.info('rule document loaded', { ruleDocument: name, version, previous: previous ?? null }),
  });
}

/**
 * The rule source of a workflow function, from its environment (shared/config/function-env.ts): the
 * function's topology declaration names its rule document (`ruleDocument`), which must be `name`.
 */
export function ruleSourceFromEnv<Document extends Versioned>(
  runtime: {
    readonly env: WorkflowEnv;
    readonly metrics?: Metrics;
    readonly logger?: Logger;
    readonly clock?: Clock;
  },
  name: string,
  versioned: VersionedDocument<Document>,
): RuleSource<Document> {
  const { env } = runtime;
  const fn = `${env.WORKFLOW}/${env.WORKFLOW_FUNCTION}`;
  if (env.RULE_DOCUMENT !== name)
    throw new Error(
      `${fn} reads the rule document ${name}, but its topology declaration names ${env.RULE_DOCUMENT ?? 'none'}`,
    );
  const application = env.RULES_APPCONFIG_APPLICATION;
  const environment = env.RULES_APPCONFIG_ENVIRONMENT;
  const profile = env.RULES_APPCONFIG_PROFILE;
  if (!application || !environment || !profile)
    throw new Error(`${fn}: RULES_APPCONFIG_APPLICATION, _ENVIRONMENT and _PROFILE must all be set`);
  return appConfigRuleSource({
    name,
    location: { application, environment, profile },
    versioned,
    maxAgeSeconds: env.RULES_MAX_AGE_SECONDS,
    metrics: runtime.metrics,
    logger: runtime.logger,
    clock: runtime.clock,
  });
}
