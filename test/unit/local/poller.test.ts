import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionPool } from '../../../local/function-host';
import { Poller } from '../../../local/poller';

/** An SQS stand-in: `queued` messages, handed out in batches; counts receives. */
function fakeQueue(queued: number) {
  let next = 0;
  const stats = { receives: 0, deleted: 0 };
  const sqs = {
    send: async (command: {
      constructor: { name: string };
      input: { MaxNumberOfMessages?: number; Entries?: unknown[] };
    }) => {
      if (command.constructor.name === 'ReceiveMessageCommand') {
        stats.receives++;
        const n = Math.min(command.input.MaxNumberOfMessages ?? 1, queued - next);
        const Messages = Array.from({ length: n }, () => {
          const id = String(next++);
          return { MessageId: id, ReceiptHandle: id, Body: '{}' };
        });
        return { Messages };
      }
      stats.deleted += command.input.Entries?.length ?? 0;
      return {};
    },
  } as unknown as SQSClient;
  return { sqs, stats };
}

function poller(sqs: SQSClient, invoke: () => Promise<unknown>) {
  return new Poller({
    workflow: 'test',
    queueUrl: 'http://sqs/q',
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    batchSize: 10,
    concurrency: 10,
    pool: { invoke } as unknown as FunctionPool,
    sqs,
    log: () => {},
    visibilityTimeoutSeconds: 5,
    idleMs: 20,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local poller', () => {
  it('polls an empty queue with one loop, not all of them', async () => {
    const { sqs, stats } = fakeQueue(0);
    const p = poller(sqs, async () => undefined);
    p.start();
    await sleep(400);
    await p.stop();
    // Ten loops polling every 20 ms would make about 200 receives; one makes about 20.
    expect(stats.receives).toBeLessThan(60);
  });

  it('wakes more loops while batches keep coming, and processes every message once', async () => {
    const { sqs, stats } = fakeQueue(200);
    let running = 0;
    let most = 0;
    const p = poller(sqs, async () => {
      most = Math.max(most, ++running);
      await sleep(30);
      running--;
    });
    p.start();
    for (let i = 0; i < 100 && stats.deleted < 200; i++) await sleep(20);
    await p.stop();
    expect(stats.deleted).toBe(200);
    expect(most).toBeGreaterThanOrEqual(5);
  });

  it('stops while a loop is mid-receive and another is watching the empty queue (no loop parks after stop)', async () => {
    // Loop A sleeps as the watcher; loop B's receive is still in flight when stop() runs, then finds the queue
    // empty and, with A watching, would park: after stop() has woken the parked loops, nobody wakes it again.
    let releaseReceive!: () => void;
    let receives = 0;
    const sqs = {
      send: async () => {
        receives++;
        if (receives === 2) await new Promise<void>((r) => (releaseReceive = r));
        return { Messages: [] };
      },
    } as unknown as SQSClient;
    const p = new Poller({
      workflow: 'test',
      queueUrl: 'http://sqs/q',
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
      batchSize: 10,
      concurrency: 2,
      pool: { invoke: async () => undefined } as unknown as FunctionPool,
      sqs,
      log: () => {},
      visibilityTimeoutSeconds: 5,
      idleMs: 200,
    });
    p.start();
    await sleep(20); // A got an empty answer and sleeps as the watcher; B waits on its receive
    const stopped = p.stop();
    releaseReceive();
    const outcome = await Promise.race([stopped.then(() => 'stopped'), sleep(2000).then(() => 'hung')]);
    expect(outcome).toBe('stopped');
  });
});
