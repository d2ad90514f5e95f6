/**
 * DynamoDB tables, declared once for both runtimes (CDK and the local runtime create them from this).
 * All keys are strings.
 */
export interface TableDeclaration {
  /** Construct id in CDK; table name suffix locally. */
  readonly id: 'State' | 'Idempotency' | 'Audit' | 'WebhookNonces';
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute?: string;
  readonly description: string;
}

export const TABLES: readonly TableDeclaration[] = [
  {
    id: 'State',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
    description: 'Workflow state, locks, tombstones, per-agent records, failure records.',
  },
  {
    id: 'Idempotency',
    partitionKey: 'id',
    ttlAttribute: 'expiration',
    description: 'Powertools idempotency records (its default attribute names).',
  },
  {
    id: 'Audit',
    partitionKey: 'pk',
    sortKey: 'sk',
    description: 'Append-only audit log: writers hold only dynamodb:PutItem.',
  },
  {
    // Its own table, not the State table: the ingress holds only PutItem/DeleteItem here and nothing on
    // workflow state. Items live for the signature tolerance (minutes).
    id: 'WebhookNonces',
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    description:
      'Webhook delivery ids the ingress took, until their signed timestamp expires (replay guard).',
  },
];
