import { InMemoryWatermarkStore } from '../../../shared/adapters/aws/watermark-store.fake';
import { RecordedIngestionProgress } from '../../../shared/adapters/aws/ingestion-progress-store.fake';
import { FakePerformanceExport } from '../../../shared/adapters/genesys/performance-export.fake';
import { InMemoryEventPublisher } from '../../../shared/adapters/aws/platform.fake';
import { FakeQueueSender } from '../../../shared/adapters/aws/queue-sender.fake';
import { InMemoryRewardLedgerStore } from '../../../shared/adapters/aws/reward-ledger-store.fake';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import {
  ingestExports,
  scheduledRange,
  STOP_BEFORE_DEADLINE_MS,
  type IngestionDeps,
  type IngestionRange,
} from '../../../shared/domain/reward-triggers/ingest';
import { balance } from '../../../shared/domain/reward-triggers/ledger';
import { PointsRuleDocumentSchema } from '../../../shared/domain/reward-triggers/points-rules.schema';
import { VirtualClock } from '../../helpers/virtual-clock';

const rules = PointsRuleDocumentSchema.parse(LOCAL_POINTS_RULES);

/** A ledger whose booking writes take `bookMs` of the clock's time per row. */
class TimedLedger extends InMemoryRewardLedgerStore {
  constructor(
    private readonly clock: VirtualClock,
    private readonly bookMs: number,
  ) {
    super();
  }

  override async bookAll(...args: Parameters<InMemoryRewardLedgerStore['bookAll']>) {
    this.clock.advance(this.bookMs * args[0].length);
    return super.bookAll(...args);
  }
}

function setup() {
  const reader = new FakePerformanceExport(2);
  const ledger = new InMemoryRewardLedgerStore();
  const watermark = new InMemoryWatermarkStore();
  const evaluations = new FakeQueueSender();
  const events = new InMemoryEventPublisher();
  const deps: IngestionDeps = {
    reader,
    ledger,
    watermark,
    rules: { current: async () => ({ document: rules, version: rules.version }) },
    evaluations,
    events,
    clock: new VirtualClock(),
  };
  return { reader, ledger, watermark, evaluations, events, deps };
}

const row = (agentId: string, date: string, csatFiveStar: number, complianceViolations = 0) => ({
  agentId,
  date,
  csatFiveStar,
  complianceViolations,
  ahtCompliancePct: 91.5,
  agentName: 'Ada Lovelace',
  email: 'ada@example.com',
});

const night: IngestionRange = {
  from: '2026-05-14',
  to: '2026-05-15',
  today: '2026-05-15',
  advanceWatermark: true,
};

