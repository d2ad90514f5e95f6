/**
 * Test-only: kills a function instance at a named point of a record, so tests can show that the redelivery
 * ends in the same vendor state with no duplicate (issue 14, docs/local-runtime.md "Crash points"). Armed
 * through the local gateway (`POST /_local/faults/crash`); nothing in the deployed stack has it.
 *
 * - `before-vendor-call`: just before the first call that changes vendor state (not a GET) is sent;
 * - `after-vendor-answer`: just after that call's 2xx answer arrives, before anything is written;
 * - `after-state-write`: after the handler returned (every record's state written), before the poller
 *   hears of it, so nothing is deleted.
 *
 * The instance dies with `process.exit` inside its worker thread (local/function-worker.cjs); the pool starts
 * a fresh one, and the message comes back after its visibility timeout, as on Lambda.
 */
import { WORKFLOWS } from '../shared/topology';

export const CRASH_POINTS = ['before-vendor-call', 'after-vendor-answer', 'after-state-write'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The exit code of an instance the switch killed (the same number in local/function-worker.cjs). */
export const CRASH_EXIT_CODE = 86;

export interface CrashRequest {
  readonly workflow: string;
  readonly point: CrashPoint;
  /** How many invocations to kill (default 1). */
  readonly times?: number;
  /** Only invocations with a record whose body contains this text (tests sharing a runtime keep apart). */
  readonly bodyContains?: string;
}

export interface ArmedCrash {
  readonly id: number;
  readonly workflow: string;
  readonly point: CrashPoint;
  readonly bodyContains?: string;
  /** Crashes still to come (reserved ones included until their invocation ends). */
  remaining: number;
  /** Instances killed so far. */
  fired: number;
}

/** A crash handed to one invocation: settle it with whether the instance really died there. */
export interface ReservedCrash {
  readonly point: CrashPoint;
  settle(fired: boolean): void;
}

export class CrashSwitch {
  private readonly crashes: ArmedCrash[] = [];
  private nextId = 1;

  arm(request: unknown): ArmedCrash {
    const r = parseCrashRequest(request);
    const armed: ArmedCrash = {
      id: this.nextId++,
      workflow: r.workflow,
      point: r.point,
      ...(r.bodyContains !== undefined && { bodyContains: r.bodyContains }),
      remaining: r.times ?? 1,
      fired: 0,
    };
    this.crashes.push(armed);
    return armed;
  }

  list(): readonly ArmedCrash[] {
    return this.crashes;
  }

  disarmAll(): void {
    this.crashes.splice(0);
  }

  /**
   * The crash, if one is armed, for an invocation of `workflow` over these message bodies. It is reserved
   * while the invocation runs (two concurrent invocations never both take the last one) and handed back if
   * the instance did not die (the point was never reached, e.g. no vendor call was needed).
   */
  reserve(workflow: string, bodies: readonly string[]): ReservedCrash | undefined {
    const armed = this.crashes.find(
      (c) =>
        c.workflow === workflow &&
        c.remaining > 0 &&
        (c.bodyContains === undefined || bodies.some((b) => b.includes(c.bodyContains!))),
    );
    if (!armed) return undefined;
    armed.remaining -= 1;
    let settled = false;
    return {
      point: armed.point,
      settle: (fired) => {
        if (settled) return;
        settled = true;
        if (fired) armed.fired += 1;
        else armed.remaining += 1;
      },
    };
  }
}

function parseCrashRequest(request: unknown): CrashRequest {
  const r = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  const workflows = WORKFLOWS.map((w) => w.name as string);
  if (typeof r.workflow !== 'string' || !workflows.includes(r.workflow))
    throw new Error(`workflow must be one of ${workflows.join(', ')}`);
  if (typeof r.point !== 'string' || !(CRASH_POINTS as readonly string[]).includes(r.point))
    throw new Error(`point must be one of ${CRASH_POINTS.join(', ')}`);
  if (r.times !== undefined && !(Number.isInteger(r.times) && (r.times as number) >= 1))
    throw new Error('times must be a whole number of at least 1');
  if (r.bodyContains !== undefined && (typeof r.bodyContains !== 'string' || r.bodyContains === ''))
    throw new Error('bodyContains must be a non-empty string');
  return r as unknown as CrashRequest;
}
