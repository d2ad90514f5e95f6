/**
 * Per-agent adherence state in the State table (`pk = AGENT#<agentId>`, `sk = STATE`). `advance` is a
 * conditional write on event time, so on a standard queue a late, older event can never overwrite a newer one.
 * The same item keeps the push being sent (`pending`, `pendingAt` = its event time) until WEM has acknowledged it.
 * The agent's schedule type is cached beside it (`sk = SCHEDULE`, expiring through the table's TTL), and so
 * are transitions the matrix could not make (`sk = HELD#<eventTime>`, expiring a day after their event).
 */
import {
  GetCommand,
  paginateScan,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './conditional-write';
import type {
  AgentRecord,
  AgentStateStore,
  HeldTransition,
  PendingPush,
  ReconcileCandidate,
  StoredAgent,
  ScheduleTypeCache,
} from '../../domain/adherence-sync/ports';
import type { AdherenceState } from '../../domain/adherence-sync/transitions';
import type { Lease } from '../../ports/platform';
import { withNewerHeld } from '../../domain/adherence-sync/reconcile';
import { writeUnderLease } from './dynamodb-lock';
import { STATE_KEY } from '../../tables';

export class DynamoDbAgentStateStore implements AgentStateStore, ScheduleTypeCache {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(agentId: string): Promise<AgentRecord | undefined> {
    return (await this.read(agentId)).acknowledged;
  }

  async read(agentId: string): Promise<StoredAgent> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: stateKey(agentId), ConsistentRead: true }),
    );
    return {
      ...(Item?.state !== undefined && {
        acknowledged: { agentId, state: Item.state as AdherenceState, eventTime: Item.eventTime as number },
      }),
      ...(Item?.pending !== undefined && { pending: Item.pending as PendingPush }),
    };
  }

  /** A Put: the item is replaced, so a pending push goes with the state it was recorded against. */
  async advance(record: AgentRecord, lease?: Lease): Promise<boolean> {
    const put = {
      TableName: this.tableName,
      Item: { ...stateKey(record.agentId), state: record.state, eventTime: record.eventTime },
      ConditionExpression: 'attribute_not_exists(eventTime) OR eventTime < :t',
      ExpressionAttributeValues: { ':t': record.eventTime },
    };
    if (lease) return writeUnderLease(this.doc, this.tableName, lease, { Put: put });
    return conditionalWrite(this.doc.send(new PutCommand(put)));
  }

  async recordPending(agentId: string, pending: PendingPush, lease: Lease): Promise<boolean> {
    return writeUnderLease(this.doc, this.tableName, lease, {
      Update: {
        TableName: this.tableName,
        Key: stateKey(agentId),
        UpdateExpression: 'SET pending = :pending, pendingAt = :t',
        ConditionExpression:
          '(attribute_not_exists(eventTime) OR eventTime < :t) AND attribute_not_exists(pendingAt)',
        ExpressionAttributeValues: { ':pending': pending, ':t': pending.eventTime },
      },
    });
  }

  /** Not a transaction: the condition on `pendingAt` fences it (whoever took the lease over replaced it). */
  async completePending(agentId: string, pending: PendingPush): Promise<boolean> {
    return conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...stateKey(agentId), state: pending.state, eventTime: pending.eventTime },
          ConditionExpression: 'pendingAt = :t',
          ExpressionAttributeValues: { ':t': pending.eventTime },
        }),
      ),
    );
  }

  async dropPending(agentId: string, pending: PendingPush): Promise<boolean> {
    return conditionalWrite(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(agentId),
          UpdateExpression: 'REMOVE pending, pendingAt',
          ConditionExpression: 'pendingAt = :t',
          ExpressionAttributeValues: { ':t': pending.eventTime },
        }),
      ),
    );
  }

  /**
   * Every agent with an acknowledged state, its latest held transition newer than that state and its pending
   * push. A scan: fine
   * for a tenant's few thousand agents once a minute; beyond that, keep an agent index item or a GSI.
   */
  async list(): Promise<ReconcileCandidate[]> {
    const records = new Map<string, ReconcileCandidate>();
    const held = new Map<string, HeldTransition>();
    const pages = paginateScan(
      { client: this.doc },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(pk, :agent) AND (sk = :state OR begins_with(sk, :held))',
        ExpressionAttributeValues: { ':agent': STATE_KEY.agent, ':state': 'STATE', ':held': 'HELD#' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const agentId = String(item.pk).slice(STATE_KEY.agent.length);
        const state = item.state as AdherenceState;
        const eventTime = item.eventTime as number;
        if (item.sk === 'STATE') {
          // An agent whose first push is still pending has no acknowledged state yet.
          if (state !== undefined)
            records.set(agentId, {
              agentId,
              state,
              eventTime,
              ...(item.pending !== undefined && { pending: item.pending as PendingPush }),
            });
          continue;
        }
        const latest = held.get(agentId);
        if (latest && latest.eventTime >= eventTime) continue;
        held.set(agentId, {
          agentId,
          state,
          eventTime,
          reason: item.reason as string,
          reasonCode: item.reasonCode as string,
        });
      }
    }
    return [...records.values()].map((record) => withNewerHeld(record, held.get(record.agentId)));
  }

  async hold(transition: HeldTransition, lease?: Lease): Promise<void> {
    const put = {
      TableName: this.tableName,
      Item: {
        pk: `${STATE_KEY.agent}${transition.agentId}`,
        sk: `HELD#${transition.eventTime}`,
        ...transition,
        expiresAt: heldTransitionExpiresAt(transition.eventTime),
      },
    };
    if (lease) await writeUnderLease(this.doc, this.tableName, lease, { Put: put });
    else await this.doc.send(new PutCommand(put));
  }

  async scheduleType(agentId: string, fetchedSince: number): Promise<string | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `${STATE_KEY.agent}${agentId}`, sk: 'SCHEDULE' },
      }),
    );
    return Item && (Item.fetchedAt as number) >= fetchedSince ? (Item.scheduleType as string) : undefined;
  }

  async rememberScheduleType(agentId: string, scheduleType: string, fetchedAt: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `${STATE_KEY.agent}${agentId}`,
          sk: 'SCHEDULE',
          scheduleType,
          fetchedAt,
          expiresAt: Math.ceil(fetchedAt / 1000) + 2 * 86_400,
        },
      }),
    );
  }
}

const stateKey = (agentId: string) => ({ pk: `${STATE_KEY.agent}${agentId}`, sk: 'STATE' });

/** Spec 000: data older than 24 h is stale, so a held transition is not worth releasing after a day. */
export const HELD_TRANSITION_TTL_SECONDS = 86_400;

export const heldTransitionExpiresAt = (eventTime: number) =>
  Math.ceil(eventTime / 1000) + HELD_TRANSITION_TTL_SECONDS;
