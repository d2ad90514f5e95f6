/**
 * Issue 14, "Shutdown": `npm start` leaves no process behind whichever way it ends (Ctrl-C, a SIGKILL of the
 * runtime's own node process as the OOM killer would send, a SIGKILL of npm), and starts again on the same ports.
 * Each run is its own `npm start`, in a process group of its own as a terminal would start it, on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from '../../local/net';

jest.setTimeout(240_000);

const REPO = join(__dirname, '..', '..');

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly cmdline: string[];
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The JVM serving DynamoDB Local on `port`, whoever its parent is now. */
const dynamoDbJvm = (port: number) =>
  processes().filter(
    (p) =>
      p.cmdline[0]?.endsWith('java') &&
      p.cmdline.includes('DynamoDBLocal.jar') &&
      p.cmdline[p.cmdline.indexOf('-port') + 1] === String(port),
  );

interface Started {
  readonly npm: ChildProcess;
  readonly dynamoDbPort: number;
  output(): string;
}

async function npmStart(gatewayPort: number, sandboxPort: number): Promise<Started> {
  const npm = spawn('npm', ['start'], {
    cwd: REPO,
    detached: true, // its own process group, as a shell with job control starts it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WFM_LOCAL_PORT: String(gatewayPort),
      WFM_SANDBOX_PORT: String(sandboxPort),
      WFM_LOG_LEVEL: 'ERROR',
      WFM_LOCAL_LOG_DIR: join(tmpdir(), `wfm-bridge-shutdown-test-${process.pid}`),
    },
  });
  let output = '';
  npm.stdout!.on('data', (d) => (output += String(d)));
  npm.stderr!.on('data', (d) => (output += String(d)));
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  try {
    await waitUntil(
      async () => {
        if (npm.exitCode !== null)
          throw new Error(`npm start exited ${npm.exitCode}: ${output.slice(-1000)}`);
        return (await fetch(`${gateway}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
      },
      `npm start to answer /health on ${gateway}`,
      90_000,
    );
  } catch (err) {
    killGroup(npm.pid!);
    throw err;
  }
  const outputs = (await (
    await fetch(`${gateway}/_local/outputs`, { signal: AbortSignal.timeout(2000) })
  ).json()) as { endpoints: { dynamodb: string } };
  const dynamoDbPort = Number(new URL(outputs.endpoints.dynamodb).port);
  expect(dynamoDbJvm(dynamoDbPort)).toHaveLength(1);
  return { npm, dynamoDbPort, output: () => output };
}

function killGroup(pgid: number) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** The node process running local/main.ts: the parent of DynamoDB Local's guard (or of the JVM itself). */
function runtimeNode(started: Started): number {
  const jvm = dynamoDbJvm(started.dynamoDbPort)[0]!;
  const parent = processes().find((p) => p.pid === jvm.ppid)!;
  return parent.cmdline.some((arg) => arg.endsWith('parent-guard.sh')) ? parent.ppid : parent.pid;
}

/** Nothing of that start remains: not its process group, not its JVM (in a group of its own). */
async function expectNothingLeft(started: Started, withinMs: number) {
  const pgid = started.npm.pid!;
  await waitUntil(
    async () => dynamoDbJvm(started.dynamoDbPort).length === 0 && !processes().some((p) => p.pgid === pgid),
    `every process of npm start (group ${pgid}, DynamoDB Local on ${started.dynamoDbPort}) to exit`,
    withinMs,
  ).catch((err: Error) => {
    const left = [...dynamoDbJvm(started.dynamoDbPort), ...processes().filter((p) => p.pgid === pgid)];
    for (const p of left) process.kill(p.pid, 'SIGKILL');
    throw new Error(
      `${err.message}; left behind: ${left.map((p) => p.cmdline.join(' ').slice(0, 160)).join(' | ')}`,
    );
  });
}

describe('npm start leaves nothing behind and starts again on the same ports', () => {
  let gatewayPort: number;
  let sandboxPort: number;
  const running: Started[] = [];

  beforeAll(async () => {
    gatewayPort = await freePort();
    sandboxPort = await freePort();
  });

  afterAll(() => {
    for (const s of running) {
      killGroup(s.npm.pid!);
      for (const p of dynamoDbJvm(s.dynamoDbPort)) process.kill(p.pid, 'SIGKILL');
    }
  });

  const start = async () => {
    const s = await npmStart(gatewayPort, sandboxPort);
    running.push(s);
    return s;
  };

  it('SIGKILL of the runtime node process alone (the OOM killer): DynamoDB Local dies with it', async () => {
    const started = await start();
    process.kill(runtimeNode(started), 'SIGKILL');
    await expectNothingLeft(started, 8_000);
  });

  it('SIGKILL of npm alone: the runtime notices its launcher is gone and stops', async () => {
    const started = await start();
    process.kill(started.npm.pid!, 'SIGKILL');
    await expectNothingLeft(started, 30_000);
  });

  it('Ctrl-C (SIGINT to the process group): every component stops, then npm exits', async () => {
    const started = await start();
    process.kill(-started.npm.pid!, 'SIGINT');
    await expectNothingLeft(started, 30_000);
    expect(started.output()).toContain('stopped.');
  });

  it('SIGTERM of npm alone (kill <pid>): the same', async () => {
    const started = await start();
    process.kill(started.npm.pid!, 'SIGTERM');
    await expectNothingLeft(started, 30_000);
  });
});
