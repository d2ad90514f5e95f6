import { call, useVendorSandbox, type Json } from './helpers';

const AGENT = 'agent-la';
const event = (over: Record<string, unknown> = {}) => ({
  agentId: AGENT,
  adherenceState: 'InSession',
  scheduleType: 'Regular',
  startTime: '2026-05-15T14:00:00.000Z',
  endTime: '2026-05-15T14:00:00.000Z',
  reasonCode: 'PAID_BREAK_15',
  ...over,
});
let keySeq = 0;
const post = (body: Record<string, unknown>, key: string | null = `key-${++keySeq}`, agent = AGENT) =>
  call(sandbox.base, 'POST', `/api/v2/wem/adherence/agents/${agent}/adherence-events`, {
    token: sandbox.token,
    body,
    headers: key === null ? {} : { 'x-genesys-idempotency-key': key },
  });
const dashboard = async (agent = AGENT) =>
  (await call(sandbox.base, 'GET', `/api/v2/wem/adherence/agents/${agent}/state`, { token: sandbox.token }))
    .body;
const agentState = async (agent = AGENT) => (await sandbox.admin.state<Json>()).adherence.agents[agent];

const sandbox = useVendorSandbox('genesys', {
  fixtures: { agents: [{ id: AGENT, timezone: 'America/Los_Angeles', scheduleType: 'Regular' }] },
});

