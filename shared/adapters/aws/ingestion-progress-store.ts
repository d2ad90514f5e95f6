/**
 * Progress of an ingestion run an operator started (`wfm-bridge rewards ingest`), in the State table:
 * `pk = REWARDS#INGESTION-RUN#<runId>`, `sk = PROGRESS`, overwritten after each day and kept a day. The CLI
 * reads it while its invocation is in flight, so its progress bar shows the days the function really finished.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IngestionProgress, IngestionProgressReport } from '../../domain/reward-triggers/ports';
import { STATE_KEY } from '../../tables';

const KEPT_SECONDS = 24 * 3600;

const keyOf = (runId: string) => ({ pk: `${STATE_KEY.rewardsIngestionRun}${runId}`, sk: 'PROGRESS' });

export class DynamoDbIngestionProgress implements IngestionProgress {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly runId: string,
  ) {}

  async report(progress: IngestionProgressReport): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keyOf(this.runId),
          ...progress,
          expiresAt: Math.floor(Date.now() / 1000) + KEPT_SECONDS,
        },
      }),
    );
  }
}

/** The last progress a run reported, if it reported any yet. */
export async function readIngestionProgress(
  doc: DynamoDBDocumentClient,
  tableName: string,
  runId: string,
): Promise<IngestionProgressReport | undefined> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: keyOf(runId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { daysTotal, daysDone, rowsRead, rowsLoaded, rowsRejected } = Item as IngestionProgressReport;
  return { daysTotal, daysDone, rowsRead, rowsLoaded, rowsRejected };
}
