import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditLog, AuditRecord } from '../../ports/platform';

/**
 * Audit records are keyed `pk = <workflow>#<subject>`, `sk = <at>#<uuid>` so a subject's history reads in
 * time order; the conditional put makes an accidental overwrite impossible even for a writer with more rights.
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly recordedAt: () => string = () => new Date().toISOString(),
  ) {}

  async append(record: AuditRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `${record.workflow}#${record.subject}`,
          sk: `${record.at}#${randomUUID()}`,
          ...record,
          recordedAt: this.recordedAt(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
