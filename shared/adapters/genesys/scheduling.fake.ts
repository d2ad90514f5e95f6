/** In-memory Genesys scheduling with the sandbox's rules (overlap, 400, 409, idempotency key). */
import { randomUUID } from 'node:crypto';
import { ResourceNotFound } from '../../errors';
import {
  OverrideConflict,
  OverrideRejected,
  type GenesysOverride,
  type GenesysScheduling,
  type GenesysShift,
  type NewOverride,
} from '../../domain/shift-overrides/ports';

export class FakeGenesysScheduling implements GenesysScheduling {
  readonly users = new Map<string, string>();
  readonly shiftsById = new Map<string, GenesysShift>();
  readonly reasonCodes = new Set<string>();
  readonly overridesById = new Map<string, GenesysOverride>();
  /** Next POSTs for these shift ids answer 409 once, after applying the given edit (a planner's change). */
  readonly conflictOnce = new Map<string, Partial<GenesysShift>>();
  calls: string[] = [];

  async userTimeZone(userId: string): Promise<string> {
    this.calls.push('user');
    const zone = this.users.get(userId);
    if (!zone) throw new ResourceNotFound(`Genesys user ${userId}`, `Unknown user ${userId}`);
    return zone;
  }

  async shifts(userId: string, from: string, to: string): Promise<GenesysShift[]> {
    this.calls.push('shifts');
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
    return [...this.overridesById.values()].filter((o) => o.userId === userId);
  }

  async createOverride(o: NewOverride) {
    this.calls.push('post');
    const replay = [...this.overridesById.values()].find((x) => x.idempotencyKey === o.idempotencyKey);
    if (replay) return { override: replay, status: 200, attempts: 1 };
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
    const created: GenesysOverride = { id: `ov-${randomUUID()}`, ...o };
    this.overridesById.set(created.id, created);
    return { override: created, status: 201, attempts: 1 };
  }

  async deleteOverride(overrideId: string): Promise<{ status: number }> {
    this.calls.push('delete');
    return { status: this.overridesById.delete(overrideId) ? 204 : 404 };
  }
}
