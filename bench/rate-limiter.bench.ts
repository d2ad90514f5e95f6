/**
 * Decision 0001 figures: does a vendor limit hold when several Lambda instances call at once, and what
 * does holding it cost? Runs in-process against DynamoDB Local (started here unless
 * AWS_ENDPOINT_URL_DYNAMODB points at one); each "instance" is its own limiter with its own DynamoDB client.
 *
 * - per-process bucket: every instance enforces the whole limit (the failure the decision is about)
 * - per-instance share: rate / instances each (`perInstanceShare`)
 * - DynamoDB bucket: the shared GCRA item, leases of 1 and 5
 *
 * For each: calls granted per second after the burst, the most calls in any 1 s window against the limit's
 * ceiling (burst + rate), DynamoDB requests per call, and the wait of an uncontended acquire.
 * BENCH_RATE_LIMIT_SECONDS (default 3) sets each run's length.
 */
import { performance } from 'node:perf_hooks';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { createTable, STATE_TABLE } from '../local/provision';
import { DynamoDbTokenBucket } from '../shared/adapters/aws/dynamodb-token-bucket';
import { perInstanceShare, TokenBucket, type RateLimit, type RateLimiter } from '../shared/http/rate-limiter';
import { systemClock } from '../shared/ports/clock';

const SECONDS = Number(process.env.BENCH_RATE_LIMIT_SECONDS ?? 3);
const LIMIT: RateLimit = { ratePerSecond: 100, burst: 150 }; // spec 002's WEM adherence endpoint
const INSTANCES = 4;
const CALLERS_PER_INSTANCE = 8;

interface Row {
  limiter: string;
  instances: string;
  'calls/s (after burst)': number;
  'max calls in 1 s': number;
  'ceiling (burst+rate)': number;
  'within limit': string;
  'vendor 429s (simulated)': number;
  'DynamoDB req/call': number | string;
  'acquire p50 ms (idle)': number | string;
  'acquire p99 ms (idle)': number | string;
}

async function drive(limiters: RateLimiter[], busy: number): Promise<number[]> {
  const grants: number[] = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    limiters.slice(0, busy).flatMap((limiter) =>
      Array.from({ length: CALLERS_PER_INSTANCE }, async () => {
        while (performance.now() < end) {
          await limiter.acquire();
          const at = performance.now();
          if (at < end) grants.push(at - start);
        }
      }),
    ),
  );
  return grants.sort((a, b) => a - b);
}

/** How many of these calls a vendor enforcing exactly LIMIT with its own token bucket would refuse. */
function vendorRefusals(grants: number[]) {
  const interval = 1000 / LIMIT.ratePerSecond;
  const tolerance = LIMIT.burst * interval;
  let tat = -Infinity;
  let refused = 0;
  for (const g of grants) {
    const next = Math.max(tat, g) + interval;
    if (next - g > tolerance + 1e-9) refused++;
    else tat = next;
  }
  return refused;
}

function judge(grants: number[]) {
  let maxWindow = 0;
  for (let i = 0, j = 0; i < grants.length; i++) {
    while (grants[i]! - grants[j]! >= 1000) j++;
    maxWindow = Math.max(maxWindow, i - j + 1);
  }
  const steady = grants.filter((g) => g >= 1000).length / Math.max(0.001, SECONDS - 1);
  const ceiling = LIMIT.burst + LIMIT.ratePerSecond;
  return {
    'calls/s (after burst)': Math.round(steady),
    'max calls in 1 s': maxWindow,
    'ceiling (burst+rate)': ceiling,
    'within limit': maxWindow <= ceiling ? 'yes' : `NO (${(maxWindow / ceiling).toFixed(2)}x)`,
    'vendor 429s (simulated)': vendorRefusals(grants),
  };
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Latency of acquire when the bucket has room: the cost of the limiter itself. */
async function idleAcquire(limiter: RateLimiter, calls = 200) {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await limiter.acquire();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    'acquire p50 ms (idle)': Number(percentile(samples, 50).toFixed(3)),
    'acquire p99 ms (idle)': Number(percentile(samples, 99).toFixed(3)),
  };
}

