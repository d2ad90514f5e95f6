/**
 * Issue 14, "bad input at the edge": generated webhook deliveries against the edge harness (the local gateway,
 * the real ingress handler, real queues), each checked against the webhook contract (docs/webhook-contract.md):
 * never a 5xx; every refusal a documented status with its JSON error code; enqueued on the workflow queue
 * exactly when correctly signed, valid and acted on; kept on the DLQ exactly when signed but schema-invalid.
 *
 * A case is a small description (route, body, tamper, header shape); the bytes are built from it, so a failure
 * prints a readable shrunk case. Signing goes through local/webhook-sender.ts, the one sender.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import type { SignatureScheme } from '../../shared/topology';
import { webhookHeaders } from '../../local/webhook-sender';
import type { EdgeHarness, EnqueuedMessage } from './edge-harness';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'webhooks', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;

type Act = 'accepted' | 'ignored';
interface BaseEvent {
  readonly name: string;
  readonly act: Act;
  readonly typeKey: 'eventType' | 'event_type';
  readonly payload: Record<string, unknown>;
}

const withData = (event: Record<string, unknown>, data: Record<string, unknown>) => ({
  ...event,
  data: { ...(event.data as Record<string, unknown>), ...data },
});

/** Per route path, well-formed events the vendor really sends, and what the workflow does with each. */
function baseEvents(): Record<string, BaseEvent[]> {
  const approved = fixture('genesys-timeoff-approved');
  const bidding = fixture('cxone-bidding-request-created');
  const schedule = fixture('cxone-schedule-published');
  return {
    '/webhooks/genesys/timeoff': [
      { name: 'timeoff approved', act: 'accepted', typeKey: 'eventType', payload: approved },
      {
        name: 'timeoff cancelled',
        act: 'accepted',
        typeKey: 'eventType',
        payload: fixture('genesys-timeoff-cancelled'),
      },
      {
        name: 'timeoff created (pending)',
        act: 'ignored',
        typeKey: 'eventType',
        payload: { ...withData(approved, { status: 'PENDING' }), eventType: 'timeoff.request.created' },
      },
      {
        name: 'timeoff approved, DENIED',
        act: 'ignored',
        typeKey: 'eventType',
        payload: withData(approved, { status: 'DENIED' }),
      },
      {
        name: 'timeoff approved, out of scope',
        act: 'ignored',
        typeKey: 'eventType',
        payload: withData(approved, { requestType: 'UNPAID_TIME_OFF' }),
      },
    ],
    '/webhooks/agent-state': [
      {
        name: 'agent state changed',
        act: 'accepted',
        typeKey: 'event_type',
        payload: fixture('agent-state-changed'),
      },
    ],
    '/webhooks/cxone/bidding': [
      { name: 'bidding created', act: 'accepted', typeKey: 'eventType', payload: bidding },
      {
        name: 'bidding updated',
        act: 'accepted',
        typeKey: 'eventType',
        payload: { ...bidding, eventType: 'wfm.bidding.request.updated' },
      },
    ],
    '/webhooks/cxone/schedule': [
      { name: 'schedule published', act: 'accepted', typeKey: 'eventType', payload: schedule },
      {
        name: 'schedule overridden',
        act: 'accepted',
        typeKey: 'eventType',
        payload: { ...schedule, eventType: 'wfm.schedule.overridden' },
      },
    ],
  };
}

/** What is done to the body before it is signed. */
export type BodyShape =
  | { kind: 'as-sent'; pretty: boolean }
  | { kind: 'extra-field'; value: string }
  | { kind: 'deep-extra-field'; depth: number }
  | { kind: 'at-size'; slackBytes: number }
  | { kind: 'oversized'; overBytes: number }
  | { kind: 'drop-field'; field: 'type' | 'timestamp' | 'data' }
  | { kind: 'unknown-type'; eventType: string }
  | { kind: 'naive-timestamp' }
  | { kind: 'not-an-event'; json: 'null' | 'array' | 'number' | 'string' | 'deep-array'; depth: number }
  | { kind: 'not-json'; cutAt: number };

/** What is done to the delivery after it is signed. */
export type Tamper =
  | { kind: 'none' }
  | { kind: 'unsigned' }
  | { kind: 'wrong-secret' }
  | { kind: 'body-flip'; at: number; xor: number }
  | { kind: 'invalid-utf8'; at: number; byte: number }
  | { kind: 'signature-flip'; header: number; at: number; char: number }
  | { kind: 'signature-name-flip'; header: number; at: number }
  | { kind: 'clock'; offsetSeconds: number }
  | { kind: 'malformed-timestamp'; value: string };

