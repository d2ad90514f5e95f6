/**
 * How far a scheduled run got, so the next one starts there: the reward ingestion's day, the shift-bids sweep's
 * last `updatedAt`. Values order as strings (ISO dates, normalised ISO instants); a watermark never moves back.
 */
export interface WatermarkStore {
  read(): Promise<string | undefined>;
  /** Moves the watermark to `value`; a later value already stored stays (two overlapping runs). */
  advance(value: string): Promise<void>;
}
