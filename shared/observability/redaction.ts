/**
 * Personal fields never reach logs or payloads that leave the system. Agent and user ids are pseudonymous
 * vendor ids and stay; names, contact details and free text about a person are replaced.
 */
export const PERSONAL_FIELDS = new Set(
  [
    'name',
    'firstName',
    'lastName',
    'first_name',
    'last_name',
    'fullName',
    'full_name',
    'displayName',
    'agentName',
    'agent_name',
    'email',
    'emailAddress',
    'phone',
    'phoneNumber',
    'phone_number',
    'address',
    'dateOfBirth',
    'ssn',
    'notes',
    'comment',
    'comments',
    'customerName',
    'ani',
    'dnis',
  ].map((f) => f.toLowerCase()),
);

export const REDACTED = '[redacted]';

export function isPersonalField(key: string): boolean {
  return PERSONAL_FIELDS.has(key.toLowerCase());
}

/** A JSON.stringify replacer (and Powertools `jsonReplacerFn`) that redacts personal fields at any depth. */
export function redactingReplacer(key: string, value: unknown): unknown {
  return key && isPersonalField(key) && value !== null && value !== undefined ? REDACTED : value;
}

/** A deep copy with personal fields redacted. */
export function redact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactingReplacer)) as T;
}
