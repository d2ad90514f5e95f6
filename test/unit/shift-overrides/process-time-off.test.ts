import { InMemoryOverrideStateStore } from '../../../shared/adapters/aws/override-state-store.fake';
import { OverrideStateConflict } from '../../../shared/domain/shift-overrides/ports';
import {
  InMemoryAuditLog,
  InMemoryEventPublisher,
  InMemoryLockManager,
} from '../../../shared/adapters/aws/platform.fake';
import { FakeGenesysScheduling } from '../../../shared/adapters/genesys/scheduling.fake';
import {
  processTimeOffEvent,
  type TimeOffEventInput,
} from '../../../shared/domain/shift-overrides/process-time-off';
import { PermanentFailure, RetryableFailure } from '../../../shared/errors';
import { VirtualClock } from '../../helpers/virtual-clock';

function setup() {
  const clock = new VirtualClock();
  const genesys = new FakeGenesysScheduling();
  genesys.users.set('u1', 'America/New_York');
  genesys.reasonCodes.add('reason-code-pto-001');
  genesys.shiftsById.set('s1', {
    id: 's1',
    userId: 'u1',
    startTime: '2026-05-04T13:00:00Z',
    endTime: '2026-05-04T21:00:00Z',
  });
  const deps = {
    genesys,
    store: new InMemoryOverrideStateStore(),
    locks: new InMemoryLockManager(clock),
    audit: new InMemoryAuditLog(),
    events: new InMemoryEventPublisher(),
    clock,
    settings: { reasonCodeByRequestType: { PAID_TIME_OFF: 'reason-code-pto-001' }, fullShiftThreshold: 0.8 },
  };
  return { deps, genesys };
}

const event = (
  eventType: TimeOffEventInput['eventType'],
  timestamp: string,
  requestType = 'PAID_TIME_OFF',
): TimeOffEventInput => ({
  eventType,
  timestamp,
  data: {
    requestId: 'r1',
    userId: 'u1',
    requestType,
    startTime: '2026-05-04T12:00:00Z',
    endTime: '2026-05-04T22:00:00Z',
    status: 'APPROVED',
  },
});

describe('processTimeOffEvent', () => {
  it('skips an approval for a user Genesys does not know (404 on the read) with an audit entry, not a failure', async () => {
    const { deps, genesys } = setup();
    genesys.users.delete('u1');
    expect(
      await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps),
    ).toEqual({ kind: 'skipped', reason: expect.stringContaining('u1') });
    expect(deps.audit.records).toEqual([
      expect.objectContaining({
        subject: 'timeoff#r1',
        action: 'SKIPPED_NOT_FOUND',
        detail: expect.objectContaining({ resource: 'Genesys user u1' }),
      }),
    ]);
    expect(genesys.calls).not.toContain('post');
  });

  it('creates the override, walks PENDING -> SUBMITTED -> RECONCILED in the audit log, and announces it', async () => {
    const { deps, genesys } = setup();
    expect(
      await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps),
    ).toEqual({
      kind: 'applied',
      created: 1,
      alreadyPresent: 0,
    });
    expect([...genesys.overridesById.values()]).toHaveLength(1);
    expect(deps.audit.records.map((r) => r.action)).toEqual(['PENDING', 'SUBMITTED', 'RECONCILED']);
    expect(deps.events.events.map((e) => e.type)).toEqual(['override.applied']);
    expect(JSON.stringify(deps.events.events)).not.toContain('notes');
  });

  it('does nothing new on a redelivery after completion', async () => {
    const { deps, genesys } = setup();
    await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps);
    genesys.calls = [];
    expect(
      await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps),
    ).toMatchObject({ created: 0, alreadyPresent: 1 });
    expect(genesys.calls).not.toContain('post');
  });

  it('reconciles instead of posting when the vendor already holds our override (crash after the 201)', async () => {
    const { deps, genesys } = setup();
    genesys.overridesById.set('ov-x', {
      id: 'ov-x',
      overrideType: 'REMOVE',
      userId: 'u1',
      shiftId: 's1',
      startTime: '2026-05-04T13:00:00.000Z',
      endTime: '2026-05-04T21:00:00.000Z',
      reasonCodeId: 'reason-code-pto-001',
      idempotencyKey: 'wfm:override:r1:s1',
    });
    await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps);
    expect(genesys.calls).not.toContain('post');
    expect((await deps.store.records('r1'))[0]).toMatchObject({ state: 'RECONCILED', overrideId: 'ov-x' });
  });

  it('re-fetches and recomputes on 409', async () => {
    const { deps, genesys } = setup();
    genesys.conflictOnce.set('s1', { startTime: '2026-05-04T16:00:00Z' });
    await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps);
    const [o] = [...genesys.overridesById.values()];
    expect(o).toMatchObject({ startTime: '2026-05-04T16:00:00.000Z', endTime: '2026-05-04T21:00:00.000Z' });
    expect(genesys.calls.filter((c) => c === 'shifts')).toHaveLength(2);
  });

  it('rolls back on cancellation, and a late approval after it is stale (tombstone)', async () => {
    const { deps, genesys } = setup();
    await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps);
    expect(
      await processTimeOffEvent(event('timeoff.request.cancelled', '2026-05-02T10:00:00Z'), deps),
    ).toEqual({ kind: 'rolled-back', deleted: 1 });
    expect(genesys.overridesById.size).toBe(0);
    expect(
      await processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps),
    ).toEqual({ kind: 'stale' });
    expect(genesys.overridesById.size).toBe(0);
  });

  it('fails an unmapped request type or unknown reason code with a clear reason and posts nothing', async () => {
    const { deps, genesys } = setup();
    await expect(
      processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z', 'JURY_DUTY'), deps),
    ).rejects.toMatchObject({
      reason: 'REASON_CODE_UNMAPPED',
    });
    genesys.reasonCodes.clear();
    const err = await processTimeOffEvent(
      event('timeoff.request.approved', '2026-05-01T11:00:00Z'),
      deps,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentFailure);
    expect(err).toMatchObject({ reason: 'REASON_CODE_UNKNOWN' });
    expect(genesys.calls).not.toContain('post');
  });

  it('says in the audit trail when a move lost to another writer: SUPERSEDED, with the state that holds', async () => {
    const { deps } = setup();
    const save = deps.store.save.bind(deps.store);
    deps.store.save = async (record, expected, lease) => {
      // Another writer moves the record between our SUBMITTED audit entry and our state write.
      if (record.state === 'SUBMITTED')
        deps.store.byKey.set(`${record.requestId}#${record.shiftId}`, { ...record, state: 'RECONCILED' });
      return save(record, expected, lease);
    };
    await expect(
      processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps),
    ).rejects.toBeInstanceOf(OverrideStateConflict);
    expect(deps.audit.records.map((r) => r.action)).toEqual(['PENDING', 'SUBMITTED', 'SUPERSEDED']);
    expect(deps.audit.records.at(-1)).toMatchObject({
      subject: 'override#r1#s1',
      detail: { attempted: { from: 'PENDING', to: 'SUBMITTED' }, final_outcome: 'RECONCILED' },
    });
  });

  it('asks for redelivery while another worker holds the request lock', async () => {
    const { deps } = setup();
    await deps.locks.tryAcquire('timeoff#r1#u1', 30);
    await expect(
      processTimeOffEvent(event('timeoff.request.approved', '2026-05-01T10:00:00Z'), deps),
    ).rejects.toBeInstanceOf(RetryableFailure);
  });
});
