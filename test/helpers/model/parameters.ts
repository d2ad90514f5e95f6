import type fc from 'fast-check';

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