describe('reward export ingestion', () => {
  it('reads the last 90 days on a first run, and from the watermark day (inclusive) after', () => {
    expect(scheduledRange(undefined, '2026-05-15', 90)).toEqual({ from: '2026-02-15', to: '2026-05-15' });
    expect(scheduledRange('2026-05-14', '2026-05-15', 90)).toEqual({ from: '2026-05-14', to: '2026-05-15' });
    expect(scheduledRange('2026-05-16', '2026-05-15', 90)).toEqual({ from: '2026-05-15', to: '2026-05-15' });
  });

  it('books each row once however often the night is ingested, and fans out one evaluation per agent moved', async () => {
    const s = setup();
    s.reader.rows.push(
      row('a1', '2026-05-14', 30),
      row('a1', '2026-05-15', 25),
      row('a2', '2026-05-15', 1, 1),
    );
    const first = await ingestExports(night, s.deps);
    expect(first).toMatchObject({ rowsRead: 3, rowsLoaded: 3, rowsRejected: 0, agentsEvaluated: 2 });
    expect(balance(await s.ledger.entries('a1'))).toBe(550);
    expect(balance(await s.ledger.entries('a2'))).toBe(-40);
    expect(s.evaluations.sent.map((m) => JSON.parse(m.body))).toEqual([
      { agentId: 'a1', asOfDate: '2026-05-15' },
      { agentId: 'a2', asOfDate: '2026-05-15' },
    ]);
    expect(s.watermark.value).toBe('2026-05-15');

    const again = await ingestExports(night, s.deps);
    expect(again).toMatchObject({ rowsRead: 3, rowsLoaded: 0, rowsUnchanged: 3, agentsEvaluated: 0 });
    expect(await s.ledger.entries('a1')).toHaveLength(2);
    expect(s.evaluations.sent).toHaveLength(2);
    expect(s.events.events.map((e) => e.type)).toEqual([
      'rewards.ingestion.completed',
      'rewards.ingestion.completed',
    ]);
  });

  it('reports its progress after each day, a day that failed included', async () => {
    const s = setup();
    s.reader.rows.push(row('a1', '2026-05-13', 3), row('a1', '2026-05-14', 3), row('a2', '2026-05-15', 2));
    s.reader.rows.push({ agentId: 'a3', date: '2026-05-15', csatFiveStar: 'many' });
    s.reader.totalOffsets.set('2026-05-14', 1);
    const progress = new RecordedIngestionProgress();
    await ingestExports({ ...night, from: '2026-05-13' }, s.deps, progress);
    expect(progress.reports).toEqual([
      { daysTotal: 3, daysDone: 0, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 },
      { daysTotal: 3, daysDone: 1, rowsRead: 1, rowsLoaded: 1, rowsRejected: 0 },
      { daysTotal: 3, daysDone: 2, rowsRead: 2, rowsLoaded: 1, rowsRejected: 0 },
      { daysTotal: 3, daysDone: 3, rowsRead: 4, rowsLoaded: 2, rowsRejected: 1 },
    ]);
  });

  it('books only the correcting delta when a row comes back with other values', async () => {
    const s = setup();
    s.reader.rows.push(row('a1', '2026-05-15', 6));
    await ingestExports(night, s.deps);
    s.reader.rows[0] = row('a1', '2026-05-15', 4, 1);
    await ingestExports(night, s.deps);
    const entries = await s.ledger.entries('a1');
    expect(entries.map((e) => [e.kind, e.delta])).toEqual([
      ['credit', 60],
      ['debit', -20],
      ['debit', -50],
    ]);
    expect(entries.slice(1).every((e) => e.kind === 'debit' && e.correction)).toBe(true);
  });

  it('two runs at once book each row once', async () => {
    const s = setup();
    for (let i = 0; i < 20; i++) s.reader.rows.push(row(`a${i}`, '2026-05-15', 3));
    await Promise.all([ingestExports(night, s.deps), ingestExports(night, s.deps)]);
    for (let i = 0; i < 20; i++) expect(balance(await s.ledger.entries(`a${i}`))).toBe(30);
  });

  it('skips and reports malformed rows by reference and field, never their values; the rest loads', async () => {
    const s = setup();
    s.reader.rows.push(row('a1', '2026-05-15', 6), { ...row('a2', '2026-05-15', 2), csatFiveStar: 'five' });
    const summary = await ingestExports(night, s.deps);
    expect(summary).toMatchObject({ rowsRead: 2, rowsLoaded: 1, rowsRejected: 1 });
    expect(summary.malformed).toEqual([{ rowRef: '2026-05-15 page 1 row 2', fields: ['csatFiveStar'] }]);
    expect(JSON.stringify(summary)).not.toMatch(/Ada|example\.com|five/);
    expect(await s.ledger.entries('a2')).toEqual([]);
    const completed = s.events.events[0]!;
    expect(completed.detail).toMatchObject({ rowsRejected: 1, malformedRows: summary.malformed });
    expect(JSON.stringify(completed)).not.toMatch(/Ada|example\.com|five/);
  });

  it("loads nothing of a day whose rows do not match the export's total, and keeps the watermark there", async () => {
    const s = setup();
    s.reader.rows.push(row('a1', '2026-05-14', 6), row('a1', '2026-05-15', 7), row('a2', '2026-05-15', 7));
    s.reader.totalOffsets.set('2026-05-15', 1);
    const summary = await ingestExports(night, s.deps);
    expect(summary.failedDays).toEqual([
      expect.objectContaining({ date: '2026-05-15', reason: 'EXPORT_TOTAL_MISMATCH' }),
    ]);
    expect((await s.ledger.entries('a1')).map((e) => e.date)).toEqual(['2026-05-14']);
    expect(await s.ledger.entries('a2')).toEqual([]);
    expect(s.watermark.value).toBe('2026-05-15');
    expect(s.events.events[0]?.detail).toMatchObject({ status: 'failed' });
  });

  it('a dry run books, sends and moves nothing', async () => {
    const s = setup();
    s.reader.rows.push(row('a1', '2026-05-15', 6));
    const summary = await ingestExports({ ...night, dryRun: true }, s.deps);
    expect(summary).toMatchObject({ rowsLoaded: 1, ledgerEntriesWritten: 1, agentsEvaluated: 0 });
    expect(await s.ledger.entries('a1')).toEqual([]);
    expect(s.evaluations.sent).toEqual([]);
    expect(s.watermark.value).toBeUndefined();
    expect(s.events.events).toEqual([]);
  });

  describe("resumable within the invocation's time", () => {
    const days = ['2026-05-11', '2026-05-12', '2026-05-13', '2026-05-14', '2026-05-15'];

    function timedSetup(budgetMs: number, bookMs = 1000) {
      const clock = new VirtualClock();
      const s = setup();
      const ledger = new TimedLedger(clock, bookMs);
      const deadline = clock.now() + budgetMs;
      const deps: IngestionDeps = { ...s.deps, ledger, clock, remainingMs: () => deadline - clock.now() };
      return { ...s, ledger, clock, deps };
    }

    it('stops before the deadline between days, and the next run resumes at the next day, booking no row twice', async () => {
      // Three rows a day at 1 s each: with 10 s beyond the reserve, three days fit and the fourth would not.
      const s = timedSetup(STOP_BEFORE_DEADLINE_MS + 10_000);
      for (const date of days)
        for (const agent of ['a1', 'a2', 'a3']) s.reader.rows.push(row(agent, date, 1));
      const range = { ...night, from: days[0]!, to: days[4]! };

      const first = await ingestExports(range, s.deps);
      expect(first).toMatchObject({ daysRead: 3, rowsLoaded: 9, resumeFrom: '2026-05-14' });
      expect(s.watermark.value).toBe('2026-05-14');
      expect(s.evaluations.sent).toHaveLength(3);
      expect(s.events.events[0]?.detail).toMatchObject({
        status: 'partial',
        resumeFrom: '2026-05-14',
        daysRead: 3,
        daysTotal: 5,
      });

      const pagesOfFirstRun = s.reader.pagesServed.length;
      const next = await ingestExports(
        { ...night, ...scheduledRange(s.watermark.value, days[4]!, 90) },
        { ...s.deps, remainingMs: undefined },
      );
      expect(next).toMatchObject({ from: '2026-05-14', daysRead: 2, rowsLoaded: 6, resumeFrom: undefined });
      expect(new Set(s.reader.pagesServed.slice(pagesOfFirstRun))).toEqual(new Set(days.slice(3)));
      expect(s.watermark.value).toBe('2026-05-15');
      expect(s.events.events[1]?.detail).toMatchObject({ status: 'complete' });
      for (const agent of ['a1', 'a2', 'a3']) {
        const entries = await s.ledger.entries(agent);
        expect(entries.map((e) => e.date)).toEqual(days);
        expect(balance(entries)).toBe(50);
      }
    });

    it('stops inside a long day between chunks; the next run reads the day again and books only the rest', async () => {
      // 250 rows of one day, 1 s each: the first chunk of 100 takes the time beyond the reserve.
      const s = timedSetup(STOP_BEFORE_DEADLINE_MS + 50_000);
      for (let i = 0; i < 250; i++)
        s.reader.rows.push(row(`a${String(i).padStart(3, '0')}`, '2026-05-15', 2));
      const today = { ...night, from: '2026-05-15' };

      const first = await ingestExports(today, s.deps);
      expect(first).toMatchObject({ daysRead: 0, rowsLoaded: 100, resumeFrom: '2026-05-15' });
      expect(s.watermark.value).toBe('2026-05-15');

      const next = await ingestExports(today, { ...s.deps, remainingMs: undefined });
      expect(next).toMatchObject({ daysRead: 1, rowsLoaded: 150, rowsUnchanged: 100, resumeFrom: undefined });
      expect(s.ledger.ledger.size).toBe(250);
      expect(s.ledger.bookings.size).toBe(250);
    });

    it('a day that fails keeps the watermark on it; the days after it still load', async () => {
      const s = setup();
      for (const date of days.slice(2)) s.reader.rows.push(row('a1', date, 1));
      s.reader.totalOffsets.set('2026-05-14', 1);
      const summary = await ingestExports({ ...night, from: '2026-05-13' }, s.deps);
      expect(summary.failedDays.map((d) => d.date)).toEqual(['2026-05-14']);
      expect((await s.ledger.entries('a1')).map((e) => e.date)).toEqual(['2026-05-13', '2026-05-15']);
      expect(s.watermark.value).toBe('2026-05-14');
    });
  });

  it("reads a chunk's bookings in one batch and each agent's ledger head once per run", async () => {
    const s = setup();
    for (const date of ['2026-05-14', '2026-05-15'])
      for (let i = 0; i < 150; i++) s.reader.rows.push(row(`a${i}`, date, 1));
    const heads = jest.spyOn(s.ledger, 'headPosition');
    const single = jest.spyOn(s.ledger, 'rowBooking');
    await ingestExports(night, s.deps);
    expect(s.ledger.batchReads).toBe(4);
    expect(heads).toHaveBeenCalledTimes(150);
    // rowBookings of the fake reads through rowBooking: one per row, none beside the batches.
    expect(single).toHaveBeenCalledTimes(300);
    for (let i = 0; i < 150; i++) expect(balance(await s.ledger.entries(`a${i}`))).toBe(20);
  });

  describe('booking writes', () => {
    it("packs a chunk's changed rows of distinct agents into writes of up to 100 items, not one per row", async () => {
      const s = setup();
      for (const date of ['2026-05-14', '2026-05-15'])
        for (let i = 0; i < 150; i++) s.reader.rows.push(row(`a${i}`, date, 1));
      const summary = await ingestExports(night, s.deps);
      // Per day: a chunk of 100 rows (a booking and one credit each: 200 items, 2 writes), one of 50 (1 write).
      expect(s.ledger.bookingWrites).toBe(6);
      expect(summary).toMatchObject({ rowsLoaded: 300, ledgerEntriesWritten: 300, agentsEvaluated: 150 });
      for (let i = 0; i < 150; i++) {
        const entries = await s.ledger.entries(`a${i}`);
        expect(entries.map((e) => [e.position, e.date])).toEqual([
          [1, '2026-05-14'],
          [2, '2026-05-15'],
        ]);
      }
    });

    it('a write another writer got into first books none of its rows; each is then booked alone, once', async () => {
      const s = setup();
      for (let i = 0; i < 30; i++) s.reader.rows.push(row(`a${i}`, '2026-05-15', 2));
      // Another run books a7's row (same values) and appends to a9's ledger after this run read the chunk.
      const read = s.ledger.rowBookings.bind(s.ledger);
      let interfered = false;
      jest.spyOn(s.ledger, 'rowBookings').mockImplementation(async (rows) => {
        const stored = await read(rows);
        if (!interfered) {
          interfered = true;
          const other = setup();
          other.reader.rows.push(row('a7', '2026-05-15', 2), row('a9', '2026-05-14', 1));
          await ingestExports({ ...night, advanceWatermark: false }, { ...other.deps, ledger: s.ledger });
        }
        return stored;
      });
      const summary = await ingestExports(night, s.deps);
      expect(summary).toMatchObject({ rowsLoaded: 29, rowsUnchanged: 1 });
      // The packed write (conflict), then 30 single ones; the other run's two.
      expect(s.ledger.bookingWrites).toBe(1 + 30 + 2);
      for (let i = 0; i < 30; i++) {
        const expected = i === 9 ? 30 : 20;
        expect(balance(await s.ledger.entries(`a${i}`))).toBe(expected);
      }
      expect((await s.ledger.entries('a9')).map((e) => e.position)).toEqual([1, 2]);
    });

    it('an export that lists an agent twice for a day books the second as a correction of the first', async () => {
      const s = setup();
      s.reader.rows.push(row('a1', '2026-05-15', 3), row('a2', '2026-05-15', 1), row('a1', '2026-05-15', 5));
      const summary = await ingestExports(night, s.deps);
      expect(summary).toMatchObject({ rowsLoaded: 3 });
      expect(balance(await s.ledger.entries('a1'))).toBe(50);
      expect(balance(await s.ledger.entries('a2'))).toBe(10);
    });
  });

  it("reads the next day's export while this day's rows are booked, and holds no more than those two", async () => {
    const s = setup();
    for (const date of ['2026-05-13', '2026-05-14', '2026-05-15']) s.reader.rows.push(row('a1', date, 1));
    const events: string[] = [];
    const readDay = s.reader.readDay.bind(s.reader);
    jest.spyOn(s.reader, 'readDay').mockImplementation((date) => {
      events.push(`read ${date}`);
      return readDay(date);
    });
    const bookAll = s.ledger.bookAll.bind(s.ledger);
    jest.spyOn(s.ledger, 'bookAll').mockImplementation(async (rows) => {
      await new Promise((r) => setImmediate(r));
      events.push(`booked ${rows[0]!.booking.date}`);
      return bookAll(rows);
    });
    await ingestExports({ ...night, from: '2026-05-13' }, s.deps);
    expect(events).toEqual([
      'read 2026-05-13',
      'read 2026-05-14',
      'booked 2026-05-13',
      'read 2026-05-15',
      'booked 2026-05-14',
      'booked 2026-05-15',
    ]);
    expect(balance(await s.ledger.entries('a1'))).toBe(30);
  });
});
