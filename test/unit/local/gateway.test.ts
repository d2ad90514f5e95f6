import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, toProxyEvent } from '../../../local/gateway';

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

describe('the local gateway in front of a failing ingress', () => {
  it("answers 502 'Internal server error' as API Gateway does, and keeps the error on its own console", async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const gateway = await startGateway(
      {
        routes: [{ method: 'POST', path: '/webhooks/genesys/timeoff' }],
        invokeIngress: () => Promise.reject(new Error('AccessDeniedException: not authorized')),
        health: () => ({ ready: true, components: {} }),
        control: {},
        stage: 'local',
      },
      0,
    );
    try {
      const { port } = gateway.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/genesys/timeoff`, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ message: 'Internal server error' });
      expect(stderr.mock.calls.flat().join('')).toContain(
        'POST /webhooks/genesys/timeoff: the ingress failed: AccessDeniedException: not authorized',
      );
    } finally {
      stderr.mockRestore();
      await new Promise((done) => gateway.close(done));
    }
  });
});
