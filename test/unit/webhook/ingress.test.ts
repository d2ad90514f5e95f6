import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryDeliveryNonceStore } from '../../../shared/adapters/aws/delivery-nonce-store.fake';
import type { SignatureScheme } from '../../../shared/topology';
import { handleWebhook, type IngressDeps, type QueueMessage } from '../../../shared/webhook/ingress';
import { normalizeHeaders, signedHeaders } from '../../../shared/webhook/signatures';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/webhooks', name), 'utf8');
const SECRET = 'local-webhook-secret';
const NOW = Date.parse('2026-05-15T14:32:10Z');
const BOTH: readonly SignatureScheme[] = ['hmac-sha256', 'standard-webhooks'];

function setup(overrides: Partial<IngressDeps> = {}, schemes: readonly SignatureScheme[] = BOTH) {
  const sent: QueueMessage[] = [];
  const route = (n: string) => ({
    queueUrl: `http://127.0.0.1/q/${n}`,
    dlqUrl: `http://127.0.0.1/q/${n}-dlq`,
    secretId: `secret-${n}`,
    signatureSchemes: schemes,
  });
  const deps: IngressDeps = {
    routes: {
      'genesys-timeoff': route('shift-overrides'),
      'agent-state': route('adherence-sync'),
      'cxone-bidding': route('shift-bids'),
      'cxone-schedule': route('shift-bids'),
    },
    maxBodyBytes: 4096,
    settings: { timeOffOverrideScope: ['PAID_TIME_OFF'] },
    secretsFor: async () => [SECRET],
    send: async (m) => {
      sent.push(m);
    },
    nonces: new InMemoryDeliveryNonceStore(),
    now: () => NOW,
    ...overrides,
  };
  const post = (path: string, body: string, sign = true) =>
    handleWebhook(
      {
        path,
        body,
        headers: normalizeHeaders(
          sign ? signedHeaders('hmac-sha256', SECRET, body, { nowMs: deps.now() }) : {},
        ),
      },
      deps,
    );
  const postWith = (path: string, body: string, headers: Record<string, string>) =>
    handleWebhook({ path, body, headers: normalizeHeaders(headers) }, deps);
  return { sent, post, postWith, deps };
}

/** The approved time-off sample, with another event type or other data fields, as a request body. */
function timeOff(changes: { eventType?: string; data?: Record<string, unknown> }): string {
  const approved = JSON.parse(fixture('genesys-timeoff-approved.json'));
  return JSON.stringify({
    ...approved,
    eventType: changes.eventType ?? approved.eventType,
    data: { ...approved.data, ...changes.data },
  });
}

const parse = (r: { response: { body: string } }) => JSON.parse(r.response.body) as Record<string, unknown>;

