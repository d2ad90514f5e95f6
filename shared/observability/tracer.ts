import type { Tracer } from '@aws-lambda-powertools/tracer';
import type * as XrayTracer from './xray-tracer';

/**
 * Powertools Tracer for the workflow functions (X-Ray active tracing is on in the stack); AWS SDK clients go
 * through `traced` to become subsegments. When tracing is off (the local runtime sets
 * POWERTOOLS_TRACE_ENABLED=false: no X-Ray daemon there) the X-Ray SDK is not even loaded, which keeps local
 * start-up and test runs fast. The ingress does not trace: its bundle stays small for the cold path vendors wait on.
 */
export function createTracer(service: string): Tracer | undefined {
  if (process.env.POWERTOOLS_TRACE_ENABLED === 'false') return undefined;
  // Requiring the package itself would bundle its CommonJS build, and a second copy of Powertools commons.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on (see above)
  return (require('./xray-tracer') as typeof XrayTracer).xrayTracer(service);
}

/** The client, instrumented when a tracer is active. */
export function traced<T>(tracer: Tracer | undefined, client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
