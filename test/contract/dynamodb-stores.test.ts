/**
 * One contract per DynamoDB adapter, run against the adapter on DynamoDB Local and against its in-memory fake
 * (DESIGN section 3): the override and agent state stores, the lease lock, the audit log, the event intake, and the reward ledger (with row bookings and point lock) and ingestion watermark. The ports have no
 * read for everything a test must see (held transitions, audit records), so each subject also says how to
 * read its storage.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoDbAgentStateStore,
  HELD_TRANSITION_TTL_SECONDS,
} from '../../shared/adapters/aws/agent-state-store';
import {
  InMemoryAgentStateStore,
  type HeldTransition,
} from '../../shared/adapters/aws/agent-state-store.fake';
import { DynamoDbBidStateStore } from '../../shared/adapters/aws/bid-state-store';
import { InMemoryBidStateStore } from '../../shared/adapters/aws/bid-state-store.fake';
import { DynamoDbWatermarkStore } from '../../shared/adapters/aws/watermark-store';
import { InMemoryWatermarkStore } from '../../shared/adapters/aws/watermark-store.fake';
import { DynamoDbAuditLog } from '../../shared/adapters/aws/dynamodb-audit-log';
import { DynamoDbEventIntake } from '../../shared/adapters/aws/event-intake';
import { FakeEventIntake } from '../../shared/adapters/aws/event-intake.fake';
import { DynamoDbLockManager } from '../../shared/adapters/aws/dynamodb-lock';
import { DynamoDbOverrideStateStore } from '../../shared/adapters/aws/override-state-store';
import { InMemoryOverrideStateStore } from '../../shared/adapters/aws/override-state-store.fake';
import { InMemoryAuditLog, InMemoryLockManager } from '../../shared/adapters/aws/platform.fake';
import { DynamoDbRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store';
import { InMemoryRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store.fake';
import type { RedemptionLock } from '../../shared/domain/reward-triggers/evaluate';
import type { LedgerEntry, RowEntry } from '../../shared/domain/reward-triggers/ledger';
import type { RowBooking } from '../../shared/domain/reward-triggers/points';
import type { IngestionWatermarkStore, RewardLedgerStore } from '../../shared/domain/reward-triggers/ports';
import type { AgentRecord, AgentStateStore, PendingPush } from '../../shared/domain/adherence-sync/ports';
import { BidStateConflict, type BidStateStore } from '../../shared/domain/shift-bids/bid-state';
import type { CanonicalBid } from '../../shared/domain/shift-bids/canonical-bid';
import {
  OverrideStateConflict,
  type OverrideRecord,
  type OverrideStateStore,
} from '../../shared/domain/shift-overrides/ports';
import { RetryableFailure } from '../../shared/errors';
import type { EventIntake, IntakeRecord } from '../../shared/ports/event-intake';
import type { AuditLog, AuditRecord, LockManager } from '../../shared/ports/platform';
import type { Clock } from '../../shared/ports/clock';
import { useDynamoDbLocal } from '../helpers/dynamodb-local';
import { waitFor } from '../helpers/local';
import { FakeClock } from '../helpers/fake-clock';

const dynamo = useDynamoDbLocal();
const NOW = Date.now();
const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 9)}`;

describe.each<[string, () => Promise<OverrideStateStore>]>([
  ['fake', async () => new InMemoryOverrideStateStore()],
  ['DynamoDB', async () => new DynamoDbOverrideStateStore(dynamo.doc(), await dynamo.table('State'))],
])('override state store contract: %s', (_name, make) => {
  let store: OverrideStateStore;
  let requestId: string;
  beforeEach(async () => {
    store = await make();
    requestId = unique('r');
  });

  const record = (shiftId: string, over: Partial<OverrideRecord> = {}): OverrideRecord => ({
    requestId,
    shiftId,
    userId: 'u1',
    state: 'PENDING',
    idempotencyKey: `wfm:override:${requestId}:${shiftId}`,
    startTime: '2026-03-29T08:00:00.000Z',
    endTime: '2026-03-29T16:00:00.000Z',
    reasonCodeId: 'reason-code-pto-001',
    retryCount: 0,
    updatedAt: '2026-03-20T10:00:00.000Z',
    ...over,
  });

  it('admits a newer event and a repeat of the admitted one; refuses an older one and another type at the same time', async () => {
    const t1 = '2026-03-20T10:00:00Z';
    const t2 = '2026-03-20T11:00:00Z';
    expect(await store.admitEvent(requestId, 'timeoff.request.approved', t1, 'u1')).toBe(true);
    expect(await store.admitEvent(requestId, 'timeoff.request.approved', t1, 'u1')).toBe(true);
    expect(await store.admitEvent(requestId, 'timeoff.request.cancelled', t1, 'u1')).toBe(false);
    expect(await store.admitEvent(requestId, 'timeoff.request.cancelled', t2, 'u1')).toBe(true);
    // The cancellation is the tombstone: the approval, redelivered late, is stale.
    expect(await store.admitEvent(requestId, 'timeoff.request.approved', t1, 'u1')).toBe(false);
    expect(await store.admitEvent(unique('other'), 'timeoff.request.approved', t1, 'u1')).toBe(true);
  });

  it('moves a record only from the state the writer expects', async () => {
    await store.save(record('s1'), 'NONE');
    await expect(store.save(record('s1'), 'NONE')).rejects.toMatchObject({ reason: 'LOCK_HELD' });
    await store.save(record('s1', { state: 'SUBMITTED', overrideId: 'o1', httpStatus: 201 }), 'PENDING');
    const stale = store.save(record('s1', { state: 'FAILED' }), 'PENDING');
    // A failed guard is a conflict the lifecycle marks SUPERSEDED in the audit trail; still retryable.
    await expect(stale).rejects.toBeInstanceOf(OverrideStateConflict);
    await expect(store.save(record('s2', { state: 'RECONCILED' }), 'PENDING')).rejects.toBeInstanceOf(
      RetryableFailure,
    );
  });

  it("reads back a request's records exactly as saved, latest state, in shift id order", async () => {
    const b = record('shift-b', { state: 'RECONCILED', overrideId: 'o-b', httpStatus: 201, retryCount: 2 });
    await store.save(record('shift-b'), 'NONE');
    await store.save(b, 'PENDING');
    const a = record('shift-a', { state: 'FAILED', reason: 'window differs from plan' });
    await store.save(a, 'NONE');
    await store.save(record('shift-x', { requestId: unique('other') }), 'NONE');
    expect(await store.records(requestId)).toEqual([a, b]);
    expect(await store.records(unique('none'))).toEqual([]);
  });
});

/** A bridged push of two WEM events, as `applyTransition` records it. */
const pendingPush = (agentId: string, state: AgentRecord['state'], eventTime: number): PendingPush => ({
  state,
  eventTime,
  bridged: true,
  pushes: [
    { state: 'InSession' as const, at: eventTime - 1 },
    { state, at: eventTime },
  ].map(({ state: adherenceState, at }) => ({
    event: {
      agentId,
      adherenceState,
      scheduleType: 'Regular',
      startTime: new Date(at).toISOString(),
      endTime: new Date(at).toISOString(),
      reasonCode: 'NONE',
    },
    idempotencyKey: `${agentId}-${adherenceState}-${at}`,
  })),
});

