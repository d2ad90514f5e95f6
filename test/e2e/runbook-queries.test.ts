/**
 * Every Logs Insights query in docs/runbook.md returns rows against what the local runtime's functions
 * actually wrote (.local/logs, one file per log group, named as in AWS) and, for the diagnostics query, what
 * the bus delivered. A small evaluator covers the subset the runbook uses: `filter` with `=`, `in` and
 * `like`, joined by `and`; `fields`; `stats count() by`. Each line a query selects must also be written at
 * every stage's configured log level.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_LOG_DIR } from '../../local/function-host';
import { loadStageConfig, STAGES } from '../../shared/config/stage';
import { agentStateChanged } from '../helpers/payloads';
import { domainEvents, peekDlq, postWebhook, runSchedule, sandbox, waitFor } from '../helpers/local';

type Row = Record<string, unknown>;

const runbook = readFileSync(join(__dirname, '../../docs/runbook.md'), 'utf8');
const queries = [...runbook.matchAll(/```\n([^`]*?(?:`[^`\n]*`[^`]*?)*?\| *filter [\s\S]*?)```/g)].map((m) =>
  m[1]!.trim(),
);

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function logLines(): Row[] {
  const walk = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir).flatMap((f) => {
          const p = join(dir, f);
          return statSync(p).isDirectory() ? walk(p) : p.endsWith('.log') ? [p] : [];
        })
      : [];
  return walk(join(LOCAL_LOG_DIR, 'wfm-bridge', 'local')).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Row];
        } catch {
          return [];
        }
      }),
  );
}

/** What the EventBridge rule writes to the diagnostics log group: the event, detail-type and detail included. */
async function diagnosticsLines(): Promise<Row[]> {
  return (await domainEvents()).map((e) => ({
    'detail-type': e.detailType,
    source: e.source,
    detail: e.detail,
  }));
}

const field = (row: Row, path: string): unknown =>
  path
    .replace(/`/g, '')
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Row)[k] : undefined), row);

function condition(text: string): (row: Row) => boolean {
  const eq = /^(\S+) = "([^"]*)"$/.exec(text);
  if (eq) return (row) => field(row, eq[1]!) === eq[2];
  const within = /^(\S+) in \[(.*)\]$/.exec(text);
  if (within) {
    const values = JSON.parse(`[${within[2]}]`) as unknown[];
    return (row) => values.includes(field(row, within[1]!));
  }
  const like = /^(\S+) like (?:\/(.*)\/|"(.*)")$/.exec(text);
  if (like) return (row) => String(field(row, like[1]!) ?? '').match(like[2] ?? like[3]!) !== null;
  throw new Error(`The runbook query evaluator does not know the condition: ${text}`);
}

/** The rows a query returns, and the lines its filters selected. */
function evaluate(query: string, lines: Row[]) {
  const commands = query.split('|').map((c) => c.trim());
  let selected = lines;
  let fields: string[] = [];
  let groups: Map<string, number> | undefined;
  for (const command of commands) {
    const [verb, ...rest] = command.split(/\s+/);
    const args = rest.join(' ');
    if (verb === 'filter') {
      const conditions = args.split(' and ').map((c) => condition(c.trim()));
      selected = selected.filter((row) => conditions.every((c) => c(row)));
    } else if (verb === 'fields') fields = args.split(',').map((f) => f.trim());
    else if (verb === 'stats') {
      const by = /^count\(\) by (.*)$/.exec(args);
      if (!by) throw new Error(`The runbook query evaluator does not know: ${command}`);
      const keys = by[1]!
        .split(',')
        .map((k) => k.trim())
        .filter((k) => !k.startsWith('bin('));
      groups = new Map();
      for (const row of selected) {
        const key = JSON.stringify(keys.map((k) => field(row, k)));
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    } else if (!['sort', 'limit'].includes(verb!))
      throw new Error(`Unknown command in runbook query: ${command}`);
  }
  return { selected, fields: fields.filter((f) => !f.startsWith('@')), groups };
}

describe('the runbook log queries, against the local runtime', () => {
  const genesys = sandbox('genesys');
  const uid = (label: string) =>
    `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

  beforeAll(async () => {
    // A shift-overrides record that fails (WARN, vendor calls) and an adherence drift (diagnostics).
    const userId = uid('user');
    const requestId = uid('req');
    await genesys.fixtures({
      users: [{ id: userId, timezone: 'America/New_York' }],
      shifts: [
        {
          id: uid('shift'),
          userId,
          startTime: '2026-12-01T14:00:00Z',
          endTime: '2026-12-01T22:00:00Z',
          shiftType: 'REGULAR',
        },
      ],
    });
    await genesys.faults([
      { method: 'POST', path: '/api/v2/wfm/scheduling/overrides', status: 400, times: 1 },
    ]);
    await postWebhook('/webhooks/genesys/timeoff', {
      eventType: 'timeoff.request.approved',
      timestamp: '2026-11-20T10:00:00Z',
      data: {
        requestId,
        userId,
        requestType: 'PAID_TIME_OFF',
        startTime: '2026-12-01T13:00:00Z',
        endTime: '2026-12-01T23:00:00Z',
        status: 'APPROVED',
        approverId: 'approver-1',
      },
    });
    await waitFor(async () => (await peekDlq('shift-overrides')).find((m) => m.Body?.includes(requestId)), {
      what: 'the rejected approval on the DLQ',
    });

    const agent = uid('agent');
    await postWebhook(
      '/webhooks/agent-state',
      agentStateChanged(agent, 'on-call', new Date(Date.now() - 120_000).toISOString()),
    );
    await waitFor(
      async () =>
        (
          (await genesys.state()) as {
            adherence: { agents: Record<string, { dashboard: { adherenceState: string } }> };
          }
        ).adherence.agents[agent]?.dashboard.adherenceState === 'OnCall',
      { what: 'OnCall acknowledged' },
    );
    await genesys.fixtures({
      adherenceStates: [
        { agentId: agent, adherenceState: 'Unavailable', since: new Date(Date.now() - 60_000).toISOString() },
      ],
    });
    await runSchedule('adherence-reconciliation');
    await waitFor(
      async () =>
        (await domainEvents('adherence.drift')).some(
          (e) => (e.detail as { agentId: string }).agentId === agent,
        ),
      { what: 'the drift event' },
    );
  });

  it('finds the queries', () => {
    expect(queries.length).toBeGreaterThanOrEqual(3);
  });

  it.each(
    queries.map((q) => [
      q
        .split('\n')
        .find((l) => l.includes('filter'))!
        .trim(),
      q,
    ]),
  )('%s returns rows, with the fields it asks for, written at every stage level', async (_title, query) => {
    const diagnostics = query.includes('`detail-type`');
    // Lines reach the files through the worker's stdout: wait for rows, the positive signal.
    const result = await waitFor(
      async () => {
        const r = evaluate(query, diagnostics ? await diagnosticsLines() : logLines());
        return r.selected.length ? r : undefined;
      },
      { what: `rows for ${query}` },
    );
    if (result.groups) expect([...result.groups.keys()].some((k) => !k.includes('null'))).toBe(true);
    for (const f of result.fields)
      expect([f, result.selected.some((row) => field(row, f) !== undefined)]).toEqual([f, true]);
    if (!diagnostics)
      for (const stage of Object.keys(STAGES)) {
        const level = LEVELS.indexOf(loadStageConfig(stage).logLevel);
        for (const row of result.selected)
          expect([stage, row.message, LEVELS.indexOf(String(row.level)) >= level]).toEqual([
            stage,
            row.message,
            true,
          ]);
      }
  });
});
