/**
 * Issue 14, "nothing leaked": the recognisable PII the fixtures carry and the local runtime's secrets, looked
 * for in everything an e2e run produced: every function log line, the DynamoDB tables, the domain events, what
 * is left on the DLQs (attributes; bodies for secrets), and every request the system made to a vendor sandbox.
 *
 * Allowed: a secret in the request to its vendor's token endpoint (the OAuth client secret's one purpose), and
 * the vendor's own event on a DLQ (the raw body is kept for replay by design, docs/webhook-contract.md).
 * Everything else is a hit. Runs from the e2e global teardown (test/e2e/global-teardown.ts) and at the end of
 * every benchmark that starts the local runtime (bench/bench-runtime.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromSqsAttributes } from '../../shared/adapters/aws/sqs-attributes';
import {
  LOCAL_AGENT_PSEUDONYM_KEY,
  LOCAL_CREDENTIALS,
  LOCAL_VENDOR_CREDENTIALS,
} from '../../local/provision';
import type { LocalRuntime } from '../../local/runtime';
import type { LoggedRequest } from '../../local/sandboxes/core/request-log';
import type { RunningSandboxes } from '../../local/sandboxes/server';
import { TOKEN_PATH } from '../../local/sandboxes/core/vendor-sandbox';
import { GENESYS_SEED } from '../../local/sandboxes/vendors/seed';
import { LOCAL_WEBHOOK_SECRET } from '../../local/webhook-sender';

type CanaryKind = 'pii' | 'secret';
interface Canary {
  readonly kind: CanaryKind;
  readonly value: string;
}

/** What the fixtures put in (test/fixtures/webhooks, test/helpers/payloads.ts, the sandboxes' seed). */
const FIXTURE_PII = [
  'Zelda Quimbyfeather',
  'zelda.quimbyfeather@canary.example',
  '+1-202-555-0171',
  'Orrin Vantablack',
  'orrin.vantablack@canary.example',
  '+1-202-555-0188',
];
const SEEDED_PII = GENESYS_SEED.performance.flatMap((p) => [p.agentName, p.agentEmail, p.agentPhone]);

export const CANARIES: readonly Canary[] = [
  ...[...new Set([...FIXTURE_PII, ...SEEDED_PII])].map((value) => ({ kind: 'pii' as const, value })),
  ...[LOCAL_WEBHOOK_SECRET, LOCAL_VENDOR_CREDENTIALS.clientSecret, LOCAL_AGENT_PSEUDONYM_KEY].map(
    (value) => ({
      kind: 'secret' as const,
      value,
    }),
  ),
];

export interface LeakHit {
  readonly where: string;
  readonly kind: CanaryKind;
  readonly canary: string;
  readonly excerpt: string;
}

export interface LeakScan {
  readonly hits: LeakHit[];
  /** How much was looked at, per source. */
  readonly scanned: Record<string, number>;
}

export function findCanaries(
  where: string,
  text: string,
  allow: ReadonlySet<CanaryKind> = new Set(),
): LeakHit[] {
  const hits: LeakHit[] = [];
  const lower = text.toLowerCase();
  for (const c of CANARIES) {
    if (allow.has(c.kind)) continue;
    const at = lower.indexOf(c.value.toLowerCase());
    if (at >= 0)
      hits.push({
        where,
        kind: c.kind,
        canary: c.value,
        excerpt: text.slice(Math.max(0, at - 80), at + c.value.length + 80),
      });
  }
  return hits;
}

/**
 * Watches every request the sandboxes log (the system's outbound vendor traffic; admin calls are not logged),
 * as it arrives: tests reset the logs between cases, so a scan at the end would see only the last test's.
 */
export class OutboundWitness {
  readonly hits: LeakHit[] = [];
  requests = 0;

  watch(sandboxes: RunningSandboxes): void {
    for (const [vendor, sandbox] of Object.entries(sandboxes.vendors)) {
      const log = sandbox.log;
      const append = log.append.bind(log);
      log.append = (entry) => {
        const logged = append(entry);
        this.inspect(vendor, logged);
        return logged;
      };
    }
  }

  /** What it saw, as a scan of its own. */
  scan(): LeakScan {
    return { hits: this.hits, scanned: { 'outbound vendor requests': this.requests } };
  }