describe('webhook ingress', () => {
  it('accepts a signed approved time-off and enqueues the raw body with its attributes', async () => {
    const { sent, post } = setup();
    const body = fixture('genesys-timeoff-approved.json');
    const result = await post('/webhooks/genesys/timeoff', body);
    expect(result.response.statusCode).toBe(202);
    expect(parse(result)).toMatchObject({ status: 'accepted' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toBe(body);
    expect(sent[0]!.queueUrl).toContain('/q/shift-overrides');
    expect(sent[0]!.attributes).toMatchObject({
      workflow: 'shift-overrides',
      eventType: 'timeoff.request.approved',
      vendor: 'genesys',
      receivedAt: '2026-05-15T14:32:10.000Z',
    });
    expect(sent[0]!.attributes.eventId).toBe(parse(result).eventId);
  });

  it('enqueues a body with characters SQS refuses (U+FFFE, U+FFFF) as JSON escapes that parse to the same event', async () => {
    const { sent, post } = setup();
    const body = timeOff({ data: { notes: 'before\uFFFEbetween\uFFFFafter' } });
    expect(body).toContain('\uFFFE');
    const result = await post('/webhooks/genesys/timeoff', body);
    expect(result.response.statusCode).toBe(202);
    // SQS's allowed characters: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD and above.
    expect(sent[0]!.body).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(JSON.parse(sent[0]!.body)).toEqual(JSON.parse(body));
  });

  it('answers 401 to a forged or unsigned event and enqueues nothing', async () => {
    const { sent, post } = setup();
    const body = fixture('agent-state-changed.json');
    const forged = await handleWebhook(
      {
        path: '/webhooks/agent-state',
        body,
        headers: normalizeHeaders(signedHeaders('hmac-sha256', 'wrong', body)),
      },
      { ...setupDeps() },
    );
    expect(forged.response.statusCode).toBe(401);
    const unsigned = await post('/webhooks/agent-state', body, false);
    expect(unsigned.response.statusCode).toBe(401);
    expect(parse(unsigned).error).toBe('signature_missing');
    expect(sent).toHaveLength(0);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const { post } = setup();
    const result = await post('/webhooks/agent-state', '{not json');
    expect(result.response.statusCode).toBe(400);
    expect(parse(result).error).toBe('invalid_json');
  });

  it('answers 413 over the body limit before checking the signature', async () => {
    const { sent, post } = setup({ maxBodyBytes: 10 });
    const result = await post('/webhooks/agent-state', fixture('agent-state-changed.json'), false);
    expect(result.response.statusCode).toBe(413);
    expect(sent).toHaveLength(0);
  });

  it('keeps a well-signed but schema-invalid event on the DLQ and answers 422 naming the field', async () => {
    const { sent, post } = setup();
    const body = fixture('agent-state-changed.json').replace(
      '2026-05-15T14:32:07.123Z',
      '2026-05-15T14:32:07',
    );
    const result = await post('/webhooks/agent-state', body);
    expect(result.response.statusCode).toBe(422);
    expect(parse(result).error).toBe('schema_invalid');
    expect(String(parse(result).message)).toContain('timestamp');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queueUrl).toContain('adherence-sync-dlq');
    expect(sent[0]!.body).toBe(body);
    expect(sent[0]!.attributes.failureReason).toBe('SCHEMA_INVALID');
    expect(sent[0]!.attributes.failureDetail).toContain('timestamp');
  });

  // Spec 001's trap: a well-formed event the workflow does not act on is ignored (202) with its reason, never 422.
  it.each([
    ['a PENDING status', timeOff({ data: { status: 'PENDING' } }), /status PENDING is not APPROVED/],
    ['a DENIED status', timeOff({ data: { status: 'DENIED' } }), /status DENIED is not APPROVED/],
    [
      'a requestType out of the override scope',
      timeOff({ data: { requestType: 'SICK_LEAVE' } }),
      /requestType SICK_LEAVE is outside the override scope/,
    ],
    [
      'timeoff.request.created (pending approval)',
      timeOff({ eventType: 'timeoff.request.created', data: { status: 'PENDING' } }),
      /^timeoff\.request\.created: .*pending manager approval/,
    ],
  ])('ignores time-off with %s, with the reason, and enqueues nothing', async (_case, body, reason) => {
    const { sent, post } = setup();
    const result = await post('/webhooks/genesys/timeoff', body);
    expect(result.response.statusCode).toBe(202);
    expect(parse(result)).toMatchObject({ status: 'ignored', eventId: expect.any(String) });
    expect(String(parse(result).reason)).toMatch(reason);
    expect(result.outcome.kind).toBe('ignored');
    expect(sent).toHaveLength(0);
  });

  it('answers 422 to a timeoff.request.created that breaks its contract (only a well-formed one is ignored)', async () => {
    const { sent, post } = setup();
    const broken = timeOff({ eventType: 'timeoff.request.created', data: { userId: '' } });
    const result = await post('/webhooks/genesys/timeoff', broken);
    expect(result.response.statusCode).toBe(422);
    expect(String(parse(result).message)).toContain('data.userId');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queueUrl).toContain('shift-overrides-dlq');
  });

  it('answers 422 to a time-off event type Genesys does not send to this route, naming the ones it takes', async () => {
    const { post } = setup();
    const result = await post(
      '/webhooks/genesys/timeoff',
      timeOff({ eventType: 'timeoff.request.invented' }),
    );
    expect(result.response.statusCode).toBe(422);
    expect(String(parse(result).message)).toContain(
      'timeoff.request.approved, timeoff.request.cancelled, timeoff.request.created',
    );
  });

  it('acts on every well-formed event of a route whose rule declares no filtering', async () => {
    const { sent, post } = setup();
    const result = await post('/webhooks/agent-state', fixture('agent-state-changed.json'));
    expect(parse(result).status).toBe('accepted');
    expect(sent[0]!.attributes).toMatchObject({ workflow: 'adherence-sync', vendor: 'genesys' });
  });

  it('accepts cancellations and every CXone sample', async () => {
    const { sent, post } = setup();
    expect(
      (await post('/webhooks/genesys/timeoff', fixture('genesys-timeoff-cancelled.json'))).response
        .statusCode,
    ).toBe(202);
    expect(
      (await post('/webhooks/cxone/bidding', fixture('cxone-bidding-request-created.json'))).response
        .statusCode,
    ).toBe(202);
    expect(
      (await post('/webhooks/cxone/schedule', fixture('cxone-schedule-published.json'))).response.statusCode,
    ).toBe(202);
    expect(sent.map((m) => m.attributes.eventType)).toEqual([
      'timeoff.request.cancelled',
      'wfm.bidding.request.created',
      'wfm.schedule.published',
    ]);
    expect(sent[1]!.attributes.eventId).toBe('evt_bidding_8f7a2c1d_created');
  });

  it('keeps an event type the route does not carry', async () => {
    const { sent, post } = setup();
    const result = await post('/webhooks/cxone/bidding', fixture('cxone-schedule-published.json'));
    expect(result.response.statusCode).toBe(422);
    expect(sent[0]!.attributes.failureReason).toBe('SCHEMA_INVALID');
  });

  // Found by the gateway fuzz suite (test/e2e/gateway-fuzz.test.ts): each was a 500 from SQS refusing the message.
  describe('queue messages SQS takes', () => {
    const atSize = (bytes: number, eventType = 'timeoff.request.approved') => {
      const approved = JSON.parse(fixture('genesys-timeoff-approved.json'));
      const empty = JSON.stringify({ ...approved, eventType, padding: '' });
      return JSON.stringify({ ...approved, eventType, padding: 'x'.repeat(bytes - empty.length) });
    };

    it('answers 413 when a body within the limit would, with its attributes, exceed an SQS message', async () => {
      const { sent, post } = setup({ maxBodyBytes: 262_144 });
      const body = atSize(262_144);
      expect(Buffer.byteLength(body)).toBe(262_144);
      const result = await post('/webhooks/genesys/timeoff', body);
      expect(result.response.statusCode).toBe(413);
      expect(parse(result)).toMatchObject({ error: 'payload_too_large' });
      expect(sent).toHaveLength(0);
    });

    it('answers 413 rather than keep a schema-invalid body that would not fit the DLQ', async () => {
      const { sent, post } = setup({ maxBodyBytes: 262_144 });
      const result = await post('/webhooks/genesys/timeoff', atSize(262_000, 'timeoff.request.deleted'));
      expect(result.response.statusCode).toBe(413);
      expect(sent).toHaveLength(0);
    });

    it('still enqueues a body that fits with its attributes', async () => {
      const { sent, post } = setup({ maxBodyBytes: 262_144 });
      const result = await post('/webhooks/genesys/timeoff', atSize(260_000));
      expect(result.response.statusCode).toBe(202);
      expect(sent).toHaveLength(1);
    });
  });
});

