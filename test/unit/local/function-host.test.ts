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

describe("a local function pool's memory probe", () => {
  it("adds up its instances' heaps, and can read them after a full collection in each", async () => {
    const pool = await FunctionPool.start(
      'remaining-time',
      declaration,
      { PATH: process.env.PATH ?? '' },
      2,
      {
        logFile,
      },
    );
    try {
      await pool.invoke({});
      const [one, asIs, collected] = [
        await FunctionPool.start('remaining-time', declaration, { PATH: process.env.PATH ?? '' }, 1, {
          logFile,
        }).then(async (single) => {
          try {
            return await single.heap(true);
          } finally {
            await single.stop();
          }
        }),
        await pool.heap(),
        await pool.heap(true),
      ];
      for (const heap of [one, asIs, collected]) {
        expect(heap.used).toBeGreaterThan(1024 * 1024);
        expect(heap.used).toBeLessThanOrEqual(heap.total);
        expect(heap.young).toBeGreaterThan(0);
        expect(heap.young).toBeLessThan(heap.total);
      }
      // Two instances hold about twice what one does.
      expect(collected.used).toBeGreaterThan(1.5 * one.used);
      expect(collected.used).toBeLessThanOrEqual(asIs.used + 1024 * 1024);
    } finally {
      await pool.stop();
    }
  }, 60_000);
});
