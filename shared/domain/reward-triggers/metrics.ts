/**
 * Metric names of reward-triggers (namespace WfmBridge, dimension `workflow`), named once for the handlers
 * that emit them and the alarms and runbook that refer to them.
 */
export const RewardMetric = {
  /** Ingestion summary, per run. */
  ExportRowsRead: 'RewardExportRowsRead',
  ExportRowsLoaded: 'RewardExportRowsLoaded',
  ExportRowsRejected: 'RewardExportRowsRejected',
  AgentsEvaluated: 'RewardAgentsEvaluated',
  IngestionDurationMs: 'RewardIngestionDuration',
  /** Days the run could not load (a total mismatch, an unreadable page): the run failed. */
  IngestionFailedDays: 'RewardIngestionFailedDays',
  /** 1 when a run stopped before its deadline with days left (the next run continues): 0 otherwise. */
  IngestionPartial: 'RewardIngestionPartial',
  /** Issuing. */
  Issued: 'RewardIssued',
  /** The marketplace answered REJECTED (or FAILED): REWARD_FAILURE, an alarm. */
  IssueRejected: 'RewardIssueRejected',
  /** A reward left locked for the WFM administrators: manual review, three failed attempts, pending too long. */
  NeedsAdministrator: 'RewardNeedsAdministrator',
  Reversed: 'RewardReversed',
  /** The marketplace refused a clawback: the debt is recorded, an alarm. */
  ClawbackRefused: 'RewardClawbackRefused',
} as const;
