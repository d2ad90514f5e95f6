// local-aws-sqs on a thread of its own: the runtime's main thread already serves the gateway, the pollers and
// the sandboxes, and under a burst it is the bottleneck (bench/adherence.bench.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const { parentPort, workerData } = require('node:worker_threads');
const { heapOfThisThread } = require('./thread-heap.cjs');
const { createSqsServer } = require('local-aws-sqs');

createSqsServer(workerData).then(
  (server) => {
    parentPort.on('message', (message) => {
      if (message === 'close') server.close(() => parentPort.postMessage({ type: 'closed' }));
      if (message?.type === 'heap')
        parentPort.postMessage({ type: 'heap', ...heapOfThisThread(message.collect) });
    });
    parentPort.postMessage({ type: 'listening' });
  },
  (err) => parentPort.postMessage({ type: 'error', error: String((err && err.stack) || err) }),
);
