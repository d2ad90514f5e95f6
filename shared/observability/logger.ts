import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { redactingReplacer } from './redaction';

/** Keys of the unit of work in progress (one SQS record), carried through its async calls only. */
const scopedKeys = new AsyncLocalStorage<LogAttributes>();

type ExtraInput = Parameters<Logger['info']> extends [unknown, ...infer R] ? R : never;

/**
 * A Powertools Logger whose every line also carries the keys of the unit of work it is written in
 * (`withLogKeys`). Records of one batch run concurrently, so keys appended to the shared logger
 * (`appendKeys`) would leak between them; the async context scopes them to one record, and the handlers and
 * the vendor client keep the one logger they were given.
 */
class ScopedKeysLogger extends Logger {
  protected override processLogItem(
    logLevel: number,
    input: Parameters<Logger['info']>[0],
    extra: ExtraInput,
  ) {
    const keys = scopedKeys.getStore();
    if (!keys) return super.processLogItem(logLevel, input, extra);
    const attributes = extra.map((x): LogAttributes =>
      typeof x === 'string' ? { extra: x } : x instanceof Error ? { error: x } : x,
    );
    super.processLogItem(logLevel, input, [keys, ...attributes]);
  }
}

/** Runs `work` with `keys` on every line logged within it (nested scopes add to the outer keys). */
export function withLogKeys<T>(keys: LogAttributes, work: () => Promise<T>): Promise<T> {
  return scopedKeys.run({ ...scopedKeys.getStore(), ...keys }, work);
}

/** Powertools Logger with personal-field redaction; `workflow` is on every line of a workflow function. */
export function createLogger(workflow?: string): Logger {
  return new ScopedKeysLogger({
    jsonReplacerFn: redactingReplacer,
    persistentKeys: workflow ? { workflow } : {},
  });
}
