import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { countWith, MetricName } from '../../shared/observability/metrics';
import { normalizeHeaders } from '../../shared/webhook/signatures';
import { handleWebhook, type IngressOutcome } from '../../shared/webhook/ingress';
import { buildIngressDeps } from './deps';

const { deps, logger, metrics } = buildIngressDeps();

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const { response, outcome } = await handleWebhook(
    {
      path: event.resource ?? event.path,
      headers: normalizeHeaders(event.headers),
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    },
    deps,
  );
  record(outcome);
  return response;
};

function record(outcome: IngressOutcome): void {
  const workflow = outcome.workflow ?? 'unknown';
  switch (outcome.kind) {
    case 'accepted':
      countWith(metrics, MetricName.Accepted, { workflow });
      logger.info('webhook accepted', {
        workflow,
        vendorEventId: outcome.eventId,
        eventType: outcome.eventType,
      });
      return;
    case 'ignored':
      countWith(metrics, MetricName.Ignored, { workflow });
      logger.info('webhook ignored', { workflow, vendorEventId: outcome.eventId, reason: outcome.reason });
      return;
    case 'duplicate':
      countWith(metrics, MetricName.Duplicate, { workflow });
      logger.info('webhook duplicate: delivery id already taken, nothing enqueued', {
        workflow,
        vendorEventId: outcome.eventId,
        firstReceivedAt: outcome.firstReceivedAt,
      });
      return;
    case 'quarantined':
      countWith(metrics, MetricName.Quarantined, { workflow });
      logger.warn('webhook kept on the DLQ: schema invalid', {
        workflow,
        vendorEventId: outcome.eventId,
        eventType: outcome.eventType,
        issues: outcome.issues,
      });
      return;
    case 'rejected':
      countWith(metrics, MetricName.Rejected, { reason: outcome.reason });
      if (outcome.reason.startsWith('signature_'))
        countWith(metrics, MetricName.SignatureRejected, { workflow });
      logger.warn('webhook rejected', { workflow, reason: outcome.reason });
  }
}