describe('replay window and delivery ids', () => {
  const agentState = () => fixture('agent-state-changed.json');
  const standard = (body: string, id: string, nowMs: number, secret = SECRET) =>
    signedHeaders('standard-webhooks', secret, body, { id, nowMs });

  it('refuses an hmac-sha256 signature without its signed timestamp, or with a stale or altered one', async () => {
    const { sent, postWith } = setup();
    const body = agentState();
    const signed = signedHeaders('hmac-sha256', SECRET, body, { nowMs: NOW });
    const { 'X-Webhook-Timestamp': ts, ...withoutTimestamp } = signed;
    const missing = await postWith('/webhooks/agent-state', body, withoutTimestamp);
    expect(missing.response.statusCode).toBe(401);
    expect(parse(missing).error).toBe('signature_missing');
    const stale = signedHeaders('hmac-sha256', SECRET, body, { nowMs: NOW - 301_000 });
    expect(parse(await postWith('/webhooks/agent-state', body, stale)).error).toBe('signature_expired');
    const moved = { ...signed, 'X-Webhook-Timestamp': String(Number(ts) + 1) };
    expect(parse(await postWith('/webhooks/agent-state', body, moved)).error).toBe('signature_invalid');
    expect(sent).toHaveLength(0);
  });

  it.each(['hmac-sha256', 'standard-webhooks'] as const)(
    'answers a replayed %s delivery 202 duplicate and enqueues it once',
    async (scheme) => {
      const { sent, postWith } = setup();
      const body = agentState();
      const headers = signedHeaders(scheme, SECRET, body, { id: 'msg_replayed', nowMs: NOW - 60_000 });
      const first = await postWith('/webhooks/agent-state', body, headers);
      expect(parse(first)).toMatchObject({ status: 'accepted' });
      const replay = await postWith('/webhooks/agent-state', body, headers);
      expect(replay.response.statusCode).toBe(202);
      expect(parse(replay)).toEqual({
        status: 'duplicate',
        eventId: parse(first).eventId,
        firstReceivedAt: '2026-05-15T14:32:10.000Z',
      });
      expect(replay.outcome.kind).toBe('duplicate');
      expect(sent).toHaveLength(1);
    },
  );

  it("answers the vendor's re-signed retry of a delivery it took (same webhook-id, new timestamp) 202 duplicate", async () => {
    let now = NOW;
    const { sent, postWith } = setup({ now: () => now });
    const body = agentState();
    await postWith('/webhooks/agent-state', body, standard(body, 'msg_retry', now));
    now += 120_000;
    const retry = await postWith('/webhooks/agent-state', body, standard(body, 'msg_retry', now));
    expect(retry.response.statusCode).toBe(202);
    expect(parse(retry).status).toBe('duplicate');
    expect(sent).toHaveLength(1);
  });

  it('answers 409 to a delivery id reused with another body, and enqueues nothing for it', async () => {
    const { sent, postWith } = setup();
    const body = agentState();
    const other = body.replace('on-call', 'break');
    await postWith('/webhooks/agent-state', body, standard(body, 'msg_same', NOW));
    const reused = await postWith('/webhooks/agent-state', other, standard(other, 'msg_same', NOW));
    expect(reused.response.statusCode).toBe(409);
    expect(parse(reused)).toMatchObject({ error: 'delivery_id_reused', message: expect.any(String) });
    expect(sent).toHaveLength(1);
  });

  it('checks the delivery id only after the signature: a forged request cannot burn a real id', async () => {
    const { sent, postWith } = setup();
    const body = agentState();
    const forged = await postWith('/webhooks/agent-state', body, standard(body, 'msg_real', NOW, 'not-it'));
    expect(forged.response.statusCode).toBe(401);
    const real = await postWith('/webhooks/agent-state', body, standard(body, 'msg_real', NOW));
    expect(parse(real).status).toBe('accepted');
    expect(sent).toHaveLength(1);
  });

  it('forgets the delivery id when the event could not be enqueued, so the retry is taken', async () => {
    let failing = true;
    const sent: QueueMessage[] = [];
    const { postWith } = setup({
      send: async (m) => {
        if (failing) throw new Error('SQS unavailable');
        sent.push(m);
      },
    });
    const body = agentState();
    const headers = standard(body, 'msg_unsent', NOW);
    await expect(postWith('/webhooks/agent-state', body, headers)).rejects.toThrow('SQS unavailable');
    failing = false;
    expect(parse(await postWith('/webhooks/agent-state', body, headers)).status).toBe('accepted');
    expect(sent).toHaveLength(1);
  });

  it("accepts only the vendor's configured schemes: a Standard Webhooks vendor cannot be downgraded", async () => {
    const { sent, post, postWith } = setup({}, ['standard-webhooks']);
    const body = agentState();
    const downgraded = await post('/webhooks/agent-state', body);
    expect(downgraded.response.statusCode).toBe(401);
    expect(parse(downgraded).error).toBe('signature_missing');
    expect(parse(await postWith('/webhooks/agent-state', body, standard(body, 'm1', NOW))).status).toBe(
      'accepted',
    );
    expect(sent).toHaveLength(1);
  });
});

function setupDeps(): IngressDeps {
  return {
    routes: {
      'agent-state': {
        queueUrl: 'http://127.0.0.1/q',
        dlqUrl: 'http://127.0.0.1/d',
        secretId: 's',
        signatureSchemes: BOTH,
      },
    },
    maxBodyBytes: 4096,
    settings: { timeOffOverrideScope: [] },
    secretsFor: async () => [SECRET],
    send: async () => {
      throw new Error('must not enqueue');
    },
    nonces: new InMemoryDeliveryNonceStore(),
    now: () => Date.now(),
  };
}
