/** `wfm-bridge rewards ingest`: argument checks (before anything is reached) and the progress polling. */
import type { Command } from 'commander';
import { buildProgram } from '../../../cli/main';
import { runIngestion } from '../../../cli/rewards/ingest';
import { IngestionRunFailed, type IngestionTarget } from '../../../cli/rewards/target';
import type { IngestionRequest, IngestionSummary } from '../../../shared/domain/reward-triggers/ingest';
import {
  checkOperatorRange,
  daysInRange,
  InvalidIngestionRange,
} from '../../../shared/domain/reward-triggers/operator-range';
import type { IngestionProgressReport } from '../../../shared/domain/reward-triggers/ports';

describe('the operator range', () => {
  it.each([
    ['2026-05-01', '2026-05-14', undefined],
    ['2026-05-14', '2026-05-14', '2026-05-14'],
    ['2026-02-15', '2026-05-15', undefined], // exactly 90 days
    ['2024-02-29', '2024-03-01', undefined], // a leap day
  ])('accepts %s..%s (today %s)', (from, to, today) => {
    expect(checkOperatorRange(from, to, today)).toEqual({ from, to });
  });

  it.each([
    [undefined, '2026-05-14', /both --from and --to/],
    ['2026-05-01', undefined, /both --from and --to/],
    ['2026-5-1', '2026-05-14', /--from "2026-5-1" is not a calendar date/],
    ['2026-05-01', '14/05/2026', /--to "14\/05\/2026" is not a calendar date/],
    ['2026-02-30', '2026-03-01', /--from "2026-02-30" is not a calendar date/],
    ['2025-02-29', '2025-03-01', /not a calendar date/],
    ['2026-05-15', '2026-05-14', /--from 2026-05-15 is after --to 2026-05-14/],
    ['2026-02-14', '2026-05-15', /is 91 days; at most 90/],
  ])('refuses %s..%s', (from, to, message) => {
    expect(() => checkOperatorRange(from, to)).toThrow(InvalidIngestionRange);
    expect(() => checkOperatorRange(from, to)).toThrow(message);
  });

  it('refuses a range that ends after today in the export time zone', () => {
    expect(() => checkOperatorRange('2026-05-14', '2026-05-16', '2026-05-15')).toThrow(
      /--to 2026-05-16 is after today \(2026-05-15/,
    );
  });

  it('counts both ends', () => {
    expect(daysInRange('2026-03-28', '2026-03-30')).toBe(3);
    expect(daysInRange('2026-01-01', '2026-01-01')).toBe(1);
  });
});

describe('rewards ingest arguments', () => {
  let stderr: string;
  let spy: jest.SpyInstance;
  beforeEach(() => {
    stderr = '';
    process.exitCode = undefined;
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    spy.mockRestore();
    process.exitCode = undefined;
  });

  /** Commander exits the process on a usage error unless every (sub)command throws instead. */
  const throwing = (c: Command): Command => {
    c.exitOverride();
    c.commands.forEach(throwing);
    return c;
  };
  const cli = (...args: string[]) =>
    throwing(buildProgram()).parseAsync(['node', 'wfm-bridge', 'rewards', 'ingest', ...args]);

  it.each([
    [['--local', '--from', '2026-05-15', '--to', '2026-05-01'], /after --to/],
    [['--local', '--from', '2026-01-01', '--to', '2026-05-01'], /121 days; at most 90/],
    [['--local', '--from', 'yesterday', '--to', '2026-05-01'], /"yesterday" is not a calendar date/],
    [['--local', '--to', '2026-05-01'], /both --from and --to/],
  ])('%j exits 2 with the reason, before reaching any runtime', async (args, message) => {
    await cli(...args);
    expect(process.exitCode).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/npm start|outputs/);
  });

  it('says where to run when neither --stage nor --local is given', async () => {
    await cli('--from', '2026-05-01', '--to', '2026-05-02');
    expect(process.exitCode).toBe(2);
    expect(stderr).toMatch(/--stage <stage>.*--local/);
  });

  it('refuses an unknown flag (there is no --yes: loading is --apply)', async () => {
    await expect(cli('--local', '--from', '2026-05-01', '--to', '2026-05-02', '--yes')).rejects.toThrow(
      /unknown option '--yes'/,
    );
  });
});

const summary = (request: IngestionRequest): IngestionSummary => ({
  from: request.from!,
  to: request.to!,
  dryRun: request.dryRun!,
  ruleVersion: 'v1',
  daysRead: 2,
  rowsRead: 4,
  rowsLoaded: 4,
  rowsUnchanged: 0,
  rowsRejected: 0,
  malformed: [],
  ledgerEntriesWritten: 4,
  agentsEvaluated: 2,
  failedDays: [],
  durationMs: 12,
  watermark: undefined,
  resumeFrom: undefined,
});

/** A function that reports each day into a store the CLI polls, taking `dayMs` per day. */
function slowTarget(days: number, dayMs: number, fail?: string) {
  const store = new Map<string, IngestionProgressReport>();
  const requests: IngestionRequest[] = [];
  const target: IngestionTarget = {
    label: 'test',
    invoke: async (request) => {
      requests.push(request);
      for (let d = 0; d <= days; d++) {
        store.set(request.runId!, {
          daysTotal: days,
          daysDone: d,
          rowsRead: 2 * d,
          rowsLoaded: 2 * d,
          rowsRejected: 0,
        });
        if (d < days) await new Promise((r) => setTimeout(r, dayMs));
      }
      if (fail) throw new IngestionRunFailed(fail);
      return summary(request);
    },
    progress: async (runId) => store.get(runId),
  };
  return { target, requests };
}

describe('runIngestion', () => {
  it('passes the range, dry run and a fresh run id, and relays each day the function reports', async () => {
    const { target, requests } = slowTarget(3, 60);
    const seen: number[] = [];
    const run = await runIngestion({
      target,
      from: '2026-05-01',
      to: '2026-05-03',
      dryRun: true,
      pollMs: 10,
      onProgress: (p) => seen.push(p.daysDone),
    });
    expect(requests).toEqual([{ from: '2026-05-01', to: '2026-05-03', dryRun: true, runId: run.runId }]);
    expect(run.runId).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(run.summary).toMatchObject({ rowsLoaded: 4, dryRun: true });
  });

  it('answers the failure and how far the run got', async () => {
    const { target } = slowTarget(2, 20, 'EXPORT_TOTAL_MISMATCH on 2026-05-02');
    const run = await runIngestion({
      target,
      from: '2026-05-01',
      to: '2026-05-02',
      dryRun: false,
      pollMs: 5,
    });
    expect(run.error).toBeInstanceOf(IngestionRunFailed);
    expect(run.error?.message).toContain('EXPORT_TOTAL_MISMATCH');
    expect(run.lastProgress).toMatchObject({ daysDone: 2, daysTotal: 2 });
    expect(run.summary).toBeUndefined();
  });
});
