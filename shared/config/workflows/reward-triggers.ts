// zod/mini: the processor and the ingestion parse these settings at every cold start.
import { _default, gte, int, lte, object, refine, string } from 'zod/mini';
import type { z } from 'zod/mini';
import { Text } from '../../contracts/common';
import { VersionToken } from '../../contracts/rewards-issue.schema';
import { isValidTimeZone } from '../../domain/time/local-days';

/** Stage settings of the reward-triggers workflow (spec 004). */
export const RewardTriggersSettingsSchema = object({
  /** The IANA time zone the performance export's dates are in: "today" and every window are counted there. */
  exportTimeZone: _default(
    string().check(refine(isValidTimeZone, 'must be an IANA time zone')),
    'America/New_York',
  ),
  /** Sent as `X-Integration-ID` (spec 004 section 2). */
  integrationId: _default(Text, 'GENESYS-WFM-INTEGRATION-01'),
  /** Days the first run reads, today included (issue 12: the last 90 days). */
  firstRunDays: _default(int().check(gte(1), lte(366)), 90),
  /** Sent as the issue request's `metadata.wfm_export_version`. */
  exportVersion: _default(VersionToken, 'v2.1'),
  /** Rows per export page asked of Genesys. */
  exportPageSize: _default(int().check(gte(1), lte(10_000)), 100),
  /** How long a PENDING reward is polled before it alarms and waits for an operator. */
  pendingDeadlineSeconds: _default(int().check(gte(1)), 3_600),
  /** The wait between two polls of a PENDING reward (the evaluation is deferred in between). */
  pendingPollSeconds: _default(int().check(gte(1), lte(900)), 30),
  /** The wait before the workflow's own retry of an ambiguous issue (after the lookup). */
  issueRetrySeconds: _default(int().check(gte(1), lte(900)), 5),
});
export type RewardTriggersSettings = z.output<typeof RewardTriggersSettingsSchema>;
