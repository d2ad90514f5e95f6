/** In-memory watermark with the DynamoDB store's rule: it never moves backwards. */
import type { WatermarkStore } from '../../ports/watermark-store';

export class InMemoryWatermarkStore implements WatermarkStore {
  value: string | undefined;

  async read(): Promise<string | undefined> {
    return this.value;
  }

  async advance(value: string): Promise<void> {
    if (this.value === undefined || this.value <= value) this.value = value;
  }
}
