/** In-memory Genesys scheduling with the sandbox's rules (overlap, 400, 409, idempotency key). */
import { randomUUID } from 'node:crypto';
import { ResourceNotFound, RetryableFailure } from '../../errors';
import {
  OverrideConflict,
  OverrideRejected,
  type GenesysOverride,
  type GenesysScheduling,
  type GenesysShift,
  type NewOverride,
} from '../../domain/shift-overrides/ports';

/**
 * A vendor fault as the domain sees it through the real adapter (which retries 429 with Retry-After, 5xx,
 * timeouts and a revoked token itself): `unavailable` — still failing after every retry, nothing done;
 * `commit-then-fail` — the vendor acted but its answer was lost (a timeout after the commit); `recovered` —
 * a 429/5xx/401 the adapter's retry absorbed, so the call succeeds on its second attempt; `conflict` — a POST
 * answered 409 because another process changed the shift's overrides (nothing changed that the re-read sees).
 */
export type GenesysFault = 'unavailable' | 'commit-then-fail' | 'recovered' | 'conflict';
export type GenesysOperation = 'read' | 'post' | 'delete';

export class FakeGenesysScheduling implements GenesysScheduling {
  readonly users = new Map<string, string>();
  readonly shiftsById = new Map<string, GenesysShift>();
  readonly reasonCodes = new Set<string>();
  readonly overridesById = new Map<string, GenesysOverride>();
  /** Next POSTs for these shift ids answer 409 once, after applying the given edit (a planner's change). */
  readonly conflictOnce = new Map<string, Partial<GenesysShift>>();
  /** Scripted faults, each consumed by the next call of its operation. */
  readonly faults: Record<GenesysOperation, GenesysFault[]> = { read: [], post: [], delete: [] };
  calls: string[] = [];

  private takeFault(operation: GenesysOperation): GenesysFault | undefined {
    return this.faults[operation].shift();
  }

  private failBefore(operation: GenesysOperation): number {
    const fault = this.takeFault(operation);
    if (fault === 'unavailable' || (operation === 'read' && fault === 'commit-then-fail'))
      throw new RetryableFailure('VENDOR_UNAVAILABLE', `Genesys ${operation}: 503 after every retry`);
    if (fault === 'commit-then-fail') return -1;
    return fault === 'recovered' ? 2 : 1;
  }

  async userTimeZone(userId: string): Promise<string> {
    this.calls.push('user');
    const zone = this.users.get(userId);
    if (!zone) throw new ResourceNotFound(`Genesys user ${userId}`, `Unknown user ${userId}`);
    return zone;
  }

  async shifts(userId: string, from: string, to: string): Promise<GenesysShift[]> {
    this.calls.push('shifts');
    this.failBefore('read');
    return [...this.shiftsById.values()].filter(
      (s) =>
        s.userId === userId &&
        Date.parse(s.startTime) < Date.parse(to) &&
        Date.parse(s.endTime) > Date.parse(from),
    );
  }

  async reasonCodeIds(): Promise<ReadonlySet<string>> {
    this.calls.push('reasoncodes');
    return this.reasonCodes;
  }

  async overrides(userId: string): Promise<GenesysOverride[]> {
    this.calls.push('overrides');
    this.failBefore('read');
    return [...this.overridesById.values()].filter((o) => o.userId === userId);
  }

  async createOverride(o: NewOverride) {
    this.calls.push('post');
    if (this.faults.post[0] === 'conflict') {
      this.faults.post.shift();
      throw new OverrideConflict(`Shift ${o.shiftId}: its overrides changed since they were read`);
    }
    const attempts = this.failBefore('post');
    const lostAnswer = () => {
      if (attempts < 0)
        throw new RetryableFailure('VENDOR_UNAVAILABLE', 'Genesys post: timed out after the commit');
    };
    const replay = [...this.overridesById.values()].find((x) => x.idempotencyKey === o.idempotencyKey);
    if (replay) {
      lostAnswer();
      return { override: replay, status: 200, attempts: Math.max(1, attempts) };
    }
    const edit = this.conflictOnce.get(o.shiftId);
    if (edit) {
      this.conflictOnce.delete(o.shiftId);
      this.shiftsById.set(o.shiftId, { ...this.shiftsById.get(o.shiftId)!, ...edit });
      throw new OverrideConflict(`Shift ${o.shiftId} changed`);
    }
    if (!this.reasonCodes.has(o.reasonCodeId))
      throw new OverrideRejected(`Unknown reasonCodeId ${o.reasonCodeId}`, 400);
    const shift = this.shiftsById.get(o.shiftId);
    if (
      !shift ||
      Date.parse(o.startTime) < Date.parse(shift.startTime) ||
      Date.parse(o.endTime) > Date.parse(shift.endTime)
    ) {
      throw new OverrideRejected('Override window lies outside the shift', 400);
    }
    const clash = [...this.overridesById.values()].find(
      (x) =>
        x.shiftId === o.shiftId &&
        Date.parse(o.startTime) < Date.parse(x.endTime) &&
        Date.parse(x.startTime) < Date.parse(o.endTime),
    );
    if (clash) throw new OverrideConflict(`Override ${clash.id} already covers part of this window`);
    const created: GenesysOverride = { id: `ov-${randomUUID()}`, ...o };
    this.overridesById.set(created.id, created);
    lostAnswer();
    return { override: created, status: 201, attempts: Math.max(1, attempts) };
  }

  async deleteOverride(overrideId: string): Promise<{ status: number }> {
    this.calls.push('delete');
    const attempts = this.failBefore('delete');
    const deleted = this.overridesById.delete(overrideId);
    if (attempts < 0)
      throw new RetryableFailure('VENDOR_UNAVAILABLE', 'Genesys delete: timed out after the commit');
    return { status: deleted ? 204 : 404 };
  }
}
