/**
 * What every rule source does with the documents it is handed, wherever they come from (AppConfig, memory):
 * fetch at most once per max age, validate with the document's zod schema, keep the last good version in force
 * when a new one is refused, and report each refusal so the alarm fires while a bad document stays deployed.
 */
import type { VersionedDocument } from '../domain/rules/versioned-document';
import type { Clock } from '../ports/clock';
import { RuleDocumentUnavailable, type RuleSnapshot, type RuleSource } from '../ports/rule-source';

/** Both rule documents carry their own version label (shared/domain/*\/*rules.schema.ts). */
export interface Versioned {
  readonly version: string;
}

export interface ValidatedRuleSourceOptions<Document extends Versioned> {
  /** The rule document's name (its AppConfig configuration profile), e.g. `shift-bids-rules`. */
  readonly name: string;
  readonly versioned: VersionedDocument<Document>;
  /** The deployed document as stored: JSON text, its bytes, an object, or undefined when none is deployed. */
  readonly fetch: () => Promise<unknown>;
  readonly clock: Clock;
  readonly maxAgeSeconds: number;
  /** A fetched document failed validation (every refresh that sees it, not only the first). */
  readonly onRefused?: (problems: readonly string[], lastGoodVersion: string | undefined) => void;
  /** The store could not be read; the last good version, if any, stays in force. */
  readonly onUnavailable?: (error: Error, lastGoodVersion: string | undefined) => void;
  /** A new good version came into force. */
  readonly onLoaded?: (version: string, previousVersion: string | undefined) => void;
}

export class ValidatedRuleSource<Document extends Versioned> implements RuleSource<Document> {
  private inForce: Document | undefined;
  private problems: readonly string[] = ['(document): not loaded yet'];
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: ValidatedRuleSourceOptions<Document>) {}

  async current(): Promise<RuleSnapshot<Document>> {
    const { clock, maxAgeSeconds, name } = this.options;
    if (clock.now() - this.checkedAt >= maxAgeSeconds * 1000) {
      // Concurrent callers (a batch processed in parallel) share one fetch.
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    if (!this.inForce) throw new RuleDocumentUnavailable(name, this.problems);
    return { document: this.inForce, version: this.inForce.version };
  }

  private async refresh(): Promise<void> {
    const { fetch, versioned, clock, onRefused, onUnavailable, onLoaded } = this.options;
    const lastGood = this.inForce;
    let raw: unknown;
    try {
      raw = await fetch();
    } catch (error) {
      this.checkedAt = clock.now();
      this.problems = [`(store): ${(error as Error).message}`];
      onUnavailable?.(error as Error, lastGood?.version);
      return;
    }
    this.checkedAt = clock.now();
    if (raw instanceof Uint8Array) raw = new TextDecoder().decode(raw);
    if (raw === undefined || raw === null || raw === '') {
      this.problems = ['(document): none is deployed'];
      onRefused?.(this.problems, lastGood?.version);
      return;
    }
    const next = versioned.next(lastGood, raw);
    if (next.refused) {
      this.problems = next.refused;
      onRefused?.(next.refused, lastGood?.version);
      return;
    }
    this.inForce = next.inForce;
    if (next.inForce && next.inForce.version !== lastGood?.version)
      onLoaded?.(next.inForce.version, lastGood?.version);
  }
}
