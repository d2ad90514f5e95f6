/**
 * Rule documents served from memory, with the same max age, validation and last-good behaviour as the
 * AppConfig source (both are a `ValidatedRuleSource`). A test deploys a document (valid or not) with `deploy`,
 * makes the store fail with `failReads`, and reads what was refused from `refusals`.
 */
import type { VersionedDocument } from '../../domain/rules/versioned-document';
import type { Clock } from '../../ports/clock';
import type { RuleSnapshot, RuleSource } from '../../ports/rule-source';
import { ValidatedRuleSource, type Versioned } from '../../runtime/validated-rule-source';

export interface InMemoryRuleSourceOptions<Document extends Versioned> {
  readonly name: string;
  readonly versioned: VersionedDocument<Document>;
  readonly clock: Clock;
  readonly maxAgeSeconds?: number;
  /** What is deployed at first; leave it out to start with nothing deployed. */
  readonly initial?: unknown;
}

export class InMemoryRuleSource<Document extends Versioned> implements RuleSource<Document> {
  /** The problems of every refused fetch, in order (what the AppConfig source counts for the alarm). */
  readonly refusals: (readonly string[])[] = [];
  /** How many times the store was read. */
  fetches = 0;
  private deployed: unknown;
  private readFailure: Error | undefined;
  private readonly source: ValidatedRuleSource<Document>;

  constructor(options: InMemoryRuleSourceOptions<Document>) {
    this.deployed = options.initial;
    this.source = new ValidatedRuleSource({
      name: options.name,
      versioned: options.versioned,
      clock: options.clock,
      maxAgeSeconds: options.maxAgeSeconds ?? 60,
      fetch: async () => {
        this.fetches += 1;
        if (this.readFailure) throw this.readFailure;
        return typeof this.deployed === 'object' ? structuredClone(this.deployed) : this.deployed;
      },
      onRefused: (problems) => this.refusals.push(problems),
    });
  }

  /** Deploys a document (an object or JSON text), as an operator's AppConfig deployment does. */
  deploy(document: unknown): void {
    this.deployed = document;
  }

  /** Reads of the store fail with `error` until called again with undefined. */
  failReads(error: Error | undefined): void {
    this.readFailure = error;
  }

  current(): Promise<RuleSnapshot<Document>> {
    return this.source.current();
  }
}