export type Duplicate = 'none' | 'same' | 'same-other-case' | 'forged-first' | 'forged-last';

export interface FuzzCase {
  /** An index into the topology's routes, or a path no route has. */
  readonly route: number | { unknownPath: string };
  readonly event: number;
  readonly scheme: SignatureScheme;
  readonly body: BodyShape;
  readonly tamper: Tamper;
  readonly headerCase: readonly ('lower' | 'upper' | 'as-is')[];
  readonly headerOrder: readonly number[];
  readonly duplicate: Duplicate;
}

const UNKNOWN_PATHS = [
  '/webhooks',
  '/webhooks/genesys/timeoff/',
  '/webhooks/GENESYS/timeoff',
  '/webhooks/agent-state.json',
  '/webhooks/cxone/bids',
  '/',
];
const MALFORMED_TIMESTAMPS = [
  '',
  'abc',
  '1e9',
  '-1',
  '1.5',
  '0x10',
  '99999999999999999999',
  'NaN',
  '+1700000000',
];

export function fuzzCaseArbitrary(routeCount: number): fc.Arbitrary<FuzzCase> {
  const body: fc.Arbitrary<BodyShape> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('as-sent' as const), pretty: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('extra-field' as const),
        value: fc.string({ unit: 'binary', maxLength: 40 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('deep-extra-field' as const),
        depth: fc.integer({ min: 1, max: 20_000 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('at-size' as const),
        slackBytes: fc.integer({ min: 0, max: 2048 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('oversized' as const),
        overBytes: fc.integer({ min: 1, max: 65_536 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('drop-field' as const),
        field: fc.constantFrom('type' as const, 'timestamp' as const, 'data' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('unknown-type' as const),
        eventType: fc.oneof(
          fc.constantFrom('timeoff.request.deleted', 'agent.state.changed', 'wfm.schedule.published', ''),
          fc.string({ unit: 'binary', maxLength: 30 }),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('naive-timestamp' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('not-an-event' as const),
        json: fc.constantFrom(
          'null' as const,
          'array' as const,
          'number' as const,
          'string' as const,
          'deep-array' as const,
        ),
        depth: fc.integer({ min: 1, max: 50_000 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('not-json' as const), cutAt: fc.nat() }),
    },
  );
  const tamper: fc.Arbitrary<Tamper> = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'unsigned' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'wrong-secret' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('body-flip' as const),
        at: fc.nat(),
        xor: fc.integer({ min: 1, max: 255 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('invalid-utf8' as const),
        at: fc.nat(),
        byte: fc.constantFrom(0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xf0, 0xfe, 0xff),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('signature-flip' as const),
        header: fc.nat(),
        at: fc.nat(),
        char: fc.integer({ min: 0x21, max: 0x7e }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('signature-name-flip' as const),
        header: fc.nat(),
        at: fc.nat(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('clock' as const),
        offsetSeconds: fc.oneof(
          fc.integer({ min: -290, max: 290 }),
          fc.integer({ min: 310, max: 10 * 365 * 86400 }),
          fc.integer({ min: -10 * 365 * 86400, max: -310 }),
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('malformed-timestamp' as const),
        value: fc.oneof(fc.constantFrom(...MALFORMED_TIMESTAMPS), fc.string({ minLength: 1, maxLength: 12 })),
      }),
    },
  );
  return fc.record({
    route: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: routeCount - 1 }) },
      { weight: 1, arbitrary: fc.record({ unknownPath: fc.constantFrom(...UNKNOWN_PATHS) }) },
    ),
    event: fc.nat({ max: 9 }),
    scheme: fc.constantFrom('hmac-sha256' as const, 'standard-webhooks' as const),
    body,
    tamper,
    headerCase: fc.array(fc.constantFrom('lower' as const, 'upper' as const, 'as-is' as const), {
      minLength: 5,
      maxLength: 5,
    }),
    headerOrder: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    duplicate: fc.oneof(
      { weight: 6, arbitrary: fc.constant('none' as const) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'same' as const,
          'same-other-case' as const,
          'forged-first' as const,
          'forged-last' as const,
        ),
      },
    ),
  });
}

/** The most the ingress's queue attributes can add to a body (event type, id, times and a detail cut at 1 KB). */
const QUEUE_ATTRIBUTES_ALLOWANCE = 4096;
const SIGNATURE_HEADERS = [
  'x-webhook-signature',
  'x-webhook-timestamp',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];
/** The signed timestamp of each scheme (both sign one: decision 0011). */
const TIMESTAMP_HEADERS = ['x-webhook-timestamp', 'webhook-timestamp'];
const TYPE_KEY_DROP = { type: '', timestamp: 'timestamp', data: 'data' } as const;

/** The bytes and headers of a case, and what the contract says must come of it. */
export interface Delivery {
  readonly path: string;
  readonly workflow?: string;
  readonly body: Buffer;
  readonly headers: readonly [string, string][];
  /** The statuses the contract allows for this delivery. */
  readonly allowed: readonly number[];
  /** Whether the workflow acts on it, when it is answered 202. */
  readonly act?: Act;
  /**
   * A signed JSON body with no event id of its own (null, a number, nested empty arrays) is known by its hash, so
   * the same bytes sent by an earlier case are a replay: answered 202 duplicate before the contract is checked
   * (decision 0011), which is the documented answer whatever the first delivery got.
   */
  readonly mayBeReplay?: boolean;
}

export function buildDelivery(c: FuzzCase, h: Pick<EdgeHarness, 'routes' | 'maxBodyBytes'>): Delivery {
  const route = typeof c.route === 'number' ? h.routes[c.route % h.routes.length]! : undefined;
  const path = route?.path ?? (c.route as { unknownPath: string }).unknownPath;
  const events = baseEvents()[route?.path ?? '/webhooks/genesys/timeoff']!;
  const base = events[c.event % events.length]!;

  // The body, and what it is when correctly signed.
  let text: string;
  let validity: 'event' | 'schema_invalid' | 'invalid_json' = 'event';
  // A fresh delivery each case: the replay guard answers a repeated event id `duplicate` (decision 0011).
  const payload: Record<string, unknown> = { ...base.payload, eventId: `fuzz-${randomUUID()}` };
  switch (c.body.kind) {
    case 'as-sent':
      text = JSON.stringify(payload, null, c.body.pretty ? 2 : undefined);
      break;
    case 'extra-field':
      text = JSON.stringify({ ...payload, vendorNote: c.body.value });
      break;
    case 'deep-extra-field':
      text = `${JSON.stringify(payload).slice(0, -1)},"vendorTrace":${'{"a":'.repeat(c.body.depth)}1${'}'.repeat(c.body.depth)}}`;
      break;
    case 'at-size':
    case 'oversized': {
      const target =
        c.body.kind === 'at-size' ? h.maxBodyBytes - c.body.slackBytes : h.maxBodyBytes + c.body.overBytes;
      const empty = JSON.stringify({ ...payload, padding: '' });
      text = JSON.stringify({ ...payload, padding: 'x'.repeat(Math.max(0, target - empty.length)) });
      break;
    }
    case 'drop-field': {
      const key = c.body.field === 'type' ? base.typeKey : TYPE_KEY_DROP[c.body.field];
      delete payload[key];
      text = JSON.stringify(payload);
      validity = 'schema_invalid';
      break;
    }
    case 'unknown-type': {
      const shapeType = c.body.eventType;
      text = JSON.stringify({ ...payload, [base.typeKey]: c.body.eventType });
      // The same event type on another route, or a made-up one: not this route's contract.
      validity = events.some((e) => e.payload[base.typeKey] === shapeType) ? 'event' : 'schema_invalid';
      break;
    }
    case 'naive-timestamp':
      text = JSON.stringify({ ...payload, timestamp: '2024-11-15T14:32:00' });
      validity = 'schema_invalid';
      break;
    case 'not-an-event': {
      const d = c.body.depth;
      text = {
        null: 'null',
        array: JSON.stringify([payload]),
        number: '42',
        string: JSON.stringify(JSON.stringify(payload)),
        'deep-array': `${'['.repeat(d)}${']'.repeat(d)}`,
      }[c.body.json];
      validity = 'schema_invalid';
      break;
    }
    case 'not-json': {
      const full = JSON.stringify(payload);
      text = full.slice(0, c.body.cutAt % full.length);
      validity = 'invalid_json';
      break;
    }
  }
  let body = Buffer.from(text, 'utf8');
  const oversized = body.length > h.maxBodyBytes;

  // Signing, through the one sender.
  const nowMs = Date.now();
  const t = c.tamper;
  let signedOk = true;
  const signed = webhookHeaders(text, {
    scheme: t.kind === 'unsigned' ? 'none' : c.scheme,
    secret: t.kind === 'wrong-secret' ? 'not-the-route-secret' : undefined,
    nowMs: t.kind === 'clock' ? nowMs + t.offsetSeconds * 1000 : nowMs,
  });
  let headers: [string, string][] = Object.entries(signed);
  const signatureIndexes = headers
    .map(([name], i) => (SIGNATURE_HEADERS.includes(name.toLowerCase()) ? i : -1))
    .filter((i) => i >= 0);

  switch (t.kind) {
    case 'none':
      break;
    case 'unsigned':
    case 'wrong-secret':
      signedOk = false;
      break;
    case 'body-flip':
    case 'invalid-utf8': {
      if (body.length === 0) break;
      body = Buffer.from(body);
      const at = t.at % body.length;
      const next = t.kind === 'body-flip' ? body[at]! ^ t.xor : t.byte;
      if (next !== body[at]) {
        body[at] = next;
        signedOk = false;
      }
      break;
    }
    case 'signature-flip': {
      const i = signatureIndexes[t.header % signatureIndexes.length]!;
      const [name, value] = headers[i]!;
      const at = t.at % value.length;
      const flipped = `${value.slice(0, at)}${String.fromCharCode(t.char)}${value.slice(at + 1)}`;
      if (!sameSignature(name, value, flipped)) signedOk = false;
      headers[i] = [name, flipped];
      break;
    }
    case 'signature-name-flip': {
      const i = signatureIndexes[t.header % signatureIndexes.length]!;
      const [name, value] = headers[i]!;
      const at = t.at % name.length;
      const replacement = name[at]!.toLowerCase() === 'q' ? 'z' : 'q';
      headers[i] = [`${name.slice(0, at)}${replacement}${name.slice(at + 1)}`, value];
      signedOk = false;
      break;
    }
    case 'clock':
      if (Math.abs(t.offsetSeconds) > 300) signedOk = false;
      break;
    case 'malformed-timestamp': {
      const i = headers.findIndex(([name]) => TIMESTAMP_HEADERS.includes(name.toLowerCase()));
      if (i >= 0) {
        headers[i] = [headers[i]![0], t.value];
        signedOk = false;
      }
      break;
    }
  }

  // Header shape: case, order, duplicates. None of it changes what a delivery means.
  headers = headers.map(([name, value], i) => {
    const shape = c.headerCase[i % c.headerCase.length];
    return [shape === 'lower' ? name.toLowerCase() : shape === 'upper' ? name.toUpperCase() : name, value];
  });
  const order = headers.map((_, i) => c.headerOrder[i % c.headerOrder.length]! * 8 + i);
  headers = headers
    .map((hdr, i) => [order[i]!, hdr] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, hdr]) => hdr);
  let duplicated = false;
  const sigAt = headers.findIndex(([name]) => SIGNATURE_HEADERS.includes(name.toLowerCase()));
  if (c.duplicate !== 'none' && sigAt >= 0) {
    duplicated = true;
    const [name, value] = headers[sigAt]!;
    const otherCase = name === name.toLowerCase() ? name.toUpperCase() : name.toLowerCase();
    const forged: [string, string] = [otherCase, `${value.slice(0, -4)}AAAA`];
    if (c.duplicate === 'same') headers.splice(sigAt + 1, 0, [name, value]);
    if (c.duplicate === 'same-other-case') headers.splice(sigAt + 1, 0, [otherCase, value]);
    if (c.duplicate === 'forged-first') headers.splice(sigAt, 0, forged);
    if (c.duplicate === 'forged-last') headers.splice(sigAt + 1, 0, forged);
  }

  // What the contract allows (docs/webhook-contract.md): size, then signature, then JSON, then the contract.
  let allowed: number[];
  if (!route) allowed = [404];
  else if (oversized) allowed = [413];
  else if (!signedOk) allowed = [401];
  else {
    const verdict = validity === 'event' ? 202 : validity === 'invalid_json' ? 400 : 422;
    // A repeated signature header may be read as either of its values (API Gateway keeps the last of one name;
    // names differing in case are two headers) and refused.
    allowed = duplicated ? [verdict, 401] : [verdict];
    // Within a few KB of the limit, the queue message (body and attributes) may not fit SQS's: 413.
    if (verdict !== 400 && body.length > h.maxBodyBytes - QUEUE_ATTRIBUTES_ALLOWANCE) allowed.push(413);
  }
  const shape = c.body;
  const act =
    shape.kind === 'unknown-type'
      ? events.find((e) => e.payload[base.typeKey] === shape.eventType)?.act
      : base.act;
  const mayBeReplay =
    allowed.includes(422) &&
    shape.kind === 'not-an-event' &&
    (shape.json === 'null' || shape.json === 'number' || shape.json === 'deep-array');
  return { path, workflow: route?.workflow, body, headers, allowed, act, mayBeReplay };
}

/** Whether a flipped signature header still carries the same MAC (hex case, base64 spare bits). */
function sameSignature(name: string, original: string, flipped: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'x-webhook-signature') return original.toLowerCase() === flipped.toLowerCase();
  if (lower === 'webhook-signature') {
    const mac = (v: string) => {
      const [version, value] = v.split(',');
      return version === 'v1' && value ? Buffer.from(value, 'base64') : undefined;
    };
    const a = mac(original);
    const b = mac(flipped);
    return !!a && !!b && a.equals(b) && !flipped.includes(' ');
  }
  return original === flipped;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
}

/** POSTs the exact bytes and header list (case, order and repeats kept), as a vendor's client would. */
export function deliver(gatewayUrl: string, d: Delivery): Promise<Answer> {
  const url = new URL(d.path, gatewayUrl);
  const flat = d.headers.flatMap(([n, v]) => [n, v]);
  // With a raw header list Node adds nothing itself: Host and Content-Length are the client's to send.
  flat.push('Host', url.host, 'Content-Length', String(d.body.length));
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: flat },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to POST ${d.path} within 30 s`)));
    req.on('error', reject);
    req.end(d.body);
  });
}

const ERROR_BY_STATUS: Record<number, readonly string[]> = {
  400: ['invalid_json'],
  401: ['signature_missing', 'signature_invalid', 'signature_expired'],
  404: ['route_not_found'],
  413: ['payload_too_large'],
  422: ['schema_invalid'],
};

/** The contract's verdict on one delivery: its violations (none when it held). */
export function violations(d: Delivery, answer: Answer, enqueued: readonly EnqueuedMessage[]): string[] {
  const out: string[] = [];
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    out.push(`answer is not JSON: ${answer.text.slice(0, 200)}`);
  }
  if (answer.status >= 500) out.push(`answered ${answer.status} ${answer.text.slice(0, 300)}`);
  const replayed = !!d.mayBeReplay && answer.status === 202 && json?.status === 'duplicate';
  if (!d.allowed.includes(answer.status) && !replayed)
    out.push(
      `answered ${answer.status}, the contract allows ${d.allowed.join(' or ')}: ${answer.text.slice(0, 300)}`,
    );
  if (json && answer.status !== 202) {
    const codes = ERROR_BY_STATUS[answer.status];
    if (!codes) out.push(`${answer.status} is not a documented status`);
    else if (!codes.includes(json.error as string))
      out.push(`${answer.status} with error ${String(json.error)}, documented: ${codes.join(', ')}`);
    if (typeof json.message !== 'string') out.push('error answer without a message');
  }
  if (json && answer.status === 202 && !replayed) {
    if (json.status !== d.act) out.push(`202 ${String(json.status)}, expected ${d.act}`);
    if (typeof json.eventId !== 'string') out.push('202 without an eventId');
  }
  const sent = d.body.toString('utf8');
  const expectQueue = answer.status === 202 && json?.status === 'accepted' ? 1 : 0;
  const expectDlq = answer.status === 422 ? 1 : 0;
  const onQueue = enqueued.filter((m) => m.queue === 'queue');
  const onDlq = enqueued.filter((m) => m.queue === 'dlq');
  if (onQueue.length !== expectQueue)
    out.push(`${onQueue.length} message(s) on a workflow queue, expected ${expectQueue}`);
  if (onDlq.length !== expectDlq) out.push(`${onDlq.length} message(s) on a DLQ, expected ${expectDlq}`);
  for (const m of enqueued) {
    if (m.workflow !== d.workflow)
      out.push(`enqueued for ${m.workflow}, the route's workflow is ${d.workflow}`);
    if (m.body !== sent) out.push(`enqueued a body that is not the one sent (${m.body.slice(0, 80)})`);
    if (m.queue === 'dlq' && m.attributes.failureReason !== 'SCHEMA_INVALID')
      out.push(`DLQ message without reason SCHEMA_INVALID: ${JSON.stringify(m.attributes).slice(0, 200)}`);
  }
  return out;
}

