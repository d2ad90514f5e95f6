/**
 * `npm run send -- <file.json> [--route /webhooks/...] [--scheme hmac-sha256|standard-webhooks] [--url ...]`
 * Signs a payload with the local webhook secret and posts it to the running gateway.
 */
import { readFileSync } from 'node:fs';
import { eventTypeOf } from '../shared/contracts/registry';
import { ROUTES, type SignatureScheme } from '../shared/topology';
import { sendSignedWebhook } from './webhook-sender';

const USAGE = `usage: npm run send -- <payload.json> [--route /webhooks/...] [--scheme hmac-sha256|standard-webhooks] [--url http://127.0.0.1:3000]
samples: test/fixtures/webhooks/*.json`;

export async function send(argv: string[]): Promise<number> {
  const args = [...argv];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, value] = args.splice(i, 2);
    if (!value) throw new Error(`${name} needs a value\n${USAGE}`);
    return value;
  };
  const url = flag('--url') ?? `http://127.0.0.1:${process.env.WFM_LOCAL_PORT ?? 3000}`;
  const scheme = (flag('--scheme') ?? 'hmac-sha256') as SignatureScheme;
  const explicitRoute = flag('--route');
  const file = args[0];
  if (!file || args.includes('--help')) {
    console.log(USAGE);
    return file ? 0 : 2;
  }
  const body = readFileSync(file, 'utf8');
  let eventType: string | undefined;
  try {
    eventType = eventTypeOf(JSON.parse(body));
  } catch {
    // not JSON: sent as is, and the gateway will say so (400)
  }
  const route = explicitRoute ?? ROUTES.find((r) => eventType && r.eventTypes.includes(eventType))?.path;
  if (!route) {
    console.error(`Cannot tell the route for event type ${eventType ?? '(none)'}; pass --route.\n${USAGE}`);
    return 2;
  }
  const res = await sendSignedWebhook<unknown>(`${url}${route}`, body, { scheme }).catch((err: Error) => {
    throw new Error(`Could not reach ${url} (${err.message}); is \`npm start\` running?`);
  });
  console.log(`POST ${route} -> ${res.status}`);
  console.log(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
  return res.status >= 200 && res.status < 300 ? 0 : 1;
}

if (require.main === module) {
  send(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