export async function run() {
  const external = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const local = external ? undefined : await startDynamoDbLocal();
  const endpoint = external ?? local!.endpoint;
  const clients: DynamoDBClient[] = [];
  const newDoc = () => {
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    clients.push(client);
    return DynamoDBDocumentClient.from(client);
  };
  const admin = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = `bench-ratelimit-${Date.now().toString(36)}`;
  await createTable(admin, { ...STATE_TABLE, name: tableName });

  const rows: Row[] = [];
  try {
    const dynamo = (name: string, leaseSize: number, limit = LIMIT) =>
      Array.from(
        { length: INSTANCES },
        () =>
          new DynamoDbTokenBucket({
            name,
            limit,
            doc: newDoc(),
            tableName,
            clock: systemClock,
            leaseSize,
          }),
      );

    const naive = Array.from({ length: INSTANCES }, () => new TokenBucket(LIMIT, systemClock));
    rows.push({
      limiter: 'per-process bucket (whole limit each)',
      instances: `${INSTANCES} busy`,
      ...judge(await drive(naive, INSTANCES)),
      'DynamoDB req/call': 0,
      ...(await idleAcquire(new TokenBucket({ ratePerSecond: 1e6, burst: 1e6 }, systemClock))),
    });

    for (const busy of [INSTANCES, 1]) {
      const shares = Array.from(
        { length: INSTANCES },
        () => new TokenBucket(perInstanceShare(LIMIT, INSTANCES), systemClock),
      );
      rows.push({
        limiter: `per-instance share (rate/${INSTANCES})`,
        instances: `${busy} of ${INSTANCES} busy`,
        ...judge(await drive(shares, busy)),
        'DynamoDB req/call': 0,
        'acquire p50 ms (idle)': '-',
        'acquire p99 ms (idle)': '-',
      });
    }

    // As deployed: shared/runtime/vendor-client.ts runs the bucket at 95% of the rate and one under the burst.
    const deployed = { ratePerSecond: LIMIT.ratePerSecond * 0.95, burst: LIMIT.burst - 1 };
    for (const busy of [INSTANCES, 1]) {
      const buckets = dynamo(`bench-deployed-${busy}`, 5, deployed);
      const grants = await drive(buckets, busy);
      const requests = buckets.reduce((n, b) => n + b.stats.requests, 0);
      const granted = buckets.reduce((n, b) => n + b.stats.granted, 0);
      rows.push({
        limiter: 'DynamoDB bucket, lease 5, as deployed (95%)',
        instances: `${busy} of ${INSTANCES} busy`,
        ...judge(grants),
        'DynamoDB req/call': Number((requests / Math.max(1, granted)).toFixed(2)),
        'acquire p50 ms (idle)': '-',
        'acquire p99 ms (idle)': '-',
      });
    }

    for (const leaseSize of [1, 5]) {
      for (const busy of [INSTANCES, 1]) {
        const buckets = dynamo(`bench-${leaseSize}-${busy}`, leaseSize);
        const grants = await drive(buckets, busy);
        const requests = buckets.reduce((n, b) => n + b.stats.requests, 0);
        const granted = buckets.reduce((n, b) => n + b.stats.granted, 0);
        const [idle] = dynamo(`bench-idle-${leaseSize}-${busy}`, leaseSize, {
          ratePerSecond: 1e6,
          burst: 1e6,
        });
        rows.push({
          limiter: `DynamoDB bucket, lease ${leaseSize}`,
          instances: `${busy} of ${INSTANCES} busy`,
          ...judge(grants),
          'DynamoDB req/call': Number((requests / Math.max(1, granted)).toFixed(2)),
          ...(busy === 1
            ? await idleAcquire(idle!)
            : { 'acquire p50 ms (idle)': '-', 'acquire p99 ms (idle)': '-' }),
        });
      }
    }
  } finally {
    await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    admin.destroy();
    for (const c of clients) c.destroy();
    await local?.stop();
  }

  console.log(
    `limit ${LIMIT.ratePerSecond}/s, burst ${LIMIT.burst}; ${CALLERS_PER_INSTANCE} callers per instance; ${SECONDS} s per run; DynamoDB Local on loopback`,
  );
  console.table(rows);
  return { limit: LIMIT, seconds: SECONDS, instances: INSTANCES, rows };
}

if (require.main === module) {
  run().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
