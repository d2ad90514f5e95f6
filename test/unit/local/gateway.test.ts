import type { IncomingMessage } from 'node:http';
import { toProxyEvent } from '../../../local/gateway';

const request = (rawHeaders: string[]) =>
  ({
    rawHeaders,
    method: 'POST',
    headers: {},
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;

describe('the local gateway proxy event', () => {
  it('keeps the last value of a repeated header in headers and every value in multiValueHeaders, as API Gateway does', () => {
    const event = toProxyEvent(
      request([
        'X-Webhook-Signature',
        'first',
        'Content-Type',
        'application/json',
        'X-Webhook-Signature',
        'last',
      ]),
      new URL('http://127.0.0.1/webhooks/genesys/timeoff'),
      '{}',
      '/webhooks/genesys/timeoff',
      'local',
    );
    expect(event.headers['X-Webhook-Signature']).toBe('last');
    expect(event.multiValueHeaders['X-Webhook-Signature']).toEqual(['first', 'last']);
    expect(event.headers['Content-Type']).toBe('application/json');
  });
});
