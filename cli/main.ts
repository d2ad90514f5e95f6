/**
 * The operator CLI: `npx wfm-bridge dlq <command>` (or `npm run dlq -- <command>`) and
 * `npx wfm-bridge rewards ingest` (or `npm run rewards -- ingest`).
 * Every command finds its resources from the stack outputs (--stage) or the local runtime (--local).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Argument, Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { DynamoDbAuditLog } from '../shared/adapters/aws/dynamodb-audit-log';
import { MessageAttribute } from '../shared/config/resource-names';
import { redact } from '../shared/observability/redaction';
import {
  cancelRedrive,
  depth,
  exportLine,
  failedAt,
  importLines,
  matches,
  parseDuration,
  purge,
  receiveAll,
  redriveTasks,
  release,
  replay,
  startRedrive,
  type DeadLetter,
  type Filters,
} from './dlq/operations';
import { CliError, explainAwsError, resolveTarget, workflowQueues, type Target } from './dlq/target';
import { runIngestion } from './rewards/ingest';
import { IngestionRunFailed, resolveIngestionTarget } from './rewards/target';
import {
  checkOperatorRange,
  InvalidIngestionRange,
  MAX_OPERATOR_RANGE_DAYS,
} from '../shared/domain/reward-triggers/operator-range';
import type { IngestionSummary } from '../shared/domain/reward-triggers/ingest';
import type { IngestionProgressReport } from '../shared/domain/reward-triggers/ports';

interface CommonOptions {
  stage?: string;
  local?: boolean;
  localUrl?: string;
  json?: boolean;
}

interface FilterOptions {
  eventType?: string;
  eventId?: string;
  reason?: string;
  olderThan?: string;
  newerThan?: string;
  limit?: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

function table(rows: Record<string, unknown>[]): void {
  if (!rows.length) {
    out('(none)');
    return;
  }
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  out(line(cols));
  out(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) out(line(cols.map((c) => String(r[c] ?? ''))));
}

const age = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120
    ? `${s}s`
    : s < 7200
      ? `${Math.round(s / 60)}m`
      : s < 172_800
        ? `${Math.round(s / 3600)}h`
        : `${Math.round(s / 86_400)}d`;
};

function filtersFrom(o: FilterOptions): Filters {
  return {
    eventType: o.eventType,
    eventId: o.eventId,
    reason: o.reason,
    olderThanMs: o.olderThan ? parseDuration(o.olderThan) : undefined,
    newerThanMs: o.newerThan ? parseDuration(o.newerThan) : undefined,
    limit: o.limit ? Number(o.limit) : undefined,
  };
}

function preview(body: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(body))).slice(0, 80);
  } catch {
    return body.slice(0, 80);
  }
}

const describe = (d: DeadLetter, now: number) => ({
  messageId: d.messageId.slice(0, 12),
  eventType: d.attributes[MessageAttribute.eventType] ?? '',
  eventId: d.attributes[MessageAttribute.eventId] ?? '',
  reason: d.attributes[MessageAttribute.failureReason] ?? 'UNKNOWN (moved by SQS redrive)',
  receives: d.attributes.receiveCount ?? d.receiveCount,
  firstFailed: d.attributes.firstFailedAt ?? '',
  lastFailed: d.attributes.failedAt ?? new Date(d.sentAt).toISOString(),
  age: age(now - failedAt(d)),
  body: preview(d.body),
});

const withTarget = <T extends CommonOptions>(
  fn: (target: Target, opts: T, ...args: string[]) => Promise<number | void>,
) =>
  async function (this: Command, ...args: unknown[]) {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as T;
    const positional = args.slice(0, -2).map(String);
    try {
      const target = await resolveTarget(opts);
      const code = await fn(target, opts, ...positional);
      process.exitCode = typeof code === 'number' ? code : 0;
    } catch (err) {
      const e = explainAwsError(err as Error, `running dlq ${cmd.name()}`);
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e instanceof CliError ? 2 : 1;
    }
  };

const filterOptions = (cmd: Command) =>
  cmd
    .option('--event-type <type>', 'only messages of this event type (e.g. timeoff.request.approved)')
    .option('--event-id <id>', 'only the message with this vendor event id')
    .option('--reason <code>', 'only messages dead-lettered with this failure reason (see docs/runbook.md)')
    .option('--older-than <duration>', 'only messages that failed longer ago than this (90s, 15m, 2h, 3d)')
    .option('--newer-than <duration>', 'only messages that failed more recently than this')
    .option('--limit <n>', 'at most this many messages');

export function buildProgram(): Command {
  const program = new Command('wfm-bridge').description('wfm-bridge operator tools').showHelpAfterError();
  const dlq = program
    .command('dlq')
    .description('inspect and replay dead-letter queues safely (never loses a message)')
    .addOption(
      new Option('--stage <stage>', 'a deployed stage: queues come from stack WfmBridge-<stage> outputs'),
    )
    .option('--local', 'the local runtime started by `npm start` (reads .local/outputs.json)')
    .option('--local-url <url>', 'a local runtime at this gateway URL (reads <url>/_local/outputs)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  npx wfm-bridge dlq list --local
  npx wfm-bridge dlq show shift-overrides --stage dev --reason VENDOR_UNAVAILABLE
  npx wfm-bridge dlq replay shift-overrides --stage dev --older-than 15m          # dry run
  npx wfm-bridge dlq replay shift-overrides --stage dev --reason VENDOR_UNAVAILABLE --yes --rate 5
Failure reasons and what to do about each: docs/runbook.md`,
    );

  dlq
    .command('list')
    .description("every workflow's DLQ: depth, oldest message age, source queue")
    .action(
      withTarget<CommonOptions>(async (target, opts) => {
        const now = Date.now();
        const rows = [];
        for (const [workflow, q] of Object.entries(target.workflows)) {
          const d = await depth(target.sqs, q.dlqUrl);
          const peeked = d.visible ? await receiveAll(target.sqs, q.dlqUrl, 50, 5) : [];
          await release(target.sqs, q.dlqUrl, peeked);
          const oldest = peeked.length ? Math.min(...peeked.map(failedAt)) : undefined;
          rows.push({
            workflow,
            depth: d.visible,
            inFlight: d.inFlight,
            oldest: oldest ? `${age(now - oldest)}${d.visible > peeked.length ? ' (of first 50)' : ''}` : '-',
            sourceQueue: q.queueUrl.split('/').pop(),
          });
        }
        if (opts.json) out(JSON.stringify(rows, null, 2));
        else table(rows);
      }),
    );

  filterOptions(
    dlq
      .command('show')
      .argument('<workflow>')
      .description('list dead-lettered messages with their failure reasons (never deletes)'),
  ).action(
    withTarget<CommonOptions & FilterOptions>(async (target, opts, workflow) => {
      const q = workflowQueues(target, workflow!);
      const filters = filtersFrom(opts);
      const now = Date.now();
      const all = await receiveAll(target.sqs, q.dlqUrl, 1000, 30);
      try {
        const shown = all.filter((m) => matches(m, filters, now)).slice(0, filters.limit ?? Infinity);
        if (opts.json)
          out(
            JSON.stringify(
              shown.map((m) => ({
                ...describe(m, now),
                body: redact(safeJson(m.body)),
                attributes: m.attributes,
              })),
              null,
              2,
            ),
          );
        else {
          table(shown.map((m) => describe(m, now)));
          out(`\n${shown.length} of ${all.length} message(s) on the ${workflow} DLQ`);
        }
      } finally {
        await release(target.sqs, q.dlqUrl, all);
      }
    }),
  );

  filterOptions(
    dlq
      .command('replay')
      .argument('<workflow>')
      .description('send dead-lettered messages back to their source queue (dry run unless --yes)')
      .option('--yes', 'actually move the messages')
      .option('--rate <n>', 'at most n messages per second'),
  ).action(
    withTarget<CommonOptions & FilterOptions & { yes?: boolean; rate?: string }>(
      async (target, opts, workflow) => {
        const q = workflowQueues(target, workflow!);
        const operator = await target.operator();
        const bar =
          process.stdout.isTTY && !opts.json
            ? new SingleBar({ format: 'replaying [{bar}] {value}/{total}' }, Presets.shades_classic)
            : undefined;
        let started = false;
        const result = await replay({
          sqs: target.sqs,
          dlqUrl: q.dlqUrl,
          sourceUrl: q.queueUrl,
          workflow: workflow!,
          filters: filtersFrom(opts),
          dryRun: !opts.yes,
          operator,
          audit: new DynamoDbAuditLog(target.doc, target.auditTable),
          rate: opts.rate ? Number(opts.rate) : undefined,
          onProgress: (done, total) => {
            if (!bar || total < 20) return;
            if (!started) bar.start(total, 0);
            started = true;
            bar.update(done);
          },
        });
        bar?.stop();
        const now = Date.now();
        if (opts.json) {
          out(
            JSON.stringify(
              {
                dryRun: !opts.yes,
                moved: result.moved.length,
                skipped: result.skipped.length,
                failed: result.failed.map((f) => ({ messageId: f.message.messageId, error: f.error })),
              },
              null,
              2,
            ),
          );
        } else if (!opts.yes) {
          out(
            `Dry run: ${result.skipped.length} message(s) would move from the ${workflow} DLQ to its source queue:`,
          );
          table(result.skipped.map((m) => describe(m, now)));
          out('\nRun again with --yes to move them.');
        } else {
          table([
            { moved: result.moved.length, skipped: result.skipped.length, failed: result.failed.length },
          ]);
          for (const f of result.failed) out(`failed ${f.message.messageId}: ${f.error} (left on the DLQ)`);
        }
        return result.failed.length ? 1 : 0;
      },
    ),
  );

  dlq
    .command('redrive')
    .argument('<workflow>')
    .addArgument(
      new Argument('[action]', 'start a move task, show recent ones, or cancel the running one')
        .choices(['start', 'status', 'cancel'])
        .default('start'),
    )
    .option('--rate <n>', 'at most n messages per second (start)')
    .description('bulk-move a whole DLQ back to its source queue with SQS StartMessageMoveTask')
    .addHelpText(
      'after',
      `
Examples:
  npx wfm-bridge dlq redrive shift-overrides --stage dev --rate 10
  npx wfm-bridge dlq redrive shift-overrides status --stage dev
  npx wfm-bridge dlq redrive shift-overrides cancel --stage dev`,
    )
    .action(
      withTarget<CommonOptions & { rate?: string }>(async (target, opts, workflow, action) => {
        const q = workflowQueues(target, workflow!);
        if (action === 'status') {
          const rows = (await redriveTasks(target.sqs, q.dlqArn)).map((t) => ({
            status: t.Status,
            moved: t.ApproximateNumberOfMessagesMoved,
            toMove: t.ApproximateNumberOfMessagesToMove ?? '',
            started: t.StartedTimestamp ? new Date(t.StartedTimestamp).toISOString() : '',
            failure: t.FailureReason ?? '',
          }));
          if (opts.json) out(JSON.stringify(rows, null, 2));
          else table(rows);
          return;
        }
        if (action === 'cancel') {
          const res = await cancelRedrive(target.sqs, q.dlqArn);
          out(
            res
              ? `cancelled; ${res.ApproximateNumberOfMessagesMoved ?? 0} moved before the cancel`
              : 'no running move task',
          );
          return;
        }
        const task = await startRedrive(
          target.sqs,
          q.dlqArn,
          q.queueArn,
          opts.rate ? Number(opts.rate) : undefined,
        );
        out(`started moving the ${workflow} DLQ back to its source queue: ${task.TaskHandle}`);
      }),
    );

  dlq
    .command('export')
    .argument('<workflow>')
    .requiredOption('--out <file>', 'JSON Lines file to write')
    .description('copy every DLQ message (body and attributes) to a file, deleting nothing')
    .action(
      withTarget<CommonOptions & { out: string }>(async (target, opts, workflow) => {
        const q = workflowQueues(target, workflow!);
        const all = await receiveAll(target.sqs, q.dlqUrl, 100_000, 120);
        try {
          writeFileSync(opts.out, all.map(exportLine).join('\n') + (all.length ? '\n' : ''));
        } finally {
          await release(target.sqs, q.dlqUrl, all);
        }
        out(`exported ${all.length} message(s) to ${opts.out}`);
      }),
    );

  dlq
    .command('import')
    .argument('<workflow>')
    .requiredOption('--in <file>', 'JSON Lines file written by export')
    .addOption(new Option('--to <queue>', 'where to send them').choices(['dlq', 'source']).default('dlq'))
    .description('send exported messages to the DLQ (default) or the source queue')
    .action(
      withTarget<CommonOptions & { in: string; to: 'dlq' | 'source' }>(async (target, opts, workflow) => {
        const q = workflowQueues(target, workflow!);
        const sent = await importLines(
          target.sqs,
          opts.to === 'source' ? q.queueUrl : q.dlqUrl,
          readFileSync(opts.in, 'utf8').split('\n'),
        );
        out(
          `imported ${sent} message(s) into the ${workflow} ${opts.to === 'source' ? 'source queue' : 'DLQ'}`,
        );
      }),
    );

  dlq
    .command('purge')
    .argument('<workflow>')
    .requiredOption(
      '--confirm <workflow>',
      'the workflow name again: purge deletes every message irrecoverably',
    )
    .description('delete every message on the DLQ (export first!)')
    .action(
      withTarget<CommonOptions & { confirm: string }>(async (target, opts, workflow) => {
        const q = workflowQueues(target, workflow!);
        if (opts.confirm !== workflow)
          throw new CliError(`--confirm must repeat the workflow name "${workflow}"; nothing purged.`);
        await purge(target.sqs, q.dlqUrl);
        out(`purged the ${workflow} DLQ`);
      }),
    );

  rewardsCommands(program);
  return program;
}

interface IngestOptions extends CommonOptions {
  from?: string;
  to?: string;
  apply?: boolean;
}

const targetOptions = (cmd: Command) =>
  cmd
    .addOption(
      new Option('--stage <stage>', 'a deployed stage: resources come from stack WfmBridge-<stage> outputs'),
    )
    .option('--local', 'the local runtime started by `npm start` (reads .local/outputs.json)')
    .option('--local-url <url>', 'a local runtime at this gateway URL (reads <url>/_local/outputs)')
    .option('--json', 'machine-readable output');

const progressLine = (p: IngestionProgressReport) =>
  `day ${p.daysDone}/${p.daysTotal} done: ${p.rowsRead} rows read, ${p.rowsLoaded} loaded, ${p.rowsRejected} rejected`;

function summaryRows(s: IngestionSummary): Record<string, unknown>[] {
  return [
    { figure: 'days read', value: s.daysRead },
    { figure: 'rows read', value: s.rowsRead },
    { figure: s.dryRun ? 'rows that would load' : 'rows loaded', value: s.rowsLoaded },
    { figure: 'rows already loaded (unchanged)', value: s.rowsUnchanged },
    { figure: 'rows rejected (malformed)', value: s.rowsRejected },
    {
      figure: s.dryRun ? 'ledger entries it would write' : 'ledger entries written',
      value: s.ledgerEntriesWritten,
    },
    { figure: 'agents evaluated', value: s.agentsEvaluated },
    { figure: 'days not loaded', value: s.failedDays.length },
    // Stopped before the function's deadline: run again with --from this day.
    ...(s.resumeFrom
      ? [{ figure: 'stopped before the deadline; continue --from', value: s.resumeFrom }]
      : []),
    { figure: 'rule version', value: s.ruleVersion },
    { figure: 'duration', value: `${(s.durationMs / 1000).toFixed(1)} s` },
  ];
}

function rewardsCommands(program: Command): void {
  const rewards = program.command('rewards').description('reward-triggers operations (spec 004)');
  targetOptions(
    rewards
      .command('ingest')
      .description(
        'ingest the Genesys performance export for a date range (dry run unless --apply); safe to repeat',
      )
      .option('--from <date>', 'first day, YYYY-MM-DD (in the export time zone)')
      .option('--to <date>', `last day, YYYY-MM-DD (inclusive; at most ${MAX_OPERATOR_RANGE_DAYS} days)`)
      .option('--apply', 'load the rows into the ledger and enqueue evaluations (default: dry run)')
      .addHelpText(
        'after',
        `
Examples:
  npx wfm-bridge rewards ingest --local --from 2026-05-01 --to 2026-05-14           # dry run: loads nothing
  npx wfm-bridge rewards ingest --stage prod --from 2026-05-01 --to 2026-05-14 --apply
A row (agent and date) is booked once however often it is ingested; a changed row books its correction.
Failure reasons and what to do about each: docs/runbook.md`,
      ),
  ).action(async function (this: Command) {
    const opts = this.optsWithGlobals() as IngestOptions;
    try {
      const range = (() => {
        try {
          return checkOperatorRange(opts.from, opts.to);
        } catch (err) {
          if (err instanceof InvalidIngestionRange) throw new CliError(err.message);
          throw err;
        }
      })();
      const target = await resolveIngestionTarget(opts);
      const dryRun = !opts.apply;
      const bar =
        process.stderr.isTTY && !opts.json
          ? new SingleBar(
              {
                stream: process.stderr,
                format:
                  'ingesting [{bar}] {value}/{total} days | {rowsRead} rows read, {rowsRejected} rejected',
              },
              Presets.shades_classic,
            )
          : undefined;
      if (!opts.json)
        process.stderr.write(
          `${dryRun ? 'Dry run' : 'Ingesting'} ${range.from}..${range.to} on ${target.label}${dryRun ? ' (nothing will load; --apply to load)' : ''}\n`,
        );
      let started = false;
      const run = await runIngestion({
        target,
        ...range,
        dryRun,
        onProgress: (p) => {
          if (opts.json) return;
          if (!bar) return void process.stderr.write(`${progressLine(p)}\n`);
          if (!started) bar.start(p.daysTotal, p.daysDone, p);
          started = true;
          bar.update(p.daysDone, p);
        },
      });
      bar?.stop();
      if (run.error) {
        if (!(run.error instanceof IngestionRunFailed)) throw run.error;
        if (opts.json)
          out(
            JSON.stringify(
              { runId: run.runId, error: run.error.message, progress: run.lastProgress },
              null,
              2,
            ),
          );
        process.stderr.write(
          `error: the run failed: ${run.error.message}\n` +
            (run.lastProgress ? `before it failed: ${progressLine(run.lastProgress)}\n` : '') +
            'See docs/runbook.md, "Reward export ingestion".\n',
        );
        process.exitCode = 1;
        return;
      }
      const s = run.summary!;
      if (opts.json) {
        out(JSON.stringify({ runId: run.runId, ...s }, null, 2));
      } else {
        table(summaryRows(s));
        if (s.malformed.length) {
          out(`\nMalformed rows skipped (${s.rowsRejected}; the first ${s.malformed.length} named):`);
          table(s.malformed.map((m) => ({ row: m.rowRef, fields: m.fields.join(', ') })));
        }
        for (const d of s.failedDays) out(`day ${d.date} not loaded: ${d.reason} (${d.detail})`);
        if (s.dryRun) out('\nDry run: nothing was loaded or enqueued. Run again with --apply to load.');
      }
      process.exitCode = s.failedDays.length ? 1 : 0;
    } catch (err) {
      const e = explainAwsError(err as Error, 'running rewards ingest');
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e instanceof CliError ? 2 : 1;
    }
  });
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: Error) => {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
    });
}