interface AgentStoreSubject {
  store: InMemoryAgentStateStore | DynamoDbAgentStateStore;
  held(agentId: string): Promise<HeldTransition[]>;
}

const heldTransition = (agentId: string, state: AgentRecord['state'], eventTime: number): HeldTransition => ({
  agentId,
  state,
  eventTime,
  reason: 'TRANSITION_NOT_ALLOWED',
  reasonCode: 'NONE',
});

describe.each<[string, () => Promise<AgentStoreSubject>]>([
  [
    'fake',
    async () => {
      const store = new InMemoryAgentStateStore();
      return { store, held: async (agentId) => store.held.filter((h) => h.agentId === agentId) };
    },
  ],
  [
    'DynamoDB',
    async () => {
      const table = await dynamo.table('State');
      return {
        store: new DynamoDbAgentStateStore(dynamo.doc(), table),
        held: async (agentId) => {
          const { Items = [] } = await dynamo.doc().send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :held)',
              ExpressionAttributeValues: { ':pk': `AGENT#${agentId}`, ':held': 'HELD#' },
            }),
          );
          return Items.map((i) => ({
            agentId,
            state: i.state,
            eventTime: i.eventTime,
            reason: i.reason,
            reasonCode: i.reasonCode,
          }));
        },
      };
    },
  ],
])('agent state store contract: %s', (_name, make) => {
  let subject: AgentStoreSubject;
  let agent: string;
  beforeEach(async () => {
    subject = await make();
    agent = unique('agent');
  });
  const at = (agentId: string, state: AgentRecord['state'], eventTime: number): AgentRecord => ({
    agentId,
    state,
    eventTime,
  });

  it('advances only to a later event time: an older or equal one is stale', async () => {
    const { store } = subject;
    expect(await store.get(agent)).toBeUndefined();
    expect(await store.advance(at(agent, 'InSession', 1_000))).toBe(true);
    expect(await store.advance(at(agent, 'OnBreak', 1_000))).toBe(false);
    expect(await store.advance(at(agent, 'OnBreak', 999))).toBe(false);
    expect(await store.get(agent)).toEqual(at(agent, 'InSession', 1_000));
    expect(await store.advance(at(agent, 'OnCall', 2_000))).toBe(true);
    expect(await store.get(agent)).toEqual(at(agent, 'OnCall', 2_000));
  });

  // Real times from here on: held transitions expire a day after their event, and DynamoDB Local deletes
  // expired items.
  it("lists every agent's acknowledged state with its latest newer held transition, and nothing else", async () => {
    const { store } = subject;
    const other = unique('agent');
    await store.advance(at(agent, 'InSession', NOW));
    await store.advance(at(other, 'OnCall', NOW + 2_000));
    await store.hold(heldTransition(agent, 'OnBreak', NOW + 3_000));
    await store.hold(heldTransition(agent, 'OnCall', NOW + 4_000));
    await store.hold(heldTransition(other, 'OnBreak', NOW + 1_000)); // older than its acknowledged state: moot
    await store.rememberScheduleType(agent, 'Regular', NOW);
    const listed = (await store.list()).filter((r) => r.agentId === agent || r.agentId === other);
    expect(listed.sort((a, b) => a.eventTime - b.eventTime)).toEqual([
      { ...at(agent, 'InSession', NOW), held: heldTransition(agent, 'OnCall', NOW + 4_000) },
      at(other, 'OnCall', NOW + 2_000),
    ]);
  });

  it('keeps one held transition per agent and event time (a redelivery does not add one)', async () => {
    const { store } = subject;
    await store.hold(heldTransition(agent, 'OnBreak', NOW + 3_000));
    await store.hold(heldTransition(agent, 'OnBreak', NOW + 3_000));
    await store.hold(heldTransition(agent, 'OnCall', NOW + 4_000));
    const held = await subject.held(agent);
    expect(held.sort((a, b) => a.eventTime - b.eventTime)).toEqual([
      heldTransition(agent, 'OnBreak', NOW + 3_000),
      heldTransition(agent, 'OnCall', NOW + 4_000),
    ]);
  });

  it('answers a cached schedule type only when it was fetched since the given time', async () => {
    const { store } = subject;
    // Real times: the cached item's TTL is two days after its fetch, and DynamoDB Local deletes expired items.
    expect(await store.scheduleType(agent, NOW)).toBeUndefined();
    await store.rememberScheduleType(agent, 'Regular', NOW + 5_000);
    expect(await store.scheduleType(agent, NOW + 5_000)).toBe('Regular');
    expect(await store.scheduleType(agent, NOW + 5_001)).toBeUndefined();
    await store.rememberScheduleType(agent, 'Split', NOW + 6_000);
    expect(await store.scheduleType(agent, NOW + 5_500)).toBe('Split');
  });
});

