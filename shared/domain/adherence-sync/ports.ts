import type { Lease } from '../../ports/platform';
import type { AdherenceState } from './transitions';

export interface AdherenceEvent {
  readonly agentId: string;
  readonly adherenceState: AdherenceState;
  readonly scheduleType: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly reasonCode: string;
}

export interface GenesysWem {
  /** The agent's schedule type (cached: see `ScheduleTypeCache`). */
  scheduleType(agentId: string): Promise<string>;
  /** Sends one adherence event; the key makes a redelivery a no-op at the vendor. */
  push(event: AdherenceEvent, idempotencyKey: string): Promise<{ status: number; processingStatus?: string }>;
}

export interface AgentRecord {
  readonly agentId: string;
  /** Last state WEM acknowledged, and the event time it took effect. */
  readonly state: AdherenceState;
  readonly eventTime: number;
}

/** A transition the matrix could not make when its event arrived, kept for reconciliation to retry. */
export interface HeldTransition {
  readonly agentId: string;
  readonly state: AdherenceState;
  readonly eventTime: number;
  readonly reason: string;
  /** The translated WEM reason code the event carried, sent when reconciliation releases it. */
  readonly reasonCode: string;
}

/**
 * An agent's acknowledged state and, when one is newer, the latest transition held since, and the push left
 * unacknowledged, if any.
 */
export interface ReconcileCandidate extends AgentRecord {
  readonly held?: HeldTransition;
  readonly pending?: PendingPush;
}

/**
 * The WEM events of one transition, recorded before the first is sent: until `completePending` confirms them,
 * WEM may or may not have them, so the next delivery re-sends them (same keys: a no-op where they landed) before
 * it plans from `state`.
 */
export interface PendingPush {
  /** The transition's target and its event time: what the record advances to once WEM has every event. */
  readonly state: AdherenceState;
  readonly eventTime: number;
  readonly bridged: boolean;
  readonly pushes: readonly { readonly event: AdherenceEvent; readonly idempotencyKey: string }[];
}

/** The agent's item: its acknowledged state (none before its first push) and its unacknowledged push, if any. */
export interface StoredAgent {
  readonly acknowledged?: AgentRecord;
  readonly pending?: PendingPush;
}

export interface AgentStateStore {
  /** The acknowledged state alone. */
  get(agentId: string): Promise<AgentRecord | undefined>;
  /** The acknowledged state and the unacknowledged push, in one consistent read. */
  read(agentId: string): Promise<StoredAgent>;
  /**
   * Records the push about to be sent, fenced by `lease`; false when an acknowledged state at or after its event
   * time, or another pending push, is there (nothing written).
   */
  recordPending(agentId: string, pending: PendingPush, lease: Lease): Promise<boolean>;
  /**
   * WEM has every event of `pending`: advances to its state and forgets it, in one write conditional on that
   * pending push still being recorded (it is its own fence: a worker that took over re-sent and replaced it).
   * False when it is gone.
   */
  completePending(agentId: string, pending: PendingPush): Promise<boolean>;
  /** Forgets `pending` (WEM refused it: nothing of it was recorded), conditional as `completePending`. */
  dropPending(agentId: string, pending: PendingPush): Promise<boolean>;
  /**
   * Records a newer state (and forgets any pending push: settle it first); false when an event at or after
   * `eventTime` was recorded first (stale). Under a
   * `lease`, fenced: fails (RetryableFailure LOCK_HELD) once another worker holds the lease's key.
   */
  advance(record: AgentRecord, lease?: Lease): Promise<boolean>;
  /**
   * Keeps a transition the matrix cannot make, with its reason, for reconciliation (fenced like `advance`).
   * Kept for a day after its event time (spec 000: older than 24 h is stale), then it expires.
   */
  hold(transition: HeldTransition, lease?: Lease): Promise<void>;
  /**
   * Every agent with an acknowledged state, each with its latest held transition newer than that state and its
   * unacknowledged push.
   */
  list(): Promise<ReconcileCandidate[]>;
}

/**
 * Schedule types looked up before, shared by every instance: the lookup runs on Genesys' 300 requests/minute
 * org limit, so a 2,000-agent shift change must not look every agent up again.
 */
export interface ScheduleTypeCache {
  /** The cached type when it was fetched at or after `fetchedSince` (ms since epoch). */
  scheduleType(agentId: string, fetchedSince: number): Promise<string | undefined>;
  rememberScheduleType(agentId: string, scheduleType: string, fetchedAt: number): Promise<void>;
}
