import { call, useVendorSandbox } from './helpers';

const USER = 'user-ny';
const fixtures = {
  users: [{ id: USER, timezone: 'America/New_York' }],
  shifts: [
    {
      id: 'shift-a',
      userId: USER,
      startTime: '2024-11-20T08:00:00.000Z',
      endTime: '2024-11-20T16:00:00.000Z',
      shiftType: 'REGULAR',
    },
    {
      id: 'shift-b',
      userId: USER,
      startTime: '2024-11-20T16:00:00.000Z',
      endTime: '2024-11-20T20:00:00.000Z',
      shiftType: 'SPLIT',
    },
    {
      id: 'shift-c',
      userId: USER,
      startTime: '2024-11-21T22:00:00.000Z',
      endTime: '2024-11-22T06:00:00.000Z',
      shiftType: 'REGULAR',
    },
    {
      id: 'shift-other',
      userId: 'someone-else',
      startTime: '2024-11-20T08:00:00.000Z',
      endTime: '2024-11-20T16:00:00.000Z',
      shiftType: 'REGULAR',
    },
  ],
  reasonCodes: [{ id: 'reason-code-pto-001', name: 'Paid Time Off' }],
};
const override = (over: Record<string, unknown> = {}) => ({
  overrideType: 'REMOVE',
  userId: USER,
  shiftId: 'shift-a',
  startTime: '2024-11-20T08:00:00.000Z',
  endTime: '2024-11-20T16:00:00.000Z',
  reasonCodeId: 'reason-code-pto-001',
  notes: 'Auto-generated from Time-Off Request r1',
  idempotencyKey: 'wfm:override:r1:shift-a',
  ...over,
});
const post = (body: unknown) =>
  call(sandbox.base, 'POST', '/api/v2/wfm/scheduling/overrides', { token: sandbox.token, body });
const shiftsBetween = (start: string, end: string, userId = USER) =>
  call(
    sandbox.base,
    'GET',
    `/api/v2/wfm/scheduling/shifts?${new URLSearchParams({ userId, startTime: start, endTime: end })}`,
    {
      token: sandbox.token,
    },
  );

const sandbox = useVendorSandbox('genesys', { fixtures });