describe('held adherence transitions in DynamoDB expire a day after their event', () => {
  const read = async (table: string, agentId: string) =>
    (
      await dynamo.doc().send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :held)',
          ExpressionAttributeValues: { ':pk': `AGENT#${agentId}`, ':held': 'HELD#' },
        }),
      )
    ).Items ?? [];

  it('carries the TTL attribute, a day after the event time', async () => {
    const table = await dynamo.table('State');
    const agentId = unique('agent');
    const eventTime = Date.now();
    await new DynamoDbAgentStateStore(dynamo.doc(), table).hold(
      heldTransition(agentId, 'OnBreak', eventTime),
    );
    const [item] = await read(table, agentId);
    expect(item?.expiresAt).toBe(Math.ceil(eventTime / 1000) + HELD_TRANSITION_TTL_SECONDS);
  });

  it('is deleted by the table TTL once its event is more than a day old', async () => {
    const table = await dynamo.table('State');
    const store = new DynamoDbAgentStateStore(dynamo.doc(), table);
    const agentId = unique('agent');
    const dayAgo = Date.now() - HELD_TRANSITION_TTL_SECONDS * 1000;
    await store.hold(heldTransition(agentId, 'OnBreak', dayAgo - 60_000));
    await store.hold(heldTransition(agentId, 'OnCall', Date.now()));
    // Positive signal: the fresh one stays while the expired one goes.
    await waitFor(async () => (await read(table, agentId)).length === 1, {
      what: 'the expired held transition to be deleted',
      timeoutMs: 25_000,
    });
    expect((await read(table, agentId)).map((i) => i.state)).toEqual(['OnCall']);
  }, 30_000);
});

/** Lock managers of workers on one lock table, each on its own clock (a clock never advanced is a stalled worker). */
type LockWorkers = (clock: Clock) => LockManager;
const lockBackends: [string, () => Promise<LockWorkers>][] = [
  [
    'fake',
    async () => {
      const table = new InMemoryLockManager(new FakeClock());
      return (clock) => table.worker(clock);
    },
  ],
  [
    'DynamoDB',
    async () => {
      const table = await dynamo.table('State');
      return (clock) => new DynamoDbLockManager(dynamo.doc(), table, clock);
    },
  ],
];

