import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer for the workflow functions (X-Ray active tracing is on in the stack). AWS SDK clients
 * passed through `traced` become subsegments. Off locally (POWERTOOLS_TRACE_ENABLED=false): no daemon there.
 * The ingress does not load it: its bundle stays small for the cold path vendors wait on.
 */
export function createTracer(service: string): Tracer {
  return new Tracer({ serviceName: service, captureHTTPsRequests: true });
}