describe('genesys users, shifts and reason codes', () => {
  it('returns a user with its IANA time zone, 404 for an unknown one', async () => {
    expect(
      (await call(sandbox.base, 'GET', `/api/v2/users/${USER}`, { token: sandbox.token })).body,
    ).toMatchObject({
      id: USER,
      timezone: 'America/New_York',
    });
    expect((await call(sandbox.base, 'GET', '/api/v2/users/nobody', { token: sandbox.token })).status).toBe(
      404,
    );
  });

  it('returns shifts overlapping [startTime, endTime), for that user only', async () => {
    const day = await shiftsBetween('2024-11-20T00:00:00Z', '2024-11-21T00:00:00Z');
    expect(day.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift-a', 'shift-b']);
    expect(day.body.shifts[0]).toEqual({
      id: 'shift-a',
      userId: USER,
      startTime: '2024-11-20T08:00:00.000Z',
      endTime: '2024-11-20T16:00:00.000Z',
      shiftType: 'REGULAR',
      timezone: 'America/New_York',
    });
    // A shift ending exactly at the window start does not overlap it; one crossing midnight does.
    const evening = await shiftsBetween('2024-11-20T16:00:00Z', '2024-11-22T00:00:00Z');
    expect(evening.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift-b', 'shift-c']);
    const offsetQuery = await shiftsBetween('2024-11-22T05:00:00+05:30', '2024-11-22T06:00:00+05:30');
    expect(offsetQuery.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift-c']);
  });

  it('rejects shift queries without the required parameters or with local timestamps', async () => {
    expect(
      (
        await call(sandbox.base, 'GET', '/api/v2/wfm/scheduling/shifts?startTime=2024-11-20T00:00:00Z', {
          token: sandbox.token,
        })
      ).status,
    ).toBe(400);
    const local = await shiftsBetween('2024-11-20T00:00:00', '2024-11-21T00:00:00Z');
    expect(local.status).toBe(400);
    expect(local.body.message).toContain('startTime');
  });

  it('lists reason codes as { reasonCodes: [{ id, name }] }', async () => {
    const res = await call(sandbox.base, 'GET', '/api/v2/wfm/reasoncodes', { token: sandbox.token });
    const reasonCodes = [{ id: 'reason-code-pto-001', name: 'Paid Time Off' }];
    // One page (the default listPageSize); the paging fields are genesys-list-pages.test.ts's.
    expect(res.body).toEqual({ reasonCodes, entities: reasonCodes, pageNumber: 1, pageSize: 10_000 });
  });

  it('rejects invalid fixtures with 400 and the offending path', async () => {
    const res = await call(sandbox.base, 'POST', '/_admin/fixtures', {
      body: { users: [{ id: 'u', timezone: 'Mars/Olympus' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('users.0.timezone');
  });
});

describe('genesys shift overrides', () => {
  it('creates a REMOVE override (201) and lists it by user', async () => {
    const created = await post(override());
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^override-/);
    const listed = await call(sandbox.base, 'GET', `/api/v2/wfm/scheduling/overrides?userId=${USER}`, {
      token: sandbox.token,
    });
    expect(listed.body).toMatchObject({ pageNumber: 1 });
    expect(listed.body.entities).toEqual(listed.body.overrides);
    expect(listed.body.nextUri).toBeUndefined();
    expect(listed.body).toMatchObject({
      overrides: [
        {
          id: created.body.id,
          overrideType: 'REMOVE',
          userId: USER,
          shiftId: 'shift-a',
          startTime: '2024-11-20T08:00:00.000Z',
          endTime: '2024-11-20T16:00:00.000Z',
          reasonCodeId: 'reason-code-pto-001',
          notes: 'Auto-generated from Time-Off Request r1',
          idempotencyKey: 'wfm:override:r1:shift-a',
        },
      ],
    });
    expect(
      (
        await call(sandbox.base, 'GET', '/api/v2/wfm/scheduling/overrides?userId=someone-else', {
          token: sandbox.token,
        })
      ).body.overrides,
    ).toEqual([]);
  });

  it('accepts a partial window inside the shift', async () => {
    const res = await post(override({ startTime: '2024-11-20T12:00:00Z', endTime: '2024-11-20T16:00:00Z' }));
    expect(res.status).toBe(201);
    expect(res.body.startTime).toBe('2024-11-20T12:00:00.000Z');
  });

  it.each([
    ['a window outside the shift', { startTime: '2024-11-20T07:00:00Z' }, 'outside'],
    ['a missing reason code', { reasonCodeId: undefined }, 'reasonCodeId'],
    ['an unknown reason code', { reasonCodeId: 'generic' }, 'Unknown reasonCodeId'],
    ['an override type other than REMOVE', { overrideType: 'ADD' }, 'REMOVE'],
    ['a timestamp without offset', { endTime: '2024-11-20T16:00:00' }, 'endTime'],
    [
      'an end before the start',
      { startTime: '2024-11-20T15:00:00Z', endTime: '2024-11-20T09:00:00Z' },
      'before',
    ],
    ['a shift of another user', { shiftId: 'shift-other' }, 'does not belong'],
    ['an unknown shift', { shiftId: 'shift-zzz' }, 'Unknown shiftId'],
  ])('answers 400 for %s', async (_label, change, message) => {
    const res = await post(override(change));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad.request');
    expect(res.body.message).toContain(message);
  });

  it('returns the existing override (200) for a duplicate idempotency key and creates nothing', async () => {
    const first = await post(override());
    const again = await post(override());
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.overrides).toHaveLength(1);
    expect(state.body.counters).toMatchObject({ overridesCreated: 1, overrideReplays: 1 });
  });

  it('answers 409 when an overlapping override with another key exists on the shift', async () => {
    expect((await post(override())).status).toBe(201);
    const clash = await post(
      override({ idempotencyKey: 'wfm:override:r2:shift-a', startTime: '2024-11-20T12:00:00Z' }),
    );
    expect(clash.status).toBe(409);
    expect(clash.body.conflictingOverrideId).toBeDefined();
  });

  it('answers 409 once when a planner edits the shift during submission; the re-read shift then works', async () => {
    await shiftsBetween('2024-11-20T00:00:00Z', '2024-11-21T00:00:00Z');
    await sandbox.admin.fixtures({ shiftEdits: [{ shiftId: 'shift-a', startTime: '2024-11-20T10:00:00Z' }] });
    const conflict = await post(override());
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('conflict');
    // Retrying blindly keeps failing until the shift is re-read (spec 001 section 4 trap).
    expect((await post(override())).status).toBe(409);
    const reread = await shiftsBetween('2024-11-20T00:00:00Z', '2024-11-21T00:00:00Z');
    expect(reread.body.shifts[0].startTime).toBe('2024-11-20T10:00:00.000Z');
    expect((await post(override())).status).toBe(400); // the old window now lies outside the shift
    expect((await post(override({ startTime: '2024-11-20T10:00:00Z' }))).status).toBe(201);
  });

  it('answers 409 when a fixture changed the shift after it was read', async () => {
    await shiftsBetween('2024-11-20T00:00:00Z', '2024-11-21T00:00:00Z');
    await sandbox.admin.fixtures({ shifts: [{ id: 'shift-a', endTime: '2024-11-20T17:00:00Z' }] });
    expect((await post(override())).status).toBe(409);
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.shifts.find((s: { id: string }) => s.id === 'shift-a')).toMatchObject({
      version: 2,
      lastReadVersion: 1,
    });
  });

  it('deletes an override (204), then 404; the key is free again', async () => {
    const created = await post(override());
    const deleted = await call(
      sandbox.base,
      'DELETE',
      `/api/v2/wfm/scheduling/overrides/${created.body.id}`,
      {
        token: sandbox.token,
      },
    );
    expect(deleted.status).toBe(204);
    expect(
      (
        await call(sandbox.base, 'DELETE', `/api/v2/wfm/scheduling/overrides/${created.body.id}`, {
          token: sandbox.token,
        })
      ).status,
    ).toBe(404);
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.overrides).toEqual([]);
    expect(state.body.deletedOverrides).toHaveLength(1);
    expect((await post(override())).status).toBe(201);
  });
});