/** Lets a heartbeat woken by `clock.advance` finish its renewal (real I/O on DynamoDB Local) and sleep again. */
async function heartbeatsSettled(clock: FakeClock, sleepers = 1): Promise<void> {
  for (const started = Date.now(); clock.pending < sleepers;) {
    if (Date.now() - started > 5_000) throw new Error('the heartbeat did not sleep again within 5 s');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(lockBackends)('lease lock contract: %s', (_name, make) => {
  let clock: FakeClock;
  let worker: LockWorkers;
  let key: string;
  beforeEach(async () => {
    // Real time: DynamoDB Local's TTL deletes a lock item whose (fake-clock) lease ended an hour before the real now.
    clock = new FakeClock(Date.now());
    worker = await make();
    key = unique('timeoff');
  });

  it('grants a key to one owner at a time, and again once released', async () => {
    const lease = await worker(clock).tryAcquire(key, 30);
    expect(lease).toMatchObject({ key });
    expect(await worker(clock).tryAcquire(key, 30)).toBeUndefined();
    expect(await worker(clock).tryAcquire(`${key}-other`, 30)).toBeDefined();
    await lease!.release();
    expect(await worker(clock).tryAcquire(key, 30)).toBeDefined();
  });

  it('grants one of many concurrent attempts', async () => {
    const leases = await Promise.all(Array.from({ length: 5 }, () => worker(clock).tryAcquire(key, 30)));
    expect(leases.filter(Boolean)).toHaveLength(1);
  });

  it('frees a dead owner’s key after its TTL (not at it), and a late release frees nothing of the new owner', async () => {
    const dead = new FakeClock(clock.now()); // never advanced: its heartbeat never beats
    const first = await worker(dead).tryAcquire(key, 30);
    await clock.advance(30_000);
    expect(await worker(clock).tryAcquire(key, 30)).toBeUndefined();
    await clock.advance(1);
    const second = await worker(clock).tryAcquire(key, 30);
    expect(second).toBeDefined();
    expect(second!.owner).not.toBe(first!.owner);
    await first!.release();
    expect(await worker(clock).tryAcquire(key, 30)).toBeUndefined();
  });

  it('keeps a live holder’s lease past its TTL (the heartbeat renews it) until it releases', async () => {
    const lease = await worker(clock).tryAcquire(key, 30);
    for (let beat = 0; beat < 9; beat++) {
      await clock.advance(10_000);
      await heartbeatsSettled(clock);
    }
    // 90 s after a 30 s lease was granted, it still holds.
    expect(await worker(clock).tryAcquire(key, 30)).toBeUndefined();
    await lease!.release();
    expect(await worker(clock).tryAcquire(key, 30)).toBeDefined();
  });
});

describe.each(lockBackends)('fenced state writes: %s', (name, make) => {
  let clock: FakeClock;
  let worker: LockWorkers;
  let overrides: OverrideStateStore;
  let agents: AgentStateStore;
  beforeEach(async () => {
    clock = new FakeClock(Date.now()); // real time: DynamoDB Local deletes lock items whose TTL has passed
    worker = await make();
    if (name === 'fake') {
      overrides = new InMemoryOverrideStateStore();
      agents = new InMemoryAgentStateStore();
    } else {
      const table = await dynamo.table('State');
      // The lock items live in the State table beside the state they fence.
      worker = (workerClock) => new DynamoDbLockManager(dynamo.doc(), table, workerClock);
      overrides = new DynamoDbOverrideStateStore(dynamo.doc(), table);
      agents = new DynamoDbAgentStateStore(dynamo.doc(), table);
    }
  });

  it('refuses every write of a holder whose lease expired once another worker took the key; the new holder writes', async () => {
    const requestId = unique('r');
    const agentId = unique('agent');
    const record: OverrideRecord = {
      requestId,
      shiftId: 's1',
      userId: 'u1',
      state: 'PENDING',
      idempotencyKey: `wfm:override:${requestId}:s1`,
      startTime: '2026-03-29T08:00:00.000Z',
      endTime: '2026-03-29T16:00:00.000Z',
      reasonCodeId: 'reason-code-pto-001',
      retryCount: 0,
      updatedAt: '2026-03-20T10:00:00.000Z',
    };
    const stalled = new FakeClock(clock.now()); // a worker paused past its TTL: no heartbeat ran
    const old = await worker(stalled).tryAcquire(`timeoff#${requestId}`, 30);
    const oldAgent = await worker(stalled).tryAcquire(`agent#${agentId}`, 15);
    await clock.advance(30_001);
    const current = await worker(clock).tryAcquire(`timeoff#${requestId}`, 30);
    const currentAgent = await worker(clock).tryAcquire(`agent#${agentId}`, 15);
    expect(current && currentAgent).toBeDefined();

    const lockHeld = { reason: 'LOCK_HELD' };
    await expect(
      overrides.admitEvent(requestId, 'timeoff.request.approved', '2026-03-20T10:00:00Z', 'u1', old),
    ).rejects.toMatchObject(lockHeld);
    await expect(overrides.save(record, 'NONE', old)).rejects.toMatchObject(lockHeld);
    await expect(overrides.save(record, 'NONE', old)).rejects.not.toBeInstanceOf(OverrideStateConflict);
    await expect(
      agents.advance({ agentId, state: 'OnCall', eventTime: 1_000 }, oldAgent),
    ).rejects.toMatchObject(lockHeld);
    await expect(
      agents.hold(
        {
          agentId,
          state: 'OnBreak',
          eventTime: Date.now(),
          reason: 'TRANSITION_NOT_ALLOWED',
          reasonCode: 'NONE',
        },
        oldAgent,
      ),
    ).rejects.toMatchObject(lockHeld);
    await expect(
      agents.recordPending(agentId, pendingPush(agentId, 'OnCall', 1_000), oldAgent!),
    ).rejects.toMatchObject(lockHeld);
    expect(await overrides.records(requestId)).toEqual([]);
    expect(await agents.get(agentId)).toBeUndefined();

    expect(
      await overrides.admitEvent(
        requestId,
        'timeoff.request.approved',
        '2026-03-20T10:00:00Z',
        'u1',
        current,
      ),
    ).toBe(true);
    await overrides.save(record, 'NONE', current);
    expect(await overrides.records(requestId)).toEqual([record]);
    // Under a lease, the write's own condition still holds.
    await expect(overrides.save(record, 'NONE', current)).rejects.toMatchObject(lockHeld);
    expect(await agents.advance({ agentId, state: 'OnCall', eventTime: 1_000 }, currentAgent)).toBe(true);
    expect(await agents.advance({ agentId, state: 'OnBreak', eventTime: 1_000 }, currentAgent)).toBe(false);
    for (const lease of [old, oldAgent, current, currentAgent]) await lease!.release();
  });

  it('keeps one push pending until it is acknowledged or dropped, never behind the acknowledged state', async () => {
    const agentId = unique('agent');
    const lease = (await worker(clock).tryAcquire(`agent#${agentId}`, 15))!;
    const acknowledged = (state: AgentRecord['state'], eventTime: number) => ({ agentId, state, eventTime });
    expect(await agents.read(agentId)).toEqual({});

    const first = pendingPush(agentId, 'OnCall', 1_000);
    expect(await agents.recordPending(agentId, first, lease)).toBe(true);
    expect(await agents.read(agentId)).toEqual({ pending: first });
    expect(await agents.get(agentId)).toBeUndefined();
    expect((await agents.list()).filter((r) => r.agentId === agentId)).toEqual([]);
    // One at a time: the next push is recorded only once this one is settled.
    expect(await agents.recordPending(agentId, pendingPush(agentId, 'OnBreak', 2_000), lease)).toBe(false);
    expect(await agents.completePending(agentId, pendingPush(agentId, 'OnBreak', 2_000))).toBe(false);
    expect(await agents.read(agentId)).toEqual({ pending: first });

    expect(await agents.completePending(agentId, first)).toBe(true);
    expect(await agents.read(agentId)).toEqual({ acknowledged: acknowledged('OnCall', 1_000) });
    expect(await agents.completePending(agentId, first)).toBe(false);
    expect(await agents.recordPending(agentId, pendingPush(agentId, 'OnBreak', 1_000), lease)).toBe(false);

    const second = pendingPush(agentId, 'OnBreak', 2_000);
    expect(await agents.recordPending(agentId, second, lease)).toBe(true);
    expect(await agents.read(agentId)).toEqual({
      acknowledged: acknowledged('OnCall', 1_000),
      pending: second,
    });
    expect(await agents.get(agentId)).toEqual(acknowledged('OnCall', 1_000));
    expect((await agents.list()).filter((r) => r.agentId === agentId)).toEqual([
      { ...acknowledged('OnCall', 1_000), pending: second },
    ]);
    expect(await agents.dropPending(agentId, second)).toBe(true);
    expect(await agents.dropPending(agentId, second)).toBe(false);
    expect(await agents.read(agentId)).toEqual({ acknowledged: acknowledged('OnCall', 1_000) });

    // Advancing forgets a pending push (the domain settles it first).
    expect(await agents.recordPending(agentId, pendingPush(agentId, 'OnBreak', 3_000), lease)).toBe(true);
    expect(await agents.advance(acknowledged('OnCall', 4_000), lease)).toBe(true);
    expect(await agents.read(agentId)).toEqual({ acknowledged: acknowledged('OnCall', 4_000) });
    await lease.release();
  });
});

interface AuditSubject {
  log: AuditLog;
  history(workflow: string, subject: string): Promise<AuditRecord[]>;
}

describe.each<[string, () => Promise<AuditSubject>]>([
  [
    'fake',
    async () => {
      const log = new InMemoryAuditLog();
      return {
        log,
        history: async (workflow, subject) =>
          log.records.filter((r) => r.workflow === workflow && r.subject === subject),
      };
    },
  ],
  [
    'DynamoDB',
    async () => {
      const table = await dynamo.table('Audit');
      return {
        log: new DynamoDbAuditLog(dynamo.doc(), table),
        history: async (workflow, subject) => {
          const { Items = [] } = await dynamo.doc().send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `${workflow}#${subject}` },
            }),
          );
          return Items.map(
            ({ pk: _pk, sk: _sk, recordedAt: _recordedAt, ...record }) => record as AuditRecord,
          );
        },
      };
    },
  ],
])('audit log contract: %s', (_name, make) => {
  it('keeps every record as appended, a repeated one too (append-only: nothing is overwritten)', async () => {
    const { log, history } = await make();
    const subject = unique('override');
    const submitted: AuditRecord = {
      workflow: 'shift-overrides',
      subject,
      action: 'SUBMITTED',
      at: '2026-03-20T10:00:00.000Z',
      detail: { httpStatus: 201, retryCount: 0 },
    };
    const reconciled: AuditRecord = { ...submitted, action: 'RECONCILED', at: '2026-03-20T10:00:01.000Z' };
    await log.append(submitted);
    await log.append(submitted);
    await log.append(reconciled);
    await log.append({ ...submitted, subject: unique('override') });
    expect(await history('shift-overrides', subject)).toEqual([submitted, submitted, reconciled]);
  });
});