/** The label an outcome is counted under: status and error code or 202 status. */
export function outcomeLabel(answer: Answer): string {
  try {
    const json = JSON.parse(answer.text) as { error?: string; status?: string };
    return `${answer.status} ${json.error ?? json.status ?? ''}`.trim();
  } catch {
    return `${answer.status} (not JSON)`;
  }
}

export interface FuzzRun {
  readonly seed: number;
  readonly cases: number;
  readonly outcomes: Record<string, number>;
  /** The process's RSS (gateway, ingress instances and queues all live in it) after warm-up and at each tenth. */
  readonly rssMb: readonly number[];
  readonly heapBeforeMb: number;
  readonly heapAfterMb: number;
  readonly durationMs: number;
  /** fast-check's report (seed, counterexample path, shrunk case) and the violations, when a property failed. */
  readonly failure?: string;
}

const mb = (bytes: number) => +(bytes / 1024 / 1024).toFixed(1);

/** A full collection before a memory reading, when the process can ask for one. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** Sends a case and checks it: the contract's violations, and the outcome label. */
export async function checkCase(
  harness: EdgeHarness,
  c: FuzzCase,
): Promise<{ label: string; found: string[] }> {
  const delivery = buildDelivery(c, harness);
  const answer = await deliver(harness.gatewayUrl, delivery);
  const enqueued = await harness.drain();
  return { label: outcomeLabel(answer), found: violations(delivery, answer, enqueued) };
}

