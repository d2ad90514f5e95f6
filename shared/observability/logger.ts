import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redaction';

/**
 * Powertools Logger with personal-field redaction. Correlation keys (`workflow`, `vendorEventId`) are added
 * per message with `withCorrelation`.
 */
export function createLogger(workflow?: string): Logger {
  return new Logger({
    jsonReplacerFn: redactingReplacer,
    persistentKeys: workflow ? { workflow } : {},
  });
}

export function withCorrelation<T>(
  logger: Logger,
  keys: { vendorEventId?: string; workflow?: string },
  fn: () => T,
) {
  logger.appendKeys(keys);
  try {
    return fn();
  } finally {
    logger.removeKeys(Object.keys(keys));
  }
}
