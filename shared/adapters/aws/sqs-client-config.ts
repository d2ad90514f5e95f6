/**
 * How a function (the ingress, every workflow function) builds its SQS client. Its endpoint is the region's (or `AWS_ENDPOINT_URL_SQS`), never
 * the host of a queue URL, which the SDK would otherwise prefer: in AWS both are `sqs.<region>.amazonaws.com` for
 * the stack's queues, and locally it keeps each function's calls on its grant guard
 * (local/send-message-guard.ts), which the emulator's queue URLs would bypass.
 */
export const SQS_CLIENT_CONFIG = { useQueueUrlAsEndpoint: false } as const;