/**
 * Runs `numRuns` generated cases one after another (each drains the queues, so what it enqueued is its own),
 * counting outcomes. Stops at the first violation, shrinks it, and returns fast-check's report.
 */
export async function runGatewayFuzz(
  harness: EdgeHarness,
  { seed, numRuns, warmup = 0 }: { seed: number; numRuns: number; warmup?: number },
): Promise<FuzzRun> {
  const outcomes: Record<string, number> = {};
  const rssMb: number[] = [];
  let cases = 0;
  let counting = false;
  const property = fc.asyncProperty(fuzzCaseArbitrary(harness.routes.length), async (c) => {
    const { label, found } = await checkCase(harness, c);
    if (counting) {
      cases++;
      outcomes[label] = (outcomes[label] ?? 0) + 1;
      if (cases % Math.max(1, Math.floor(numRuns / 10)) === 0) {
        collectGarbage();
        rssMb.push(mb(process.memoryUsage().rss));
      }
    }
    if (found.length) throw new Error(found.join('\n'));
  });
  if (warmup > 0) await fc.check(property, { seed: seed + 1, numRuns: warmup });
  counting = true;
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  rssMb.push(mb(process.memoryUsage().rss));
  const started = Date.now();
  const result = await fc.check(property, { seed, numRuns });
  collectGarbage();
  return {
    seed,
    cases,
    outcomes,
    rssMb,
    heapBeforeMb: mb(heapBefore),
    heapAfterMb: mb(process.memoryUsage().heapUsed),
    durationMs: Date.now() - started,
    failure: result.failed
      ? `${fc.defaultReportMessage(result)}\nViolations:\n${String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance)}`
      : undefined,
  };
}

