import {
  classifyAnswer,
  MAX_ISSUE_ATTEMPTS,
  nextStepAfterIssue,
  nextStepAfterLookup,
  nextStepWhilePending,
  type MarketplaceAnswer,
} from '../../../shared/domain/reward-triggers/issue-outcome';

const http = (status: number, body: unknown = {}): MarketplaceAnswer => ({ kind: 'http', status, body });
const issued = http(200, { transaction_id: 't', status: 'ISSUED', reward_id: 'rwd_1', reason: null });
const rejected = http(200, {
  transaction_id: 't',
  status: 'REJECTED',
  reward_id: null,
  reason: 'INSUFFICIENT_INVENTORY',
});
const pending = http(200, { transaction_id: 't', status: 'PENDING' });

describe('the body decides, not the HTTP status', () => {
  it('ISSUED (200 or 201) is success', () => {
    expect(nextStepAfterIssue(issued, 1).next).toEqual({ step: 'record-issued', rewardId: 'rwd_1' });
    expect(classifyAnswer(http(201, { status: 'ISSUED' }))).toEqual({ outcome: 'ISSUED', rewardId: null });
  });

  it('a 200 with REJECTED is a REWARD_FAILURE: unlock and fail with the reason, never retried', () => {
    expect(nextStepAfterIssue(rejected, 1)).toEqual({
      classification: { outcome: 'REWARD_FAILURE', reason: 'INSUFFICIENT_INVENTORY' },
      next: { step: 'unlock-and-fail', reason: 'INSUFFICIENT_INVENTORY' },
    });
    expect(nextStepAfterIssue(http(200, { status: 'FAILED' }), 1).next).toEqual({
      step: 'unlock-and-fail',
      reason: 'FAILED',
    });
  });

  it('PENDING is not success: poll', () => {
    expect(nextStepAfterIssue(pending, 1).next).toEqual({ step: 'poll' });
  });

  it('a 200 without a status, or with one it does not know, is never success: manual review', () => {
    expect(nextStepAfterIssue(http(200, {}), 1).next).toEqual({
      step: 'manual-review',
      reason: 'answer without a status',
    });
    expect(nextStepAfterIssue(http(200, 'OK'), 1).next.step).toBe('manual-review');
    expect(nextStepAfterIssue(http(200, { status: 'DONE' }), 1).next).toEqual({
      step: 'manual-review',
      reason: 'unexpected status DONE',
    });
  });
});

describe('failures', () => {
  it.each<[string, MarketplaceAnswer]>([
    ['a read timeout', { kind: 'timeout', phase: 'read' }],
    ['a connect timeout', { kind: 'timeout', phase: 'connect' }],
    ['a dropped connection', { kind: 'connection-error', code: 'ECONNRESET' }],
  ])('%s is a NETWORK_ERROR, retried after a lookup', (_case, answer) => {
    const { classification, next } = nextStepAfterIssue(answer, 1);
    expect(classification.outcome).toBe('NETWORK_ERROR');
    expect(next).toEqual({ step: 'retry', attempt: 2, lookupFirst: true });
  });

  it.each([503, 504])('%i is retried after a lookup (the marketplace may have issued)', (status) => {
    expect(nextStepAfterIssue(http(status), 2).next).toEqual({
      step: 'retry',
      attempt: 3,
      lookupFirst: true,
    });
  });

  it.each([400, 409, 422, 500, 502])('%i is never retried: manual review', (status) => {
    expect(nextStepAfterIssue(http(status), 1).next.step).toBe('manual-review');
  });

  it('a 409 says why (the same id with another payload)', () => {
    expect(nextStepAfterIssue(http(409), 1).next).toEqual({
      step: 'manual-review',
      reason: 'conflict: the transaction id was used with another payload',
    });
  });

  it(`after ${MAX_ISSUE_ATTEMPTS} failed attempts: alert the administrators, no fourth attempt`, () => {
    expect(nextStepAfterIssue(http(503), 3).next).toEqual({
      step: 'alert-administrators',
      reason: 'HTTP 503 after 3 attempts',
    });
    expect(nextStepAfterIssue({ kind: 'timeout', phase: 'read' }, 3).next.step).toBe('alert-administrators');
  });

  it('503 twice then ISSUED: three attempts, one reward', () => {
    const steps = [
      nextStepAfterIssue(http(503), 1).next,
      nextStepAfterIssue(http(503), 2).next,
      nextStepAfterIssue(issued, 3).next,
    ];
    expect(steps.map((s) => s.step)).toEqual(['retry', 'retry', 'record-issued']);
  });

  it('429 did nothing: retried without a lookup', () => {
    expect(nextStepAfterIssue(http(429), 1).next).toEqual({ step: 'retry', attempt: 2, lookupFirst: false });
  });

  it('401: refresh the token and retry once; a second 401 goes to manual review', () => {
    expect(nextStepAfterIssue(http(401), 1).next).toEqual({ step: 'refresh-token-and-retry' });
    expect(nextStepAfterIssue(http(401), 1, true).next.step).toBe('manual-review');
  });
});

describe('the lookup before a retry', () => {
  it('finds a "commit then fail" reward: recorded, no second issue', () => {
    expect(nextStepAfterLookup(issued, 1).next).toEqual({ step: 'record-issued', rewardId: 'rwd_1' });
  });

  it('finds nothing (404): the retry sends the same id, with no further lookup', () => {
    expect(nextStepAfterLookup(http(404), 1).next).toEqual({ step: 'retry', attempt: 2, lookupFirst: false });
  });

  it('finds it REJECTED or PENDING: as if the issue had answered so', () => {
    expect(nextStepAfterLookup(rejected, 2).next.step).toBe('unlock-and-fail');
    expect(nextStepAfterLookup(pending, 2).next.step).toBe('poll');
  });

  it('itself times out: counts as a failed attempt, looks up again next time', () => {
    expect(nextStepAfterLookup({ kind: 'timeout', phase: 'read' }, 1).next).toEqual({
      step: 'retry',
      attempt: 2,
      lookupFirst: true,
    });
    expect(nextStepAfterLookup(http(503), 3).next.step).toBe('alert-administrators');
  });
});

describe('polling a PENDING transaction', () => {
  const since = Date.parse('2026-05-15T06:00:00Z');
  const deadline = 15 * 60_000;

  it('settles as ISSUED or REJECTED', () => {
    expect(nextStepWhilePending(issued, since, since + 1000, deadline).step).toBe('record-issued');
    expect(nextStepWhilePending(rejected, since, since + 1000, deadline).step).toBe('unlock-and-fail');
  });

  it('polls again until its deadline, then alerts (the lock stays)', () => {
    expect(nextStepWhilePending(pending, since, since + deadline - 1, deadline)).toEqual({ step: 'poll' });
    expect(nextStepWhilePending(pending, since, since + deadline, deadline)).toEqual({
      step: 'alert-administrators',
      reason: 'still PENDING after 900 s',
    });
    expect(nextStepWhilePending(http(503), since, since + 1000, deadline)).toEqual({ step: 'poll' });
  });
});
