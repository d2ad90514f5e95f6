import fc from 'fast-check';

/**
 * fast-check parameters for the model-based tests: `npm test` runs `defaultRuns` histories from a seed fast-check
 * picks (and prints with the shrunk history on failure); MODEL_SEED replays a printed seed, MODEL_RUNS widens a run.
 */
export function modelRunParameters(defaultRuns: number): fc.Parameters<unknown> {
  const seed = process.env.MODEL_SEED;
  const path = process.env.MODEL_PATH;
  return {
    numRuns: Number(process.env.MODEL_RUNS ?? defaultRuns),
    ...(seed !== undefined && { seed: Number(seed) }),
    ...(path !== undefined && { path }),
    endOnFailure: false,
  };
}

/** The seed of the end-to-end model runs in `npm test`: the same few histories every time. */
export const MODEL_E2E_SEED = 14;

const e2eRuns = (defaultRuns: number) => Number(process.env.MODEL_E2E_RUNS ?? defaultRuns);
/** A budget of 90 s per history, and MODEL_E2E_SHRINK_MS (default 240 s) to shrink a failure. */
const e2eBudgetMs = (defaultRuns: number) =>
  e2eRuns(defaultRuns) * 90_000 + Number(process.env.MODEL_E2E_SHRINK_MS ?? 240_000);

/**
 * fast-check parameters for the model runs through the local runtime (test/e2e/model-runs.test.ts): `npm test`
 * runs `defaultRuns` histories from MODEL_E2E_SEED; MODEL_E2E_RUNS runs more, MODEL_SEED (with MODEL_PATH)
 * replays a printed failure. A history takes seconds here, so the whole run, shrinking included, stops at its
 * budget and reports the smallest failing history found by then, with its seed and path (a run that reaches
 * the budget without a failure fails too: it did not run all its histories).
 */
export function modelE2eRunParameters(defaultRuns: number): fc.Parameters<unknown> {
  const path = process.env.MODEL_PATH;
  return {
    numRuns: e2eRuns(defaultRuns),
    seed: Number(process.env.MODEL_SEED ?? MODEL_E2E_SEED),
    ...(path !== undefined && { path }),
    endOnFailure: false,
    plugins: [fc.interruptAfterTimeLimit(e2eBudgetMs(defaultRuns), { failOnInterrupt: true })],
  };
}

/** Jest's timeout for a test of `defaultRuns` end-to-end histories: fast-check's budget and a minute more. */
export const modelE2eTimeoutMs = (defaultRuns: number) => e2eBudgetMs(defaultRuns) + 60_000;
