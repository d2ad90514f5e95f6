/**
 * A vendor client's OAuth token shared by every Lambda instance, as one State-table item
 * (`pk = TOKEN#<vendor>#<credentials id>`, `sk = TOKEN`; docs/decisions/0007-shared-vendor-token.md).
 *
 * The item holds a bearer credential. The State table is encrypted at rest (AWS-managed key, see
 * infra/stacks/wfm-bridge-stack.ts) and only the functions of workflows calling this vendor read it. It keeps
 * only what instances need to use the token: the access token, when it was obtained and when it expires, and
 * its generation; never the client secret or the rest of the token response. Its TTL (`expiresAt`, epoch
 * seconds) is the token's own expiry, so an expired token does not linger; TTL deletion is lazy, so readers
 * check `tokenExpiresAt` themselves. Nothing here logs the token.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RefreshLease, SharedTokenStore, StoredToken, TokenRecord } from '../../ports/token-store';
import { STATE_KEY } from '../../tables';

export interface DynamoDbTokenStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly vendor: string;
  /**
   * What identifies the credentials (the vendor secret's id): every instance on the same credentials shares
   * one token, and different credentials never do.
   */
  readonly credentialsId: string;
}

/** A lease taken on a missing item keeps it this long past the lease, in case the refresh never ends. */
const LEASE_ONLY_TTL_SECONDS = 3600;

export class DynamoDbTokenStore implements SharedTokenStore {
  private readonly key: { pk: string; sk: string };

  constructor(private readonly o: DynamoDbTokenStoreOptions) {
    this.key = { pk: `${STATE_KEY.token}${o.vendor}#${o.credentialsId}`, sk: 'TOKEN' };
  }

  async read(): Promise<TokenRecord> {
    const { Item } = await this.o.doc.send(
      new GetCommand({ TableName: this.o.tableName, Key: this.key, ConsistentRead: true }),
    );
    if (!Item) return {};
    return {
      ...(typeof Item.accessToken === 'string' && {
        token: {
          value: Item.accessToken,
          obtainedAt: Number(Item.obtainedAt),
          expiresAt: Number(Item.tokenExpiresAt),
          generation: Number(Item.generation),
        },
      }),
      ...(typeof Item.leaseOwner === 'string' && {
        lease: { owner: Item.leaseOwner, until: Number(Item.leaseUntil) },
      }),
    };
  }

  async tryLease(lease: RefreshLease, generation: number, now: number): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.o.tableName,
        Key: this.key,
        // A token's TTL stays its expiry; a lease on a missing item gets one of its own.
        UpdateExpression:
          'SET leaseOwner = :owner, leaseUntil = :until, expiresAt = if_not_exists(expiresAt, :ttl)',
        ConditionExpression: `(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND ${
          generation === 0 ? 'attribute_not_exists(generation)' : 'generation = :generation'
        }`,
        ExpressionAttributeValues: {
          ':owner': lease.owner,
          ':until': lease.until,
          ':now': now,
          ':ttl': Math.ceil(lease.until / 1000) + LEASE_ONLY_TTL_SECONDS,
          ...(generation !== 0 && { ':generation': generation }),
        },
      }),
    ).then((r) => r !== undefined);
  }

  async replace(owner: string, token: Omit<StoredToken, 'generation'>): Promise<StoredToken | undefined> {
    const written = await this.conditionally(
      new UpdateCommand({
        TableName: this.o.tableName,
        Key: this.key,
        UpdateExpression:
          'SET accessToken = :token, obtainedAt = :obtainedAt, tokenExpiresAt = :expiresAt, expiresAt = :ttl ' +
          'ADD generation :one REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: {
          ':token': token.value,
          ':obtainedAt': token.obtainedAt,
          ':expiresAt': token.expiresAt,
          ':ttl': Math.ceil(token.expiresAt / 1000),
          ':one': 1,
          ':owner': owner,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return written && { ...token, generation: Number(written.generation) };
  }

  async releaseLease(owner: string): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.o.tableName,
        Key: this.key,
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  }

  /** The written attributes, or undefined when the condition failed. */
  private async conditionally(command: UpdateCommand): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.o.doc.send(command);
      return Attributes ?? {};
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }
}