/**
 * A replayed delivery (the same bytes and headers, sent again) is never enqueued twice, whatever the edge
 * answers the replay. Generic on purpose: it holds however replays are recognised (a signed timestamp's
 * window, a nonce store), and says nothing of the status a replay gets beyond the contract's.
 */
export function replayProperty(harness: EdgeHarness) {
  const valid = fuzzCaseArbitrary(harness.routes.length).map((c): FuzzCase => ({
    ...c,
    route: typeof c.route === 'number' ? c.route : 0,
    body: { kind: 'as-sent', pretty: false },
    tamper: { kind: 'none' },
    duplicate: 'none',
  }));
  return fc.asyncProperty(valid, fc.integer({ min: 0, max: 2000 }), async (c, pauseMs) => {
    const delivery = buildDelivery(c, harness);
    const first = await deliver(harness.gatewayUrl, delivery);
    await new Promise((r) => setTimeout(r, pauseMs));
    const replay = await deliver(harness.gatewayUrl, delivery);
    const enqueued = await harness.drain();
    const found: string[] = [];
    for (const a of [first, replay]) {
      if (a.status >= 500 || !(a.status === 202 || ERROR_BY_STATUS[a.status]))
        found.push(`answered ${a.status} ${a.text.slice(0, 200)}`);
    }
    const copies = enqueued.filter((m) => m.queue === 'queue').length;
    if (copies > 1) found.push(`the delivery was enqueued ${copies} times`);
    if (found.length) throw new Error(found.join('\n'));
  });
}