describe.each<[string, () => Promise<EventIntake>]>([
  ['fake', async () => new FakeEventIntake()],
  ['DynamoDB', async () => new DynamoDbEventIntake(dynamo.doc(), await dynamo.table('State'))],
])('event intake contract: %s', (_name, make) => {
  const intakeRecord = (eventId: string, over: Partial<IntakeRecord> = {}): IntakeRecord => ({
    workflow: 'shift-bids',
    eventId,
    eventType: 'wfm.bidding.request.created',
    status: 'pending_validation',
    // Recent: the intake record expires 30 days after it, and DynamoDB Local's TTL deletes expired items.
    receivedAt: new Date(NOW).toISOString(),
    summary: { requestId: 'bid-1' },
    ...over,
  });

  it('records an event once per workflow and event id; a redelivery, even with other values, is not recorded again', async () => {
    const intake = await make();
    const eventId = unique('evt');
    expect(await intake.recordOnce(intakeRecord(eventId))).toBe(true);
    expect(
      await intake.recordOnce(intakeRecord(eventId, { receivedAt: new Date(NOW + 5_000).toISOString() })),
    ).toBe(false);
    expect(await intake.recordOnce(intakeRecord(eventId, { workflow: 'reward-triggers' }))).toBe(true);
    expect(await intake.recordOnce(intakeRecord(unique('evt')))).toBe(true);
  });
});

