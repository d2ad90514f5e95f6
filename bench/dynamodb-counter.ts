/**
 * A pass-through proxy in front of DynamoDB Local that counts what one client sends: requests by operation,
 * items written (each item of a TransactWriteItems or BatchWriteItem counts) by the sort key's prefix
 * (`LEDGER#`, `ROW#`, ...), and items read (a Query's `Count`). Point a process's `AWS_ENDPOINT_URL_DYNAMODB` at
 * `url` to count at DynamoDB what that process does, without touching its code. Bytes go through unchanged.
 */
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';

export interface DynamoDbCounts {
  readonly requests: Record<string, number>;
  /** Items written, by the sort key's prefix (the part before `#`), `other` without a string `sk`. */
  readonly itemsWritten: Record<string, number>;
  /** Items a Query or GetItem answered. */
  itemsRead: number;
  /** Milliseconds from request to answer, summed by operation (what DynamoDB Local costs the client). */
  readonly msByOperation: Record<string, number>;
}

type AttributeMap = Record<string, { S?: string } | undefined>;

const skPrefix = (item: AttributeMap | undefined) => item?.sk?.S?.split('#')[0] ?? 'other';

export interface CountingProxy {
  readonly url: string;
  readonly counts: DynamoDbCounts;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const { hostname, port } = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let counts: DynamoDbCounts = { requests: {}, itemsWritten: {}, itemsRead: 0, msByOperation: {} };
  const add = (record: Record<string, number>, key: string, n = 1) => (record[key] = (record[key] ?? 0) + n);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const sentAt = performance.now();
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      add(counts.requests, operation);
      countWrites(operation, body);
      const upstream = httpRequest(
        { host: hostname, port, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          const answerChunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => {
            answerChunks.push(c);
            res.write(c);
          });
          answer.on('end', () => {
            res.end();
            add(counts.msByOperation, operation, performance.now() - sentAt);
            if (operation === 'Query' || operation === 'GetItem' || operation === 'BatchGetItem')
              countReads(operation, answerChunks);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });

  function countWrites(operation: string, body: Buffer) {
    if (!['TransactWriteItems', 'BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem'].includes(operation))
      return;
    const input = JSON.parse(body.toString('utf8')) as {
      TransactItems?: { Put?: { Item?: AttributeMap }; Update?: { Key?: AttributeMap } }[];
      RequestItems?: Record<string, { PutRequest?: { Item?: AttributeMap } }[]>;
      Item?: AttributeMap;
      Key?: AttributeMap;
    };
    if (operation === 'TransactWriteItems') {
      for (const t of input.TransactItems ?? []) {
        // A ConditionCheck writes nothing.
        if ('ConditionCheck' in t) continue;
        const item = t.Put?.Item ?? t.Update?.Key ?? (Object.values(t)[0] as { Key?: AttributeMap }).Key;
        add(counts.itemsWritten, skPrefix(item));
      }
    } else if (operation === 'BatchWriteItem') {
      for (const requests of Object.values(input.RequestItems ?? {}))
        for (const r of requests) add(counts.itemsWritten, skPrefix(r.PutRequest?.Item));
    } else {
      add(counts.itemsWritten, skPrefix(input.Item ?? input.Key));
    }
  }

  function countReads(operation: string, chunks: Buffer[]) {
    try {
      const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Count?: number;
        Item?: unknown;
        Responses?: Record<string, unknown[]>;
      };
      if (operation === 'Query') counts.itemsRead += answer.Count ?? 0;
      else if (operation === 'BatchGetItem')
        for (const items of Object.values(answer.Responses ?? {})) counts.itemsRead += items.length;
      else counts.itemsRead += answer.Item ? 1 : 0;
    } catch {
      // not JSON (an error page): nothing read
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    get counts() {
      return counts;
    },
    reset: () => {
      counts = { requests: {}, itemsWritten: {}, itemsRead: 0, msByOperation: {} };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
