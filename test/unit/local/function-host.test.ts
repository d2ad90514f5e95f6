import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionPool } from '../../../local/function-host';

const declaration = {
  entry: 'test/fixtures/functions/remaining-time.handler.ts',
  timeoutSeconds: 60,
  memoryMb: 512,
};
const logFile = join(mkdtempSync(join(tmpdir(), 'function-host-')), 'remaining-time.log');

async function remainingMsReported(timeoutScale?: number): Promise<number> {
  const pool = await FunctionPool.start('remaining-time', declaration, { PATH: process.env.PATH ?? '' }, 1, {
    logFile,
    ...(timeoutScale !== undefined && { timeoutScale }),
  });
  try {
    return (await pool.invoke<{ remainingMs: number }>({})).remainingMs;
  } finally {
    await pool.stop();
  }
}

describe('the context of a local function instance', () => {
  it('counts down from the declared timeout', async () => {
    const remaining = await remainingMsReported();
    expect(remaining).toBeLessThanOrEqual(60_000);
    expect(remaining).toBeGreaterThan(55_000);
  }, 30_000);

  // Powertools idempotency lets an in-progress record lapse at this time (docs/local-runtime.md, "Crash points").
  it('counts down from the scaled timeout when the pool scales it', async () => {
    const remaining = await remainingMsReported(0.1);
    expect(remaining).toBeLessThanOrEqual(6_000);
    expect(remaining).toBeGreaterThan(1_000);
  }, 30_000);
});
