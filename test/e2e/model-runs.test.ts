/**
 * Issue 14: the workflows' reference models, checked end to end. fast-check generates histories with the same
 * generators as the domain model tests (test/unit/<workflow>/<workflow>.model.test.ts, generators and checks in
 * test/helpers/model/<workflow>.ts); each history is sent through the real local runtime (signed webhooks through
 * the gateway, the real handlers, DynamoDB Local, the SQS emulator, the vendor sandboxes with their faults), with
 * fresh ids so histories never meet (test/helpers/model/<workflow>-runtime.ts). After each, the same properties:
 * the vendor's state equals the model's, with no vendor-side duplicate; every event is accounted for (ignored
 * with a reason, a duplicate delivery, processed, or on the DLQ with a documented reason); the audit trail and
 * the domain events tell the vendor's story.
 *
 * `npm test` runs a few short histories per workflow from a fixed seed; MODEL_E2E_RUNS runs more. A failure
 * prints the seed, the path and the shrunk history: MODEL_SEED=<seed> MODEL_PATH=<path> replays it, and the
 * history becomes a regular test: below when it needs the runtime, in the workflow's model file when the domain
 * alone shows it.
 */
import fc from 'fast-check';
import {
  runAdherenceSyncHistory,
  runtimeHistory as adherenceSyncHistory,
} from '../helpers/model/adherence-sync-runtime';
import {
  runRewardTriggersHistory,
  runtimeHistory as rewardTriggersHistory,
} from '../helpers/model/reward-triggers-runtime';
import { modelE2eRunParameters, modelE2eTimeoutMs } from '../helpers/model/parameters';
import { runShiftBidsHistory, runtimeHistory as shiftBidsHistory } from '../helpers/model/shift-bids-runtime';
import {
  runShiftOverridesHistory,
  runtimeHistory as shiftOverridesHistory,
} from '../helpers/model/shift-overrides-runtime';

const RUNS = 3;
/** One line per history run, printed after each workflow's runs (the figures issue 14 asks for). */
const summaries: string[] = [];
afterEach(() => {
  if (summaries.length) console.log(summaries.splice(0).join('\n'));
});

describe('the reference models, through the local runtime (issue 14)', () => {
  it(
    'shift-overrides: Genesys holds exactly the overrides the model says, through faults and duplicates',
    async () => {
      await fc.assert(
        fc.asyncProperty(shiftOverridesHistory, async (h) => {
          summaries.push(await runShiftOverridesHistory(h));
        }),
        modelE2eRunParameters(RUNS),
      );
    },
    modelE2eTimeoutMs(RUNS),
  );

  it(
    'shift-bids: CXone and our records agree, one action per request, one winner per shift, the rules in force',
    async () => {
      await fc.assert(
        fc.asyncProperty(shiftBidsHistory, async (h) => {
          summaries.push(await runShiftBidsHistory(h));
        }),
        modelE2eRunParameters(RUNS),
      );
    },
    modelE2eTimeoutMs(RUNS),
  );

  it(
    "adherence-sync: WEM ends in each agent's newest state, forward only, within its matrix, never twice",
    async () => {
      await fc.assert(
        fc.asyncProperty(adherenceSyncHistory, async (h) => {
          summaries.push(await runAdherenceSyncHistory(h));
        }),
        modelE2eRunParameters(RUNS),
      );
    },
    modelE2eTimeoutMs(RUNS),
  );

  it(
    'reward-triggers: the marketplace and the ledger agree reward by reward, none twice, nothing owed left',
    async () => {
      await fc.assert(
        fc.asyncProperty(rewardTriggersHistory, async (h) => {
          summaries.push(await runRewardTriggersHistory(h));
        }),
        modelE2eRunParameters(RUNS),
      );
    },
    modelE2eTimeoutMs(RUNS),
  );

  const found: [string, () => Promise<string>][] = [
    [
      "shift-bids: a bid's receipt (bid.received) announced after a supervisor's rejection tells no story",
      () =>
        runShiftBidsHistory({
          bids: [
            { shift: 'open-A', copies: 2 },
            { shift: 'open-B', copies: 1 },
            { shift: 'open-A', copies: 1 },
            { shift: 'open-A', copies: 1 },
          ],
          asyncActions: false,
          shortInvocations: false,
          steps: [
            { supervisor: { request: 0, status: 'REJECTED' } },
            { supervisor: { request: 2, status: 'CANCELLED' } },
            { vendorFault: { call: 'read', fault: 'recovered' } },
            { send: 0 },
          ],
        }),
    ],
    [
      'reward-triggers: an evaluation overtaken by another settling the reward takes no second lock on it',
      () =>
        runRewardTriggersHistory({
          pendingIssues: false,
          steps: [
            { book: { points: 400, copies: 1 } },
            { redeliver: 0 },
            { book: { points: 100, copies: 1 } },
            { rules: 'v2' },
          ],
        }),
    ],
    [
      "shift-bids: an escalation whose write lost to a supervisor's cancellation is not the bid's last word",
      () =>
        runShiftBidsHistory({
          bids: [
            { shift: 'open-A', copies: 1 },
            { shift: 'open-A', copies: 1 },
            { shift: 'open-A', copies: 1 },
            { shift: 'open-A', copies: 1 },
          ],
          asyncActions: false,
          shortInvocations: false,
          steps: [
            { send: 873679485 },
            { vendorFault: { call: 'act', fault: 'recovered' } },
            { supervisor: { request: 2, status: 'CANCELLED' } },
            { vendorFault: { call: 'act', fault: 'unavailable' } },
            { revokeTokens: true },
            { vendorFault: { call: 'act', fault: 'unavailable' } },
            { send: 1624443446 },
          ],
        }),
    ],
  ];
  it.each(found)('history found by the model runs: %s', async (_name, run) => {
    summaries.push(await run());
  });
});
