/**
 * Issue 14, "DynamoDB errors": throttles and timeouts on the State and Idempotency tables, injected by the local
 * runtime's test-only switch (local/dynamodb-fault-switch.ts) into the processor's own DynamoDB client, below
 * the SDK's retry middleware. For each workflow and each table it uses:
 *
 * - a burst smaller than the SDK's retry budget: the SDK absorbs it, the record lands once;
 * - a fault outlasting one call's retry budget: that delivery fails, SQS redelivers, the record lands once;
 * - a fault that never ends: the record ends on the workflow's DLQ, its reason naming the DynamoDB failure.
 *
 * Every record is a fresh agent (or request) the fault is keyed to (`bodyContains`), armed before the record
 * exists. The workflows and scenarios run at once; the sustained ones wait out the queue's five receives.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { formatInTimeZone } from 'date-fns-tz';
import type { Message } from '@aws-sdk/client-sqs';
import {
  armDynamoDbFault,
  armedDynamoDbFaults,
  attr,
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  runSchedule,
  sandbox,
  waitFor,
  type ArmedDynamoDbFault,
} from '../helpers/local';
import { fullShiftApproval, openShiftBid, uniqueId } from '../helpers/scenarios';
import { agentStateChanged as agentState } from '../helpers/payloads';

type Table = 'State' | 'Idempotency';
type Kind = 'throttle' | 'timeout';

const uid = uniqueId;
const genesys = sandbox('genesys');
const cxone = sandbox('cxone');
const rewards = sandbox('rewards');

/** One record of a workflow, sent; how to tell it landed, and what the vendor holds for it. */
interface Sent {
  /** Resolves once the record's effect is visible (its domain event, or the vendor's state). */
  landed(): Promise<unknown>;
  /** The vendor-side effects of this record: exactly one is "landed once". */
  effects(): Promise<unknown[]>;
}

interface WorkflowUnderFault {
  readonly workflow: string;
  readonly tables: readonly Table[];
  /** A fresh record: its key (what the fault waits for in a message body), and how to send it. */
  record(scenario: number): { key: string; send(): Promise<Sent> };
}

const eventFor = (type: string, field: string, value: string) =>
  waitFor(
    async () =>
      (await domainEvents(type)).find((e) => (e.detail as Record<string, unknown>)[field] === value),
    { what: `${type} for ${value}`, timeoutMs: 40_000 },
  );

const shiftOverrides: WorkflowUnderFault = {
  workflow: 'shift-overrides',
  tables: ['State'],
  record() {
    const { userId, requestId, fixtures, approval } = fullShiftApproval('ddb');
    return {
      key: requestId,
      async send() {
        await genesys.fixtures(fixtures);
        expect((await postWebhook('/webhooks/genesys/timeoff', approval)).status).toBe(202);
        return {
          landed: () => eventFor('override.applied', 'requestId', requestId),
          effects: async () =>
            (
              (await genesys.state()) as { overrides: { userId: string; shiftId: string }[] }
            ).overrides.filter((o) => o.userId === userId),
        };
      },
    };
  },
};

const adherenceSync: WorkflowUnderFault = {
  workflow: 'adherence-sync',
  tables: ['State'],
  record() {
    const agentId = uid('ddb-agent');
    const wem = async () =>
      (
        (await genesys.state()) as {
          adherence: { agents: Record<string, { dashboard: { adherenceState: string | null }; events: [] }> };
        }
      ).adherence.agents[agentId];
    return {
      key: agentId,
      async send() {
        await postWebhook(
          '/webhooks/agent-state',
          agentState(agentId, 'on-call', '2026-05-15T14:00:00.000Z'),
        );
        return {
          landed: () =>
            waitFor(async () => (await wem())?.dashboard.adherenceState === 'OnCall', {
              what: `OnCall on the WEM dashboard for ${agentId}`,
              timeoutMs: 40_000,
            }),
          effects: async () => (await wem())?.events ?? [],
        };
      },
    };
  },
};

/** Bids 3 days apart: a bid caches the schedule of the days around its own (test/e2e/shift-bids.test.ts). */
const bidDate = (scenario: number) =>
  formatInTimeZone(Date.UTC(2027, 1, 1) + scenario * 3 * 86_400_000, 'UTC', 'yyyy-MM-dd');

const shiftBids: WorkflowUnderFault = {
  workflow: 'shift-bids',
  tables: ['State', 'Idempotency'],
  record(scenario) {
    const { requestId, created, fixtures } = openShiftBid('ddb', bidDate(scenario));
    return {
      key: requestId,
      async send() {
        await cxone.fixtures(fixtures);
        expect((await postWebhook('/webhooks/cxone/bidding', created)).status).toBe(202);
        return {
          landed: () => eventFor('bid.approved', 'requestId', requestId),
          effects: async () =>
            (await cxone.state<{ actions: { requestId: string; action: string }[] }>()).actions.filter(
              (a) => a.requestId === requestId,
            ),
        };
      },
    };
  },
};

const today = formatInTimeZone(Date.now(), 'America/New_York', 'yyyy-MM-dd');

