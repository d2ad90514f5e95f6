import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryAuditLog } from '../../../shared/adapters/aws/platform.fake';
import { ingressRuleRefusal, skipWhatIngressIgnores } from '../../../shared/runtime/ingress-recheck';
import { FakeClock } from '../../helpers/fake-clock';

const approved = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/webhooks/genesys-timeoff-approved.json'), 'utf8'),
) as { eventType: string; data: Record<string, unknown> };
const timeOff = (eventType: string, data: Record<string, unknown> = {}) =>
  JSON.stringify({ ...approved, eventType, data: { ...approved.data, ...data } });
const scope = { timeOffOverrideScope: ['PAID_TIME_OFF'] };

describe('processors re-apply their route ingress rule', () => {
  it.each([
    ['a PENDING approval', timeOff('timeoff.request.approved', { status: 'PENDING' }), /status PENDING/],
    [
      'a requestType out of scope',
      timeOff('timeoff.request.approved', { requestType: 'SICK_LEAVE' }),
      /SICK_LEAVE is outside/,
    ],
    ['a created (pending) request', timeOff('timeoff.request.created', { status: 'PENDING' }), /pending/],
  ])('refuses %s with the rule reason', (_case, body, reason) => {
    expect(ingressRuleRefusal('shift-overrides', body, scope)?.reason).toMatch(reason);
  });

  it('lets through what the ingress acts on, and leaves unreadable messages to the handler', () => {
    expect(ingressRuleRefusal('shift-overrides', timeOff('timeoff.request.approved'), scope)).toBeUndefined();
    expect(
      ingressRuleRefusal('shift-overrides', timeOff('timeoff.request.cancelled'), scope),
    ).toBeUndefined();
    expect(ingressRuleRefusal('shift-overrides', '{not json', scope)).toBeUndefined();
    expect(
      ingressRuleRefusal('shift-overrides', timeOff('timeoff.request.approved', { userId: '' }), scope),
    ).toBeUndefined();
  });

  it('audits and logs a skipped message, with its reason', async () => {
    const audit = new InMemoryAuditLog();
    const warnings: unknown[] = [];
    const skipped = await skipWhatIngressIgnores(
      {
        messageId: 'm-1',
        body: timeOff('timeoff.request.approved', { status: 'DENIED' }),
        attributes: { eventId: 'evt-1' },
        receiveCount: 1,
      },
      {
        workflow: 'shift-overrides',
        settings: scope,
        audit,
        logger: { warn: (...args: unknown[]) => void warnings.push(args) },
        clock: new FakeClock(Date.parse('2026-05-15T14:00:00Z')),
      },
    );
    expect(skipped).toBe(true);
    expect(audit.records).toEqual([
      expect.objectContaining({
        workflow: 'shift-overrides',
        subject: 'event#evt-1',
        action: 'INGRESS_RULE_SKIPPED',
        at: '2026-05-15T14:00:00.000Z',
        detail: expect.objectContaining({ reason: 'status DENIED is not APPROVED' }),
      }),
    ]);
    expect(JSON.stringify(warnings)).toContain('status DENIED is not APPROVED');
  });
});
