/**
 * What the shift-bids decision path (process-bid.ts) needs besides CXone: the rule document, the supervisor's
 * notification channel, the bid record, the platform ports and its settings.
 */
import type { Clock } from '../../ports/clock';
import type { AuditLog, DomainEventPublisher, LockManager } from '../../ports/platform';
import type { BidStateStore } from './bid-state';
import type { CheckName, CheckOutcome } from './checks/check-result';
import type { CxoneBidding } from './ports';
import type { RuleDocument } from './rules.schema';

export const WORKFLOW = 'shift-bids';

/**
 * The rule document in force (issue 11: versioned, outside the code, changed without a redeploy). The
 * stage settings serve it today; the AppConfig-backed source implements the same port.
 */
export interface RuleSource {
  current(): Promise<{ readonly document: RuleDocument; readonly version: string }>;
}

/** A rule source that always answers one document (stage settings, tests). */
export function fixedRuleSource(document: RuleDocument): RuleSource {
  const current = { document, version: document.version };
  return { current: async () => current };
}

/**
 * What a supervisor is told about an escalated bid (spec 003 section 4): the bid, the failing checks and a deep
 * link to the request in the WFM UI. No agent name or contact detail: the link opens everything else.
 */
export interface SupervisorNotification {
  readonly requestId: string;
  readonly siteId: string;
  readonly shiftId: string;
  readonly requestedDate: string;
  readonly bidType: string;
  readonly reason: string;
  readonly ruleVersion: string | null;
  readonly failingChecks: readonly { check: CheckName; result: CheckOutcome; summary: string }[];
  readonly deepLink: string;
}

export interface SupervisorNotifier {
  /** Recorded in the audit entry as spec 003's `notification_channel`. */
  readonly channel: string;
  notify(notification: SupervisorNotification): Promise<void>;
}

export interface ShiftBidsWorkflowSettings {
  readonly siteTimeZones: Readonly<Record<string, string>>;
  readonly serviceIdentity: string;
  readonly supervisorLinkBase: string;
  readonly lockPollSeconds: number;
  readonly claimRetrySeconds: number;
}

export interface ShiftBidsDeps {
  readonly cxone: CxoneBidding;
  readonly store: BidStateStore;
  readonly rules: RuleSource;
  readonly notifier: SupervisorNotifier;
  readonly locks: LockManager;
  readonly audit: AuditLog;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly settings: ShiftBidsWorkflowSettings;
  /** A new processing id for phase one's record (the domain has no randomness). */
  readonly newProcessingId: () => string;
  /** How long the claim on a shift lasts if its holder dies: the processor's timeout. */
  readonly claimLeaseSeconds: number;
  /** Multiplies every wait (WFM_RETRY_SCALE: 1 on AWS, 0.1 locally). */
  readonly waitScale: number;
  /** Milliseconds left in this invocation (Lambda's context); unbounded when not given. */
  readonly remainingMs?: () => number;
}