describe.each<[string, () => Promise<BidStateStore>]>([
  ['fake', async () => new InMemoryBidStateStore()],
  ['DynamoDB', async () => new DynamoDbBidStateStore(dynamo.doc(), await dynamo.table('State'))],
])('bid state store contract: %s', (_name, make) => {
  let store: BidStateStore;
  let requestId: string;
  beforeEach(async () => {
    store = await make();
    requestId = unique('bidding_req');
  });
  const at = '2026-03-20T10:00:05.000Z';
  const bid = (timestamp: string, over: Partial<CanonicalBid> = {}): CanonicalBid => ({
    processingId: unique('proc'),
    cxoneRequestId: requestId,
    siteId: 'site_nyc_01',
    agentId: 'agent_49201',
    shiftId: 'shift_1',
    bidType: 'swap',
    requestedDate: '2026-03-29',
    startTime: '08:00:00',
    endTime: '16:00:00',
    status: 'pending_validation',
    cxoneEventTimestamp: timestamp,
    processedAt: null,
    retryCount: 0,
    cxoneStatus: 'PENDING',
    ...over,
  });

  it('writes the first event pending_validation with its processing id, before anything else', async () => {
    const first = bid('2026-03-20T10:00:00Z');
    const outcome = await store.admit(first, at);
    expect(outcome.kind).toBe('new');
    expect(await store.get(requestId)).toEqual({
      ...first,
      status: 'pending_validation',
      lastEventAt: '2026-03-20T10:00:00Z',
      blocklisted: false,
      updatedAt: at,
    });
    expect(await store.get(unique('none'))).toBeUndefined();
  });

  it('applies events in event-time order: a newer or equal one is admitted, an older one is stale', async () => {
    const created = bid('2026-03-20T10:00:00Z');
    await store.admit(created, at);
    const later = await store.admit(bid('2026-03-20T12:00:00+02:00', { cxoneStatus: 'APPROVED' }), at);
    // Same instant as the first, written with another offset: not older, so admitted.
    expect(later).toMatchObject({ kind: 'admitted', record: { cxoneStatus: 'APPROVED' } });
    // The record keeps its first processing id.
    expect(later.record.processingId).toBe(created.processingId);
    const late = await store.admit(bid('2026-03-20T09:59:59Z', { cxoneStatus: 'PENDING' }), at);
    expect(late).toMatchObject({ kind: 'stale', record: { cxoneStatus: 'APPROVED' } });
    expect((await store.get(requestId))?.lastEventAt).toBe('2026-03-20T12:00:00+02:00');
  });

  it('moves a record only from the state the writer read, and only as the lifecycle allows', async () => {
    await store.admit(bid('2026-03-20T10:00:00Z'), at);
    const decided = await store.transition(
      requestId,
      'pending_validation',
      'awaiting_api_commit',
      { decision: 'APPROVE', ruleVersion: 'local-v1', validatedAt: at },
      at,
    );
    expect(decided).toMatchObject({
      status: 'awaiting_api_commit',
      decision: 'APPROVE',
      ruleVersion: 'local-v1',
    });
    // A second worker that read pending_validation loses.
    await expect(
      store.transition(requestId, 'pending_validation', 'escalated', { blocklisted: true }, at),
    ).rejects.toBeInstanceOf(BidStateConflict);
    await expect(store.transition(requestId, 'awaiting_api_commit', 'escalated', {}, at)).rejects.toThrow(
      RangeError,
    );
    const approved = await store.transition(
      requestId,
      'awaiting_api_commit',
      'approved',
      { httpStatus: 200 },
      at,
    );
    expect(approved).toMatchObject({ status: 'approved', httpStatus: 200, decision: 'APPROVE' });
    await expect(store.transition(requestId, 'approved', 'rejected', {}, at)).rejects.toThrow(RangeError);
    await expect(
      store.transition(unique('none'), 'pending_validation', 'escalated', {}, at),
    ).rejects.toBeInstanceOf(BidStateConflict);
  });

  it('names the request CXone approved for a shift on a date, and nothing for another date or shift', async () => {
    const shiftId = unique('shift');
    expect(await store.awardOf(shiftId, '2026-03-29')).toBeUndefined();
    await store.recordAward(shiftId, '2026-03-29', requestId, at);
    expect(await store.awardOf(shiftId, '2026-03-29')).toBe(requestId);
    expect(await store.awardOf(shiftId, '2026-03-30')).toBeUndefined();
    expect(await store.awardOf(unique('shift'), '2026-03-29')).toBeUndefined();
  });

  it('keeps an escalated request blocklisted when the supervisor decision is adopted', async () => {
    await store.admit(bid('2026-03-20T10:00:00Z'), at);
    await store.transition(
      requestId,
      'pending_validation',
      'escalated',
      { blocklisted: true, decision: 'ESCALATE' },
      at,
    );
    await store.admit(bid('2026-03-20T11:00:00Z', { cxoneStatus: 'APPROVED' }), at);
    const adopted = await store.transition(requestId, 'escalated', 'approved', {}, at);
    expect(adopted).toMatchObject({ status: 'approved', blocklisted: true, cxoneStatus: 'APPROVED' });
  });
});

