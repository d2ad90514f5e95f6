/**
 * Issue 14, bad input at the edge: generated deliveries against the local gateway and the real ingress handler,
 * with real queues nobody consumes (test/helpers/edge-harness.ts), checked against docs/webhook-contract.md.
 * A fixed-seed sample here; `npm run bench -- fuzz` runs 10,000. FUZZ_SEED and FUZZ_RUNS override both.
 */
import fc from 'fast-check';
import { startEdgeHarness, type EdgeHarness } from '../helpers/edge-harness';
import { checkCase, replayProperty, runGatewayFuzz, type FuzzCase } from '../helpers/gateway-fuzz';
import { local } from '../helpers/local';

const SEED = Number(process.env.FUZZ_SEED ?? 1_402_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

let harness: EdgeHarness;
beforeAll(async () => {
  harness = await startEdgeHarness({ dynamodbEndpoint: local().endpoints.dynamodb });
}, 120_000);
afterAll(() => harness?.stop());

const plain = {
  route: 0,
  event: 0,
  scheme: 'hmac-sha256',
  body: { kind: 'as-sent', pretty: false },
  tamper: { kind: 'none' },
  headerCase: ['as-is'],
  headerOrder: [0],
  duplicate: 'none',
} satisfies FuzzCase;

it(`holds the webhook contract for ${RUNS} generated deliveries (seed ${SEED})`, async () => {
  const run = await runGatewayFuzz(harness, { seed: SEED, numRuns: RUNS });
  if (run.failure) throw new Error(run.failure);
  expect(run.cases).toBe(RUNS);
}, 300_000);

// Violations the fuzzer found, kept as regular cases.
it.each<[string, FuzzCase]>([
  // An empty event type became an empty SQS attribute, which SQS refuses: the DLQ send threw, 500.
  [
    'a signed event with an empty event type is kept on the DLQ (422)',
    { ...plain, body: { kind: 'unknown-type', eventType: '' } },
  ],
  // A body just under the limit made, with its attributes, a message over SQS's 262,144 bytes: 500.
  [
    'a signed body at the size limit is answered, not a 500',
    { ...plain, body: { kind: 'at-size', slackBytes: 0 } },
  ],
])('%s', async (_name, c) => {
  const { found } = await checkCase(harness, c);
  expect(found).toEqual([]);
});

// Held by the replay guard (decision 0011): before it, the ingress enqueued every replay.
it('never enqueues a replayed delivery twice', async () => {
  await fc.assert(replayProperty(harness), { seed: SEED, numRuns: 5 });
}, 120_000);
