/**
 * The reward's transaction id (spec 004 section 3), sent as `X-Request-ID`: the marketplace dedupes on it, so
 * it must be the same for every attempt at the same reward. It is derived, not drawn: SHA-256 over the agent's
 * pseudonym, the reward type and the ledger position that earned it, as a UUID (version 8). A retry, a re-run
 * or a redelivery that sees the same ledger computes the same id; a fresh UUID per attempt would let a retry
 * after a "commit then fail" issue a second reward.
 *
 * The agent enters as its pseudonym, not its HR id: the id leaves the system in a header, and a plain hash of
 * a guessable HR id could be reversed.
 */
import { createHash } from 'node:crypto';
import type { AgentPseudonym } from './agent-pseudonym';
import { uuidV8FromDigest } from './uuid-v8';

export interface RewardTransactionKey {
  readonly agent: AgentPseudonym;
  readonly rewardType: string;
  /** The ledger head (last entry's position) when the breach was found: ledger.ts's `headPosition`. */
  readonly earnedAtPosition: number;
}

export function rewardTransactionId(key: RewardTransactionKey): string {
  if (!Number.isInteger(key.earnedAtPosition) || key.earnedAtPosition < 1) {
    throw new Error('earnedAtPosition must be a ledger position (an integer from 1)');
  }
  // A JSON array is an unambiguous canonical form: no separator inside a value can shift the fields.
  const canonical = JSON.stringify([
    'wfm-bridge/reward-transaction/v1',
    key.agent,
    key.rewardType,
    key.earnedAtPosition,
  ]);
  return uuidV8FromDigest(createHash('sha256').update(canonical, 'utf8').digest());
}
