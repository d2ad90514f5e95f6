// zod/mini, not zod: the ingress bundle carries only the checks these contracts use (cold start, issue 2).
// Mini has no messages of its own; the English locale gives the same ones classic zod gives.
import { config, maxLength, minLength, refine, regex, string } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

/**
 * An ISO 8601 instant that states its offset (`Z` or `±hh:mm`). Spec 002 edge case 2: a timestamp without
 * one is local time of an unknown zone, so it is rejected rather than guessed.
 */
export const Instant = string().check(
  regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO 8601 timestamp with Z or an explicit offset, e.g. 2026-05-15T14:32:07.123Z',
  ),
  refine((s) => !Number.isNaN(Date.parse(s)), 'is not a valid date and time'),
);

export const Id = string().check(minLength(1), maxLength(128));
/** A non-empty string. */
export const Text = string().check(minLength(1));
export const LocalDate = string().check(regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'));
export const LocalTime = string().check(regex(/^\d{2}:\d{2}(:\d{2})?$/, 'must be a local time hh:mm[:ss]'));