describe('WEM adherence ingestion', () => {
  it('accepts a valid event (201) and the dashboard shows it', async () => {
    const res = await post(event({ adherenceState: 'Scheduled' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      agentId: AGENT,
      adherenceState: 'Scheduled',
      processingStatus: 'APPLIED',
    });
    expect(await dashboard()).toMatchObject({
      agentId: AGENT,
      adherenceState: 'Scheduled',
      since: '2026-05-15T14:00:00.000Z',
      scheduleType: 'Regular',
      reasonCode: 'PAID_BREAK_15',
      source: 'event',
    });
  });

  it('replays the first answer for a repeated X-Genesys-Idempotency-Key and records one event', async () => {
    const first = await post(event(), 'same-key');
    const second = await post(event(), 'same-key');
    const third = await post(event({ adherenceState: 'OnCall' }), 'same-key');
    expect([first.status, second.status, third.status]).toEqual([201, 201, 201]);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const state = await agentState();
    expect(state.events).toHaveLength(1);
    expect(state.counts).toMatchObject({ received: 3, accepted: 1, duplicates: 2 });
  });

  it('answers 422 for a reason code outside the compliance policy, without recording it', async () => {
    const res = await post(event({ reasonCode: 'aux-7' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'reason.code.unmapped', field: 'reasonCode' });
    const state = await agentState();
    expect(state.events).toHaveLength(0);
    expect(state.counts.unmappedReasonCodes).toBe(1);
    // The stage's translated codes are in the policy by default; more can be added.
    expect((await post(event({ reasonCode: 'UNPAID_LUNCH_30' }))).status).toBe(201);
    await sandbox.admin.fixtures({ complianceReasonCodes: ['aux-7'] });
    expect(
      (
        await post(
          event({ reasonCode: 'aux-7', startTime: '2026-05-15T15:00:00Z', endTime: '2026-05-15T15:00:00Z' }),
        )
      ).status,
    ).toBe(201);
  });

  it('rejects timestamps without Z or an explicit offset (400 invalid.timestamp naming the field)', async () => {
    const res = await post(event({ startTime: '2026-05-15T14:00:00' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid.timestamp', field: 'startTime' });
    expect(
      (await post(event({ startTime: '2026-05-15T07:00:00-07:00', endTime: '2026-05-15T14:00:00+00:00' })))
        .status,
    ).toBe(201);
  });

  it('requires every field and a known adherence state', async () => {
    const missing = await post({ agentId: AGENT, adherenceState: 'InSession' });
    expect(missing.status).toBe(400);
    expect(missing.body.missing).toEqual(['scheduleType', 'startTime', 'endTime', 'reasonCode']);
    expect((await post(event({ adherenceState: 'Lunch' }))).status).toBe(400);
    expect((await post(event({ agentId: 'someone-else' }))).status).toBe(400);
  });

  it('marks an event overlapping an earlier one with another state invalid; the dashboard keeps the first', async () => {
    await post(event({ startTime: '2026-05-15T14:00:00Z', endTime: '2026-05-15T14:30:00Z' }));
    const clash = await post(
      event({
        adherenceState: 'OnBreak',
        startTime: '2026-05-15T14:10:00Z',
        endTime: '2026-05-15T14:20:00Z',
      }),
    );
    expect(clash.status).toBe(201);
    expect(clash.body.processingStatus).toBe('INVALID_OVERLAP');
    expect((await dashboard()).adherenceState).toBe('InSession');
    expect((await agentState()).counts.overlaps).toBe(1);
    // Adjacent events do not overlap.
    const next = await post(
      event({
        adherenceState: 'OnBreak',
        startTime: '2026-05-15T14:30:00Z',
        endTime: '2026-05-15T14:45:00Z',
      }),
    );
    expect(next.body.processingStatus).toBe('APPLIED');
  });

  it("flags an event crossing the agent's local midnight and applies it only after the rollover delay", async () => {
    // 23:30 to 00:30 in Los Angeles (PDT, UTC-7).
    const res = await post(event({ startTime: '2026-05-16T06:30:00Z', endTime: '2026-05-16T07:30:00Z' }));
    expect(res.body).toMatchObject({
      crossesMidnight: true,
      midnight: '2026-05-16T07:00:00.000Z',
      processingStatus: 'QUEUED_FOR_ROLLOVER',
    });
    expect((await dashboard()).adherenceState).toBeNull();
    sandbox.clock.advance(300_000);
    expect((await dashboard()).adherenceState).toBe('InSession');
    // Split at midnight, nothing is flagged.
    const before = await post(
      event({ adherenceState: 'OnCall', startTime: '2026-05-17T06:30:00Z', endTime: '2026-05-17T07:00:00Z' }),
    );
    const after = await post(
      event({ adherenceState: 'OnCall', startTime: '2026-05-17T07:00:00Z', endTime: '2026-05-17T07:30:00Z' }),
    );
    expect([before.body.processingStatus, after.body.processingStatus]).toEqual(['APPLIED', 'APPLIED']);
    expect((await agentState()).counts.crossingMidnight).toBe(1);
  });

  it('queues a transition the state matrix does not allow for reconciliation', async () => {
    await post(
      event({
        adherenceState: 'Scheduled',
        startTime: '2026-05-15T14:00:00Z',
        endTime: '2026-05-15T14:00:00Z',
      }),
    );
    const skip = await post(
      event({
        adherenceState: 'OnBreak',
        startTime: '2026-05-15T14:05:00Z',
        endTime: '2026-05-15T14:05:00Z',
      }),
    );
    expect(skip.body).toMatchObject({
      processingStatus: 'QUEUED_FOR_RECONCILIATION',
      transitionFrom: 'Scheduled',
    });
    expect((await dashboard()).adherenceState).toBe('Scheduled');
    sandbox.clock.advance(120_000);
    expect((await dashboard()).adherenceState).toBe('OnBreak');
  });

  it('shows injected drift on the dashboard until a new event is applied', async () => {
    await post(event({ adherenceState: 'InSession' }));
    await sandbox.admin.fixtures({ adherenceStates: [{ agentId: AGENT, adherenceState: 'Unavailable' }] });
    expect(await dashboard()).toMatchObject({ adherenceState: 'Unavailable', source: 'fixture' });
    // A re-push of the acknowledged state repairs it.
    const repush = await post(
      event({
        adherenceState: 'InSession',
        startTime: '2026-05-15T14:02:00Z',
        endTime: '2026-05-15T14:02:00Z',
      }),
    );
    expect(repush.body.processingStatus).toBe('APPLIED');
    expect(await dashboard()).toMatchObject({ adherenceState: 'InSession', source: 'event' });
  });

  it('counts a scheduleType that differs from the agent schedule and exposes the schedule', async () => {
    await post(event({ scheduleType: 'Overtime' }));
    expect((await agentState()).counts.scheduleTypeMismatches).toBe(1);
    const schedule = await call(sandbox.base, 'GET', `/api/v2/wem/adherence/agents/${AGENT}/schedule`, {
      token: sandbox.token,
    });
    expect(schedule.body).toEqual({
      agentId: AGENT,
      scheduleType: 'Regular',
      timezone: 'America/Los_Angeles',
    });
  });
});

describe('performance export (spec 004)', () => {
  it('pages through fixture rows in date, agent order with nextUri', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      agentId: `a${i}`,
      date: '2026-05-14',
      csatFiveStar: i,
    }));
    await sandbox.admin.fixtures({ performance: [...rows, { agentId: 'z', date: '2026-05-13' }] });
    const first = await call(
      sandbox.base,
      'GET',
      '/api/v2/wfm/exports/performance?dateFrom=2026-05-14&pageSize=2',
      {
        token: sandbox.token,
      },
    );
    expect(first.body).toMatchObject({
      pageNumber: 1,
      pageSize: 2,
      total: 5,
      pageCount: 3,
      exportVersion: 'v2.1',
    });
    expect(first.body.entities.map((r: { agentId: string }) => r.agentId)).toEqual(['a0', 'a1']);
    const seen = [...first.body.entities];
    let next = first.body.nextUri as string | undefined;
    while (next) {
      const page = await call(sandbox.base, 'GET', next, { token: sandbox.token });
      seen.push(...page.body.entities);
      next = page.body.nextUri;
    }
    expect(seen.map((r) => r.agentId)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(
      (
        await call(sandbox.base, 'GET', '/api/v2/wfm/exports/performance?pageSize=500', {
          token: sandbox.token,
        })
      ).status,
    ).toBe(400);
  });
});
