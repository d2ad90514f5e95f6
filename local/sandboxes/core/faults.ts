/**
 * Fault injection: "the next N calls matching method + path" answer a status, wait, or lose their connection.
 * `path` is relative to the vendor prefix (a leading `/genesys`, `/cxone` or `/rewards` is stripped); without
 * `*` it matches as a prefix, with `*` as a glob over the whole path (`*` spans `/`). A `commitFirst` fault
 * lets the call change the vendor's state, then fails its answer (the marketplace that issued and then 503'd).
 */
import { z } from 'zod';

export const FaultSchema = z
  .object({
    method: z.string().min(1).default('*'),
    path: z.string().min(1).default('*'),
    status: z.number().int().min(100).max(599).optional(),
    /** How many matching calls the fault applies to. */
    times: z.number().int().positive().default(1),
    retryAfterSeconds: z.number().nonnegative().optional(),
    delayMs: z.number().int().nonnegative().max(600_000).optional(),
    dropConnection: z.boolean().default(false),
    /** Replaces the default `{ error, message }` body of a status fault. */
    body: z.unknown().optional(),
    /**
     * "Commit then fail": the call reaches the endpoint and changes its state first; only then is its answer
     * replaced (status, or a dropped connection). Applies to calls the endpoint answered 2xx.
     */
    commitFirst: z.boolean().default(false),
  })
  .refine((f) => f.status !== undefined || f.delayMs !== undefined || f.dropConnection, {
    message: 'a fault needs at least one of status, delayMs or dropConnection',
  });
export type FaultInput = z.input<typeof FaultSchema>;
export type Fault = z.output<typeof FaultSchema>;

export const FaultRequestSchema = z.union([
  z.array(FaultSchema),
  z.object({ faults: z.array(FaultSchema), replace: z.boolean().default(false) }),
]);

export interface ActiveFault extends Fault {
  readonly id: number;
  remaining: number;
  applied: number;
}

export function pathMatcher(pattern: string): (path: string) => boolean {
  if (pattern === '*') return () => true;
  if (pattern.includes('*')) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    const regex = new RegExp(`^${source}$`);
    return (path) => regex.test(path);
  }
  return (path) => path.startsWith(pattern);
}

export class FaultList {
  private faults: (ActiveFault & { matches: (path: string) => boolean })[] = [];
  private nextId = 1;

  constructor(private readonly vendorPrefix: string) {}

  add(faults: readonly Fault[], replace = false): void {
    if (replace) this.faults = [];
    for (const f of faults) {
      const path = f.path.startsWith(this.vendorPrefix + '/')
        ? f.path.slice(this.vendorPrefix.length)
        : f.path;
      this.faults.push({
        ...f,
        path,
        method: f.method.toUpperCase(),
        id: this.nextId++,
        remaining: f.times,
        applied: 0,
        matches: pathMatcher(path),
      });
    }
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * Consumes one use of the first fault matching the call, if any: before the endpoint (`commitFirst` false)
   * or after it committed (`commitFirst` true).
   */
  take(method: string, path: string, commitFirst = false): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        f.commitFirst === commitFirst &&
        (f.method === '*' || f.method === method) &&
        f.matches(path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.applied += 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  list(): ActiveFault[] {
    return this.faults.map(({ matches: _matches, ...f }) => ({ ...f }));
  }
}
