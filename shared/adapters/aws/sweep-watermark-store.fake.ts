/** In-memory sweep watermark with the DynamoDB store's rule: it never moves backwards. */
import type { SweepWatermarkStore } from '../../domain/shift-bids/sweep';

export class InMemorySweepWatermarkStore implements SweepWatermarkStore {
  instant: string | undefined;

  async read(): Promise<string | undefined> {
    return this.instant;
  }

  async advance(instant: string): Promise<void> {
    if (this.instant === undefined || this.instant <= instant) this.instant = instant;
  }
}
