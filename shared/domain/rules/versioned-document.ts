/**
 * A versioned rule document kept outside the code (AppConfig on AWS, the local runtime serves the same
 * document): the shift-bid rules (spec 003) and the points rules (spec 004). Both refuse a bad document with
 * every problem and its path, and keep the last good version in force when a new one is refused.
 */
import type { z } from 'zod/mini';

export type ParsedDocument<Document> =
  | { readonly ok: true; readonly document: Document }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface NextDocument<Document> {
  readonly inForce: Document | undefined;
  /** The problems of a refused document; the caller raises the alarm with them. */
  readonly refused?: readonly string[];
}

export interface VersionedDocument<Document> {
  /** Validates a document (an object, or its JSON text) and lists every problem, each with its path. */
  parse(raw: unknown): ParsedDocument<Document>;
  /**
   * A document that fails validation is refused and the last good version stays in force. Before any good
   * version there is none in force: what that means is the workflow's to say.
   */
  next(lastGood: Document | undefined, raw: unknown): NextDocument<Document>;
}

export function versionedDocument<Schema extends z.ZodMiniType>(
  schema: Schema,
): VersionedDocument<z.output<Schema>> {
  type Document = z.output<Schema>;
  const parse = (raw: unknown): ParsedDocument<Document> => {
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch (error) {
        return { ok: false, problems: [`(document): not JSON: ${(error as Error).message}`] };
      }
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, document: parsed.data };
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `${issue.path.length ? issue.path.join('.') : '(document)'}: ${issue.message}`,
      ),
    };
  };
  const next = (lastGood: Document | undefined, raw: unknown): NextDocument<Document> => {
    const parsed = parse(raw);
    return parsed.ok ? { inForce: parsed.document } : { inForce: lastGood, refused: parsed.problems };
  };
  return { parse, next };
}