  private inspect(vendor: string, r: LoggedRequest): void {
    this.requests++;
    const where = `${vendor} ${r.method} ${r.path}`;
    const request = JSON.stringify({ query: r.query, headers: r.headers, body: r.body });
    // The client secret goes to the vendor's token endpoint, and nowhere else.
    const allow = new Set<CanaryKind>(r.path === TOKEN_PATH ? ['secret'] : []);
    this.hits.push(...findCanaries(`outbound request ${where}`, `${r.path} ${request}`, allow));
  }
}

/** While the runtime is up: its tables, what is left on its DLQs, and its domain events. */
export async function scanRuntime(runtime: LocalRuntime): Promise<LeakScan> {
  const { outputs } = runtime;
  const aws = { region: outputs.region, credentials: LOCAL_CREDENTIALS };
  const hits: LeakHit[] = [];
  const scanned: Record<string, number> = { 'table items': 0, 'DLQ messages': 0, 'domain events': 0 };

  const ddb = new DynamoDBClient({ ...aws, endpoint: outputs.endpoints.dynamodb });
  try {
    for (const [id, table] of Object.entries(outputs.tables)) {
      for await (const page of paginateScan(
        { client: DynamoDBDocumentClient.from(ddb) },
        { TableName: table },
      )) {
        for (const item of page.Items ?? []) {
          scanned['table items']!++;
          hits.push(...findCanaries(`${id} table item`, JSON.stringify(item)));
        }
      }
    }
  } finally {
    ddb.destroy();
  }

  const sqs = new SQSClient({ ...aws, endpoint: outputs.endpoints.sqs });
  try {
    for (const [workflow, q] of Object.entries(outputs.workflows)) {
      for (let i = 0; i < 100; i++) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: q.dlqUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 60, // the runtime stops right after: each message is read once
            MessageAttributeNames: ['All'],
          }),
        );
        if (!Messages?.length) break;
        for (const m of Messages) {
          scanned['DLQ messages']!++;
          const where = `${workflow} DLQ message`;
          hits.push(
            ...findCanaries(`${where} attributes`, JSON.stringify(fromSqsAttributes(m.MessageAttributes))),
          );
          // The body is the vendor's own event, kept for replay: it may carry what the vendor sent, not our secrets.
          hits.push(...findCanaries(`${where} body`, m.Body ?? '', new Set(['pii'])));
        }
      }
    }
  } finally {
    sqs.destroy();
  }

  for (const e of runtime.events) {
    scanned['domain events']!++;
    hits.push(...findCanaries(`domain event ${e.detailType}`, JSON.stringify(e)));
  }
  return { hits, scanned };
}

/**
 * After the runtime stopped (its log files are flushed): every line of every log file under `dirs`, or only of
 * those written since `modifiedSinceMs` (a benchmark's own run, not what earlier runs left there).
 */
export function scanLogs(dirs: readonly string[], modifiedSinceMs = 0): LeakScan {
  const hits: LeakHit[] = [];
  let lines = 0;
  const files = dirs
    .filter((d) => existsSync(d))
    .flatMap((d) => filesUnder(d))
    .filter((file) => statSync(file).mtimeMs >= modifiedSinceMs);
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line) return;
        lines++;
        hits.push(...findCanaries(`log ${file}:${i + 1}`, line));
      });
  }
  return { hits, scanned: { 'log files': files.length, 'log lines': lines } };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.log') ? [path] : [];
  });
}

/** Several scans as one: every hit, and how much each source was looked at. */
export function mergeScans(scans: readonly LeakScan[]): LeakScan {
  return {
    hits: scans.flatMap((s) => s.hits),
    scanned: Object.assign({}, ...scans.map((s) => s.scanned)) as Record<string, number>,
  };
}

export function leakReport(scan: LeakScan): string {
  const counts = Object.entries(scan.scanned)
    .map(([what, n]) => `${n} ${what}`)
    .join(', ');
  if (!scan.hits.length) return `leak scan: no PII or secret found in ${counts}`;
  const shown = scan.hits.slice(0, 20).map((h) => `  ${h.kind} "${h.canary}" in ${h.where}: …${h.excerpt}…`);
  return [
    `leak scan: ${scan.hits.length} hit(s) of PII or secrets in ${counts}:`,
    ...shown,
    ...(scan.hits.length > shown.length ? [`  … and ${scan.hits.length - shown.length} more`] : []),
  ].join('\n');
}
