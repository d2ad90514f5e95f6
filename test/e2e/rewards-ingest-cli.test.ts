/**
 * `wfm-bridge rewards ingest` against the local runtime: a dry run loads nothing, `--apply` loads once, a rerun
 * is a no-op; the progress it prints is the function's own (test/unit/cli/rewards-ingest.test.ts shows each day).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatInTimeZone } from 'date-fns-tz';
import { DynamoDbRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store';
import { addDays } from '../../shared/domain/time/local-days';
import type { IngestionSummary } from '../../shared/domain/reward-triggers/ingest';
import { ddb, local, sandbox } from '../helpers/local';

const run = promisify(execFile);
const genesys = sandbox('genesys');
const today = formatInTimeZone(Date.now(), 'America/New_York', 'yyyy-MM-dd');
const yesterday = addDays(today, -1);
const uid = (label: string) =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

async function rewardsCli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(
      'node',
      ['cli/bin.cjs', 'rewards', ...args, '--local-url', local().gatewayUrl],
      { cwd: join(__dirname, '../..') },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const ledger = () => new DynamoDbRewardLedgerStore(ddb(), local().tables.State!);

describe('rewards ingest CLI on the local runtime', () => {
  const agentId = uid('cli-agent');

  beforeAll(async () => {
    // 3 and 2 five-star ratings: 30 and 20 points, far from any reward tier.
    await genesys.fixtures({
      performance: [
        { agentId, date: yesterday, csatFiveStar: 3, complianceViolations: 0, ahtCompliancePct: 90 },
        { agentId, date: today, csatFiveStar: 2, complianceViolations: 0, ahtCompliancePct: 90 },
      ],
    });
  });

  it('a dry run reads and reports, loads nothing, and shows the days as the function finishes them', async () => {
    const dry = await rewardsCli('ingest', '--from', yesterday, '--to', today);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`Dry run ${yesterday}..${today} on local`);
    // The function's own reports, polled while it runs, end with the summary's count (a short run may finish
    // before the CLI's first poll, so the earlier days are not asserted here: the unit test shows each day).
    const rowsRead = /rows read\s+(\d+)/.exec(dry.stdout)?.[1];
    expect(Number(rowsRead)).toBeGreaterThanOrEqual(2);
    expect(dry.stderr).toContain(`day 2/2 done: ${rowsRead} rows read`);
    expect(dry.stdout).toMatch(/rows that would load\s+[1-9]/);
    expect(dry.stdout).toContain('Dry run: nothing was loaded or enqueued');
    expect(await ledger().entries(agentId)).toEqual([]);
    expect(await ledger().rowBooking(agentId, today)).toBeUndefined();
  }, 120_000);

  it('--apply loads the rows once; run again, it loads nothing more', async () => {
    const applied = await rewardsCli('ingest', '--from', yesterday, '--to', today, '--apply', '--json');
    expect(applied.code).toBe(0);
    const first = JSON.parse(applied.stdout) as IngestionSummary;
    expect(first).toMatchObject({ from: yesterday, to: today, dryRun: false, daysRead: 2, failedDays: [] });
    expect(first.rowsLoaded).toBeGreaterThanOrEqual(2);
    expect(first.agentsEvaluated).toBeGreaterThanOrEqual(1);
    expect((await ledger().entries(agentId)).map((e) => [e.date, e.delta])).toEqual([
      [yesterday, 30],
      [today, 20],
    ]);

    const again = await rewardsCli('ingest', '--from', yesterday, '--to', today, '--apply', '--json');
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as IngestionSummary;
    expect(second.rowsUnchanged).toBeGreaterThanOrEqual(2);
    expect(await ledger().entries(agentId)).toHaveLength(2);
  }, 120_000);

  it('the function refuses a range that ends in the future (the CLI cannot know the export time zone)', async () => {
    const future = addDays(today, 2);
    const refused = await rewardsCli('ingest', '--from', today, '--to', future);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--to ${future} is after today`);
  }, 120_000);
});
