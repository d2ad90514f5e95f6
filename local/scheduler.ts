/**
 * EventBridge Scheduler, locally: `rate(...)` expressions on intervals, `cron(...)` expressions checked
 * every minute in the schedule's IANA time zone (minute, hour, day-of-month, month and day-of-week fields with
 * numbers, lists and `*`/`?`; ranges and steps are not needed by this topology and are rejected loudly).
 * Any schedule can be run now through the gateway: POST /_local/schedules/{id}/run. A JSON body, if any, is the
 * invocation's payload instead of the scheduler's event (what `aws lambda invoke --payload` does in AWS).
 */
export interface LocalSchedule {
  readonly id: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly run: (payload?: unknown) => Promise<unknown>;
}

export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60_000 : m[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

export function cronMatches(expression: string, at: Date, timeZone: string): boolean {
  const m = /^cron\((.+)\)$/.exec(expression);
  if (!m) throw new Error(`Not a cron expression: ${expression}`);
  const [minute, hour, dom, month, dow] = m[1]!.split(/\s+/);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      minute: 'numeric',
      hour: 'numeric',
      day: 'numeric',
      month: 'numeric',
      weekday: 'short',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!) + 1; // AWS: 1 = Sunday
  const field = (spec: string | undefined, value: number) => {
    if (!spec || spec === '*' || spec === '?') return true;
    if (/[-/#LW]/.test(spec)) throw new Error(`cron field "${spec}" is not supported by the local scheduler`);
    return spec.split(',').map(Number).includes(value);
  };
  return (
    field(minute, Number(parts.minute)) &&
    field(hour, Number(parts.hour)) &&
    field(dom, Number(parts.day)) &&
    field(month, Number(parts.month)) &&
    field(dow, weekday)
  );
}

export class LocalScheduler {
  private timers: NodeJS.Timeout[] = [];
  readonly runs = new Map<string, number>();

  constructor(
    private readonly schedules: readonly LocalSchedule[],
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    for (const s of this.schedules) {
      const every = rateMs(s.expression);
      if (every) {
        this.timers.push(setInterval(() => void this.runNow(s.id), every));
      } else {
        cronMatches(s.expression, new Date(), s.timeZone); // validates the expression at start
        this.timers.push(
          setInterval(() => {
            if (cronMatches(s.expression, new Date(), s.timeZone)) void this.runNow(s.id);
          }, 60_000),
        );
      }
    }
  }

  async runNow(id: string, payload?: unknown): Promise<unknown> {
    const s = this.schedules.find((x) => x.id === id);
    if (!s) throw new Error(`No schedule ${id}; schedules: ${this.schedules.map((x) => x.id).join(', ')}`);
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    try {
      return await s.run(payload);
    } catch (err) {
      this.log(`[schedule ${id}] failed: ${(err as Error).message.split('\n')[0]}`);
      throw err;
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