const rewardTriggers: WorkflowUnderFault = {
  workflow: 'reward-triggers',
  tables: ['State', 'Idempotency'],
  record() {
    const agentId = uid('ddb-agent');
    return {
      key: agentId,
      async send() {
        // 51 five-star ratings: 510 points, across the 500-point tier (test/e2e/reward-triggers.test.ts).
        await genesys.fixtures({
          performance: [
            { agentId, date: today, csatFiveStar: 51, complianceViolations: 0, ahtCompliancePct: 90 },
          ],
        });
        await runSchedule('reward-export-ingestion');
        let transactionId = '';
        return {
          landed: async () => {
            const issued = await eventFor('reward.issued', 'agentId', agentId);
            transactionId = (issued.detail as { transactionId: string }).transactionId;
          },
          // The marketplace knows the agent by pseudonym only: its records under the issued transaction's agent.
          effects: async () => {
            const { rewards: all } = (await rewards.state()) as {
              rewards: { agent_id: string; transaction_id: string }[];
            };
            const pseudonym = all.find((r) => r.transaction_id === transactionId)?.agent_id;
            return pseudonym === undefined ? [] : all.filter((r) => r.agent_id === pseudonym);
          },
        };
      },
    };
  },
};

/** The SDK's attempts per DynamoDB call (its retry budget), as the functions' clients have it. */
const sdkAttempts = () => new DynamoDBClient({ region: 'us-east-1' }).config.maxAttempts();

const armFor = (w: WorkflowUnderFault, key: string, table: Table, kind: Kind, times: number) =>
  armDynamoDbFault({ workflow: w.workflow, table, kind, times, bodyContains: key });

const firedOf = async (fault: ArmedDynamoDbFault) =>
  (await armedDynamoDbFaults()).find((f) => f.id === fault.id)!.fired;

/** A burst the SDK's retries absorb: the record lands once, with no redelivery needed. */
async function burst(w: WorkflowUnderFault, table: Table, kind: Kind, scenario: number) {
  const { key, send } = w.record(scenario);
  const times = (await sdkAttempts()) - 1;
  const fault = await armFor(w, key, table, kind, times);
  const sent = await send();
  await sent.landed();
  expect(await firedOf(fault)).toBe(times);
  expect(await sent.effects()).toHaveLength(1);
}

/** One call's whole retry budget fails, and one attempt more: the delivery fails, the redelivery lands once. */
async function outlastingOneCall(w: WorkflowUnderFault, table: Table, kind: Kind, scenario: number) {
  const { key, send } = w.record(scenario);
  const times = (await sdkAttempts()) + 1;
  const fault = await armFor(w, key, table, kind, times);
  const sent = await send();
  await sent.landed();
  expect(await firedOf(fault)).toBe(times);
  expect(await sent.effects()).toHaveLength(1);
  expect(await dlqCopyOf(w, key)).toBeUndefined();
}

/** A fault that never ends: the record is dead-lettered with the DynamoDB failure as its reason. */
async function sustained(w: WorkflowUnderFault, table: Table, kind: Kind, scenario: number) {
  const { key, send } = w.record(scenario);
  await armFor(w, key, table, kind, 10_000);
  const sent = await send();
  const dead = await waitFor(() => dlqCopyOf(w, key), {
    what: `${key} on the ${w.workflow} DLQ (${kind} on ${table})`,
    timeoutMs: 90_000,
    intervalMs: 500,
  });
  expect(await sent.effects()).toEqual([]);
  return { reason: attr(dead, 'failureReason'), detail: attr(dead, 'failureDetail') };
}

async function dlqCopyOf(w: WorkflowUnderFault, key: string): Promise<Message | undefined> {
  return (await peekDlq(w.workflow)).find((m) => (m.Body ?? '').includes(key));
}

/**
 * Every scenario at once: the poller gives the records a fault targets an invocation of their own
 * (local/dynamodb-fault-switch.ts), so one scenario's fault never fails another's record.
 */
async function everyScenario(w: WorkflowUnderFault) {
  let scenario = 0;
  const deadLettered = await Promise.all(
    w.tables.map(async (table) => {
      const [, , dead] = await Promise.all([
        burst(w, table, 'throttle', scenario++),
        outlastingOneCall(w, table, 'throttle', scenario++),
        // Sustained as timeouts, which the SDK retries at once: a sustained throttle's backoff (seconds per
        // call) outlasts the local visibility timeout, so SQS would redeliver during the delivery it fails.
        sustained(w, table, 'timeout', scenario++),
      ]);
      return { table, ...dead };
    }),
  );
  return deadLettered;
}

describe('DynamoDB throttles and timeouts on the State and Idempotency tables', () => {
  it.concurrent.each([shiftOverrides, adherenceSync, shiftBids, rewardTriggers])(
    '$workflow: retried and landed once, or dead-lettered with the reason',
    async (w) => {
      const deadLettered = await everyScenario(w);
      // The State table's failure reaches the runner as it is; the Idempotency table's through Powertools.
      expect(deadLettered).toEqual(
        w.tables.map((table) => ({
          table,
          reason: table === 'State' ? 'DYNAMODB_UNAVAILABLE' : 'IDEMPOTENCY_STORE_UNAVAILABLE',
          detail: expect.stringMatching(
            new RegExp(`DynamoDB \\w+ on ${local().tables[table]} failed after \\d+ attempts: TimeoutError`),
          ),
        })),
      );
    },
    150_000,
  );
});
