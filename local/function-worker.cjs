// One "Lambda instance": loads a handler bundle (its own module state: clients, caches, token manager, rate
// limiter) and runs the invocations the host posts to it, one at a time, as Lambda does.
/* eslint-disable @typescript-eslint/no-require-imports */
const { parentPort, workerData } = require('node:worker_threads');
const { randomUUID } = require('node:crypto');
if (workerData.entry.endsWith('.ts')) require('tsx/cjs/api').register();

const { entry, functionName, logGroupName, timeoutMs } = workerData;
let handler;
try {
  handler = require(entry).handler;
  if (typeof handler !== 'function') throw new Error(`${entry} does not export a handler function`);
} catch (err) {
  parentPort.postMessage({ type: 'init-error', error: String((err && err.stack) || err) });
}
if (handler) parentPort.postMessage({ type: 'ready' });

parentPort.on('message', async ({ id, event }) => {
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
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.stack) || err) });
  }
});
