/**
 * One contract for the Genesys scheduling port, run against the in-memory fake and against the real adapter
 * talking HTTP to the Genesys sandbox (DESIGN section 3: every adapter paired with a fake of the same behaviour).
 */
import { GenesysSchedulingAdapter } from '../../shared/adapters/genesys/scheduling';
import { FakeGenesysScheduling } from '../../shared/adapters/genesys/scheduling.fake';
import {
  OverrideConflict,
  OverrideRejected,
  type GenesysScheduling,
} from '../../shared/domain/shift-overrides/ports';
import { ResourceNotFound, VendorContractBreach } from '../../shared/errors';
import { systemClock } from '../../shared/ports/clock';
import { useGenesysSandbox } from '../helpers/genesys-sandbox';

interface Fixture {
  users: { id: string; timezone: string }[];
  shifts: { id: string; userId: string; startTime: string; endTime: string; shiftType: string }[];
  reasonCodes: { id: string; name: string }[];
}

interface Subject {
  port: GenesysScheduling;
  load(f: Fixture): Promise<void>;
  /** The next override POST for this shift answers 409 after the shift changes (a planner's edit). */
  editShiftOnNextPost(shiftId: string, startTime: string): Promise<void>;
  /** The vendor serves its lists this many items a page (the fake has no pages: every list is whole). */
  servePagesOf(size: number): Promise<void>;
}

const genesys = useGenesysSandbox();

const subjects: [string, () => Promise<Subject>][] = [
  [
    'fake',
    async () => {
      const fake = new FakeGenesysScheduling();
      return {
        port: fake,
        load: async (f) => {
          for (const u of f.users) fake.users.set(u.id, u.timezone);
          for (const s of f.shifts) fake.shiftsById.set(s.id, s);
          for (const c of f.reasonCodes) fake.reasonCodes.add(c.id);
        },
        editShiftOnNextPost: async (shiftId, startTime) => {
          fake.conflictOnce.set(shiftId, { startTime });
        },
        servePagesOf: async () => undefined,
      };
    },
  ],
  [
    'adapter against the sandbox',
    async () => {
      const { admin, http } = await genesys.connect();
      await admin.config({ listPageSize: 10_000 }); // the sandbox's default: one page per list
      return {
        port: new GenesysSchedulingAdapter(http, systemClock),
        load: async (f) => {
          await admin.fixtures(f);
        },
        editShiftOnNextPost: async (shiftId, startTime) => {
          await admin.fixtures({ shiftEdits: [{ shiftId, startTime }] });
        },
        servePagesOf: async (size) => {
          await admin.config({ listPageSize: size });
        },
      };
    },
  ],
];

