// One "Lambda instance": loads a handler bundle (its own module state: clients, caches, token manager, rate
// limiter) and runs the invocations the host posts to it, one at a time, as Lambda does.
/* eslint-disable @typescript-eslint/no-require-imports */
const { parentPort, workerData } = require('node:worker_threads');
const { randomUUID } = require('node:crypto');
const { heapOfThisThread } = require('./thread-heap.cjs');
if (workerData.entry.endsWith('.ts')) require('tsx/cjs/api').register();

const { entry, functionName, logGroupName, timeoutMs, dynamoDbFaultInjector } = workerData;

// The DynamoDB fault switch (local/dynamodb-fault-switch.ts): its middleware goes on each DynamoDB client the
// handler makes (shared/runtime/dynamodb-client-hook.ts), so the hook is in place before the handler loads.
const DYNAMODB_CLIENT_HOOK = Symbol.for('wfm-bridge.local.dynamodb-client-hook');
const dynamoDbFaults = require(dynamoDbFaultInjector).createDynamoDbFaultInjector({
  State: process.env.STATE_TABLE_NAME,
  Idempotency: process.env.IDEMPOTENCY_TABLE_NAME,
});
globalThis[DYNAMODB_CLIENT_HOOK] = (client) => dynamoDbFaults.attach(client);

let handler;
try {
  handler = require(entry).handler;
  if (typeof handler !== 'function') throw new Error(`${entry} does not export a handler function`);
} catch (err) {
  parentPort.postMessage({ type: 'init-error', error: String((err && err.stack) || err) });
}
if (handler) parentPort.postMessage({ type: 'ready' });

/** The exit code of an instance killed by the crash switch (local/crash-switch.ts), as the host knows it. */
const CRASH_EXIT_CODE = 86;
const VENDOR_CALL_PROBE = Symbol.for('wfm-bridge.local.vendor-call-probe');
const mutating = (method) => method !== 'GET' && method !== 'HEAD';
/** Dies where the crash switch armed this invocation to: at the first call that changes vendor state. */
function armVendorCallProbe(crashAt) {
  globalThis[VENDOR_CALL_PROBE] =
    crashAt === 'before-vendor-call' || crashAt === 'after-vendor-answer'
      ? (phase, call) => {
          if (!mutating(call.method)) return;
          if (crashAt === 'before-vendor-call' && phase === 'before-call') process.exit(CRASH_EXIT_CODE);
          if (crashAt === 'after-vendor-answer' && phase === 'after-answer' && call.status < 300)
            process.exit(CRASH_EXIT_CODE);
        }
      : undefined;
}

parentPort.on('message', async (message) => {
  // The host's memory probe (FunctionPool.heap): answered between invocations or while one awaits I/O.
  if (message.type === 'heap')
    return parentPort.postMessage({ type: 'heap', ...heapOfThisThread(message.collect) });
  const { id, event, crashAt, dynamoDbFaults: faults } = message;
  armVendorCallProbe(crashAt);
  dynamoDbFaults.arm(faults);
  const started = Date.now();
  const context = {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    logGroupName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    const result = await handler(event, context);
    // Every record's state is written; dying now, before the answer, means the poller deletes nothing.
    if (crashAt === 'after-state-write') process.exit(CRASH_EXIT_CODE);
    dynamoDbFaults.arm(undefined);
    parentPort.postMessage({ id, result });
  } catch (err) {
    dynamoDbFaults.arm(undefined);
    parentPort.postMessage({ id, error: String((err && err.stack) || err) });
  }
});
