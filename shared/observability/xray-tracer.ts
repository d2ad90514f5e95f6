/**
 * The Powertools Tracer (and with it the X-Ray SDK), imported as an ES module like the rest of Powertools, so
 * the bundle holds one copy of Powertools commons. `tracer.ts` requires this file only when tracing is on.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export function xrayTracer(service: string): Tracer {
  return new Tracer({ serviceName: service, captureHTTPsRequests: true });
}