describe.each(subjects)('Genesys scheduling contract: %s', (_name, make) => {
  let subject: Subject;
  const id = () => Math.random().toString(36).slice(2, 9);
  let user: string;
  let shift: string;

  beforeEach(async () => {
    subject = await make();
    user = `u-${id()}`;
    shift = `s-${id()}`;
    await subject.load({
      users: [{ id: user, timezone: 'Europe/London' }],
      shifts: [
        {
          id: shift,
          userId: user,
          startTime: '2026-03-29T08:00:00.000Z',
          endTime: '2026-03-29T16:00:00.000Z',
          shiftType: 'REGULAR',
        },
      ],
      reasonCodes: [{ id: 'reason-code-pto-001', name: 'PTO' }],
    });
  });

  const override = (overrides: Partial<Parameters<GenesysScheduling['createOverride']>[0]> = {}) => ({
    overrideType: 'REMOVE' as const,
    userId: user,
    shiftId: shift,
    startTime: '2026-03-29T08:00:00.000Z',
    endTime: '2026-03-29T16:00:00.000Z',
    reasonCodeId: 'reason-code-pto-001',
    notes: 'Auto-generated from Time-Off Request r',
    idempotencyKey: `wfm:override:r-${id()}:${shift}`,
    ...overrides,
  });

  it("returns the user's IANA time zone", async () => {
    expect(await subject.port.userTimeZone(user)).toBe('Europe/London');
  });

  it('answers an unknown user (404) with ResourceNotFound: spec 000 "log and skip"', async () => {
    const missing = subject.port.userTimeZone(`u-missing-${id()}`);
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(missing).rejects.toMatchObject({ resource: expect.stringContaining('u-missing-') });
  });

  it('returns shifts overlapping the window, and none outside it', async () => {
    expect(
      (await subject.port.shifts(user, '2026-03-29T15:00:00Z', '2026-03-30T00:00:00Z')).map((s) => s.id),
    ).toEqual([shift]);
    expect(await subject.port.shifts(user, '2026-03-29T16:00:00Z', '2026-03-30T00:00:00Z')).toEqual([]);
  });

  it('lists reason codes', async () => {
    expect((await subject.port.reasonCodeIds()).has('reason-code-pto-001')).toBe(true);
  });

  it('creates an override once per idempotency key and lists it', async () => {
    const o = override();
    const first = await subject.port.createOverride(o);
    expect(first.override).toMatchObject({
      shiftId: shift,
      reasonCodeId: 'reason-code-pto-001',
      idempotencyKey: o.idempotencyKey,
    });
    const again = await subject.port.createOverride(o);
    expect(again.override.id).toBe(first.override.id);
    expect((await subject.port.overrides(user)).map((x) => x.id)).toEqual([first.override.id]);
  });

  it('rejects a window outside the shift and an unknown reason code (400)', async () => {
    await expect(
      subject.port.createOverride(override({ endTime: '2026-03-29T17:00:00.000Z' })),
    ).rejects.toBeInstanceOf(OverrideRejected);
    await expect(subject.port.createOverride(override({ reasonCodeId: 'nope' }))).rejects.toBeInstanceOf(
      OverrideRejected,
    );
  });

  it('answers 409 when the shift changed, and the re-read shift shows the change', async () => {
    await subject.editShiftOnNextPost(shift, '2026-03-29T10:00:00.000Z');
    await expect(subject.port.createOverride(override())).rejects.toBeInstanceOf(OverrideConflict);
    const [reread] = await subject.port.shifts(user, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z');
    expect(Date.parse(reread!.startTime)).toBe(Date.parse('2026-03-29T10:00:00Z'));
  });

  it('deletes an override, and deleting it again is not an error (404)', async () => {
    const { override: o } = await subject.port.createOverride(override());
    expect((await subject.port.deleteOverride(o.id)).status).toBeLessThan(300);
    expect((await subject.port.deleteOverride(o.id)).status).toBe(404);
    expect(await subject.port.overrides(user)).toEqual([]);
  });

  describe('lists longer than a page (spec 000 pagination)', () => {
    let later: string[];
    beforeEach(async () => {
      later = [`s-${id()}`, `s-${id()}`];
      await subject.load({
        users: [],
        shifts: later.map((laterShift, i) => ({
          id: laterShift,
          userId: user,
          startTime: `2026-03-3${i}T08:00:00.000Z`,
          endTime: `2026-03-3${i}T16:00:00.000Z`,
          shiftType: 'REGULAR',
        })),
        reasonCodes: [
          { id: 'reason-code-sick-002', name: 'Sick' },
          { id: 'reason-code-training-003', name: 'Training' },
        ],
      });
    });

    it('reads every shift and every reason code, one item a page', async () => {
      await subject.servePagesOf(1);
      expect(
        (await subject.port.shifts(user, '2026-03-29T00:00:00Z', '2026-04-01T00:00:00Z')).map((s) => s.id),
      ).toEqual([shift, ...later]);
      expect([...(await subject.port.reasonCodeIds())].sort()).toEqual([
        'reason-code-pto-001',
        'reason-code-sick-002',
        'reason-code-training-003',
      ]);
    });

    it('reads every override, so one on page 2 is found and not created again', async () => {
      const first = await subject.port.createOverride(override());
      const onPage2 = override({
        shiftId: later[0],
        startTime: '2026-03-30T08:00:00.000Z',
        endTime: '2026-03-30T16:00:00.000Z',
        idempotencyKey: `wfm:override:r-${id()}:${later[0]}`,
      });
      const second = await subject.port.createOverride(onPage2);
      await subject.servePagesOf(1);

      const listed = await subject.port.overrides(user);
      expect(listed.map((o) => o.id)).toEqual([first.override.id, second.override.id]);
      // The workflow's dedupe (spec 001: query existing overrides first) looks the key up in this list.
      expect(listed.find((o) => o.idempotencyKey === onPage2.idempotencyKey)?.id).toBe(second.override.id);
    });
  });
});

describe('Genesys scheduling adapter: answers that break their contract', () => {
  const path = '/api/v2/wfm/scheduling/shifts';
  let adapter: GenesysScheduling;
  let admin: Awaited<ReturnType<typeof genesys.connect>>['admin'];
  const userId = `u-${Math.random().toString(36).slice(2, 9)}`;

  beforeEach(async () => {
    const connected = await genesys.connect();
    admin = connected.admin;
    adapter = new GenesysSchedulingAdapter(connected.http, systemClock);
    await admin.fixtures({
      users: [{ id: userId, timezone: 'Europe/London' }],
      shifts: [
        {
          id: `s-${userId}`,
          userId,
          startTime: '2026-03-29T08:00:00.000Z',
          endTime: '2026-03-29T16:00:00.000Z',
          shiftType: 'REGULAR',
        },
      ],
    });
  });

  it('fails with VENDOR_CONTRACT_BREACH naming the field when a shift has no offset on its start', async () => {
    await admin.faults([
      {
        method: 'GET',
        path,
        status: 200,
        times: 1,
        body: {
          entities: [{ id: 's1', userId, startTime: '2026-03-29T08:00:00', endTime: '2026-03-29T16:00:00Z' }],
        },
      },
    ]);
    const read = adapter.shifts(userId, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z');
    await expect(read).rejects.toBeInstanceOf(VendorContractBreach);
    await expect(read).rejects.toMatchObject({
      reason: 'VENDOR_CONTRACT_BREACH',
      message: expect.stringMatching(/GET \/api\/v2\/wfm\/scheduling\/shifts.*0\.startTime/),
    });
  });

  it('fails with VENDOR_CONTRACT_BREACH when a user answer carries a non-string time zone', async () => {
    await admin.faults([
      { method: 'GET', path: `/api/v2/users/${userId}`, status: 200, times: 1, body: { timezone: 42 } },
    ]);
    await expect(adapter.userTimeZone(userId)).rejects.toMatchObject({
      reason: 'VENDOR_CONTRACT_BREACH',
      message: expect.stringContaining('timezone'),
    });
  });
});
