/**
 * The agent as the marketplace knows it: a keyed hash (HMAC-SHA256) of the HR agent id, formatted as a GUID
 * (spec 004 section 2: "use an internal agent_id hash or GUID instead of direct identifiers"). Keyed, not a
 * plain hash: HR ids are short and guessable (`agent-4821`), so an unkeyed hash could be reversed by trying
 * them all. The key comes from Secrets Manager; rotating it gives every agent a new marketplace identity, which
 * is why an in-flight transaction persists its request with its lock.
 */
import { createHmac } from 'node:crypto';
import { uuidV8FromDigest } from './uuid-v8';

export type AgentPseudonym = string & { readonly __brand: 'AgentPseudonym' };

/** 256 bits, as HMAC-SHA256 wants (RFC 2104: a key shorter than the hash output weakens it). */
export const MIN_PSEUDONYM_KEY_BYTES = 32;

export function agentPseudonym(hrAgentId: string, key: string | Uint8Array): AgentPseudonym {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (keyBytes.length < MIN_PSEUDONYM_KEY_BYTES) {
    throw new Error(`the agent pseudonym key must be at least ${MIN_PSEUDONYM_KEY_BYTES} bytes`);
  }
  if (hrAgentId === '') throw new Error('an agent id is required');
  const digest = createHmac('sha256', keyBytes).update(`wfm-bridge/agent/v1\n${hrAgentId}`, 'utf8').digest();
  return uuidV8FromDigest(digest) as AgentPseudonym;
}