describe.each<[string, () => Promise<RewardLedgerStore>]>([
  ['fake', async () => new InMemoryRewardLedgerStore()],
  ['DynamoDB', async () => new DynamoDbRewardLedgerStore(dynamo.doc(), await dynamo.table('State'))],
])('reward ledger store contract: %s', (_name, make) => {
  let store: RewardLedgerStore;
  let agentId: string;
  beforeEach(async () => {
    store = await make();
    agentId = unique('agent');
  });

  const credit = (position: number, delta = 60, date = '2026-05-14'): RowEntry => ({
    kind: 'credit',
    position,
    agentId,
    date,
    delta,
    ruleVersion: 'local-v1',
    line: 'csatFiveStar',
    correction: false,
  });
  const booking = (csatFiveStar: number, date = '2026-05-14'): RowBooking => ({
    agentId,
    date,
    metrics: { csatFiveStar, complianceViolations: 0, ahtCompliancePct: null },
    points: { csatFiveStar: csatFiveStar * 10, complianceViolations: 0, ahtCompliance: 0 },
    ruleVersion: 'local-v1',
  });
  const lock = (transactionId: string): RedemptionLock => ({
    state: 'LOCKED_FOR_REDEMPTION',
    agentId,
    transactionId,
    rewardType: 'gift_card_50_usd',
    pointsConsumed: 500,
    earnedAtPosition: 2,
    asOfDate: '2026-05-15',
    ruleVersion: 'local-v1',
    transactionTimestamp: '2026-05-15T06:30:00.000Z',
  });

  it('appends at free positions only and reads entries back in position order', async () => {
    expect(await store.entries(agentId)).toEqual([]);
    expect(await store.append([credit(1), credit(2, 30)])).toBe('written');
    expect(await store.append([credit(2, 99)])).toBe('conflict');
    // A transaction with one taken position writes none of its entries.
    expect(await store.append([credit(3, 10), credit(1, 5)])).toBe('conflict');
    expect(await store.entries(agentId)).toEqual([credit(1), credit(2, 30)]);
    expect(await store.entries(unique('other'))).toEqual([]);
  });

  it("reads the ledger's head position without the entries: 0 when empty, the highest position past 9", async () => {
    expect(await store.headPosition(agentId)).toBe(0);
    expect(await store.append([credit(1), credit(2)])).toBe('written');
    expect(await store.headPosition(agentId)).toBe(2);
    const more = Array.from({ length: 10 }, (_, i) => credit(3 + i, 5));
    expect(await store.append(more)).toBe('written');
    expect(await store.headPosition(agentId)).toBe(12);
    expect(await store.headPosition(unique('other'))).toBe(0);
  });

  it("reads a batch of rows' bookings in the order asked, undefined where none, at most 100", async () => {
    const dates = Array.from(
      { length: 100 },
      (_, i) => `2026-0${1 + Math.floor(i / 28)}-${String(1 + (i % 28)).padStart(2, '0')}`,
    );
    for (const date of dates.filter((_, i) => i % 3 === 0))
      expect(await store.book(booking(1, date), undefined, [])).toBe('written');
    const read = await store.rowBookings(dates.map((date) => ({ agentId, date })));
    expect(read).toEqual(
      dates.map((date, i) => (i % 3 === 0 ? { booking: booking(1, date), revision: 1 } : undefined)),
    );
    expect(await store.rowBookings([])).toEqual([]);
    await expect(
      store.rowBookings([...dates, '2026-12-31'].map((date) => ({ agentId, date }))),
    ).rejects.toThrow(/at most 100/);
  });

  it('books a row once: conditional on the previous revision, in the same transaction as its entries', async () => {
    expect(await store.book(booking(6), undefined, [credit(1)])).toBe('written');
    const first = await store.rowBooking(agentId, '2026-05-14');
    expect(first).toEqual({ booking: booking(6), revision: 1 });
    // A second first booking of the same row (a concurrent or repeated run) books nothing.
    expect(await store.book(booking(6), undefined, [credit(2)])).toBe('conflict');
    // A correction conditional on revision 1 books once; a stale one does not.
    const correction = { ...credit(2, -20), kind: 'debit' as const, correction: true };
    expect(await store.book(booking(4), first, [correction])).toBe('written');
    expect(await store.book(booking(3), first, [{ ...correction, position: 3 }])).toBe('conflict');
    expect(await store.rowBooking(agentId, '2026-05-14')).toEqual({ booking: booking(4), revision: 2 });
    // The booking is not written when an entry's position is taken.
    expect(await store.book(booking(6, '2026-05-15'), undefined, [credit(2)])).toBe('conflict');
    expect(await store.rowBooking(agentId, '2026-05-15')).toBeUndefined();
    expect(await store.entries(agentId)).toEqual([credit(1), correction]);
  });

  it("books several agents' rows in one write, all or none, at most 100 items", async () => {
    const other = unique('agent');
    const otherCredit = (position: number): RowEntry => ({ ...credit(position), agentId: other });
    const otherBooking: RowBooking = { ...booking(2), agentId: other };
    expect(await store.book(otherBooking, undefined, [otherCredit(1)])).toBe('written');
    // One row's condition fails (other's row is booked): nothing of the write is stored.
    expect(
      await store.bookAll([
        { booking: booking(6), previous: undefined, entries: [credit(1)] },
        { booking: otherBooking, previous: undefined, entries: [otherCredit(2)] },
      ]),
    ).toBe('conflict');
    expect(await store.rowBooking(agentId, '2026-05-14')).toBeUndefined();
    expect(await store.entries(agentId)).toEqual([]);
    const stored = await store.rowBooking(other, '2026-05-14');
    expect(
      await store.bookAll([
        { booking: booking(6), previous: undefined, entries: [credit(1)] },
        {
          booking: { ...otherBooking, metrics: { ...otherBooking.metrics, csatFiveStar: 3 } },
          previous: stored,
          entries: [otherCredit(2)],
        },
      ]),
    ).toBe('written');
    expect(await store.entries(agentId)).toEqual([credit(1)]);
    expect((await store.rowBooking(other, '2026-05-14'))?.revision).toBe(2);
    expect(await store.entries(other)).toEqual([otherCredit(1), otherCredit(2)]);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({
      booking: booking(1, `2026-06-${String(1 + (i % 28)).padStart(2, '0')}`),
      previous: undefined,
      entries: [credit(10 + i)],
    }));
    await expect(store.bookAll(tooMany)).rejects.toThrow(/at most 100 items/);
  });

  it('takes the point lock only if none is held, keeps its progress, releases only its own transaction', async () => {
    expect(await store.heldLock(agentId)).toBeUndefined();
    expect(await store.takeLock(lock('tx-1'))).toBe(true);
    expect(await store.takeLock(lock('tx-2'))).toBe(false);
    expect(await store.heldLock(agentId)).toEqual({ lock: lock('tx-1'), progress: { attempts: 0 } });
    const progress = { attempts: 2, lookupFirst: true, pendingSince: '2026-05-15T06:31:00.000Z' };
    expect(await store.saveProgress(agentId, 'tx-1', progress)).toBe('written');
    expect(await store.saveProgress(agentId, 'tx-2', { attempts: 9 })).toBe('conflict');
    expect((await store.heldLock(agentId))?.progress).toEqual(progress);
    await store.releaseLock(agentId, 'tx-2');
    expect(await store.heldLock(agentId)).toBeDefined();
    await store.releaseLock(agentId, 'tx-1');
    expect(await store.heldLock(agentId)).toBeUndefined();
    await store.releaseLock(agentId, 'tx-1');
    expect(await store.saveProgress(agentId, 'tx-1', { attempts: 1 })).toBe('conflict');
  });

  it('takes the point lock only while the ledger still ends at the position it was earned at', async () => {
    await store.append([credit(1), credit(2), credit(3)]);
    expect(await store.takeLock(lock('tx-1'))).toBe(false);
    expect(await store.heldLock(agentId)).toBeUndefined();
    expect(await store.takeLock({ ...lock('tx-2'), earnedAtPosition: 3 })).toBe(true);
  });

  it('appends a redemption and releases the lock together, or neither', async () => {
    await store.append([credit(1), credit(2)]);
    await store.takeLock(lock('tx-1'));
    const redemption: LedgerEntry = {
      kind: 'redemption',
      position: 3,
      agentId,
      date: '2026-05-15',
      delta: -500,
      ruleVersion: 'local-v1',
      transactionId: 'tx-1',
      rewardType: 'gift_card_50_usd',
      earnedAtPosition: 2,
    };
    // Releasing another transaction's lock fails the whole write.
    expect(await store.append([redemption], { releasing: { agentId, transactionId: 'tx-9' } })).toBe(
      'conflict',
    );
    expect(await store.entries(agentId)).toHaveLength(2);
    expect(await store.append([redemption], { releasing: { agentId, transactionId: 'tx-1' } })).toBe(
      'written',
    );
    expect(await store.heldLock(agentId)).toBeUndefined();
    expect((await store.entries(agentId)).at(-1)).toEqual(redemption);
  });
});

describe.each<[string, () => Promise<IngestionWatermarkStore>]>([
  ['fake', async () => new InMemoryWatermarkStore()],
  [
    'DynamoDB',
    async () => new DynamoDbWatermarkStore(dynamo.doc(), await dynamo.table('State'), unique('WATERMARK')),
  ],
])('ingestion watermark store contract: %s', (_name, make) => {
  it('starts empty and only moves forward', async () => {
    const store = await make();
    expect(await store.read()).toBeUndefined();
    await store.advance('2026-05-14');
    await store.advance('2026-05-15');
    await store.advance('2026-05-01');
    expect(await store.read()).toBe('2026-05-15');
  });
});
