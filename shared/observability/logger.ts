import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redaction';

/** Powertools Logger with personal-field redaction; `workflow` is on every line of a workflow function. */
export function createLogger(workflow?: string): Logger {
  return new Logger({
    jsonReplacerFn: redactingReplacer,
    persistentKeys: workflow ? { workflow } : {},
  });
}
