/** Every progress report of a run, in order. */
import type { IngestionProgress, IngestionProgressReport } from '../../domain/reward-triggers/ports';

export class RecordedIngestionProgress implements IngestionProgress {
  readonly reports: IngestionProgressReport[] = [];

  async report(progress: IngestionProgressReport): Promise<void> {
    this.reports.push(progress);
  }
}
