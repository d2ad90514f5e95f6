/**
 * Nightly performance-export ingestion for reward-triggers (spec 004). Its real work is issue 12, which will
 * fan one evaluation per agent out through the QueueSender port; until then the schedule exists in both
 * runtimes (topology parity) and a run reports, loudly, that it ingested nothing rather than pretending to.
 */
export interface IngestionResult {
  readonly ingested: number;
  readonly note: string;
}

export function ingestionNotBuilt(): IngestionResult {
  return {
    ingested: 0,
    note: 'reward export ingestion is not implemented yet (spec 004 workflow has no issue); nothing ingested',
  };
}
