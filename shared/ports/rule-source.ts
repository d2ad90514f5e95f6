/**
 * A versioned rule document kept outside the code (docs/decisions/0010-rule-documents-in-appconfig.md): the
 * shift-bid rules (spec 003) and the points rules (spec 004). AppConfig on AWS, the local runtime's AppConfig
 * fake locally, an in-memory fake in tests.
 */
import { RetryableFailure } from '../errors';

export interface RuleSnapshot<Document> {
  /** The last document that passed validation. */
  readonly document: Document;
  /** The document's own `version`: every decision and ledger entry records it. */
  readonly version: string;
}

export interface RuleSource<Document> {
  /**
   * The rules in force. A newly deployed document that fails validation is refused (and counted for the
   * alarm); the last good one stays in force. Rejects with `RuleDocumentUnavailable` only while no good
   * version has ever been loaded.
   */
  current(): Promise<RuleSnapshot<Document>>;
}

/** No good version of a rule document has been loaded yet; `problems` lists every reason, with its path. */
export class RuleDocumentUnavailable extends RetryableFailure {
  constructor(
    readonly ruleDocument: string,
    readonly problems: readonly string[],
  ) {
    super(
      'RULE_DOCUMENT_UNAVAILABLE',
      `No valid ${ruleDocument} document is in force:\n  ${problems.join('\n  ')}`,
      { ruleDocument, problems },
    );
  }
}
