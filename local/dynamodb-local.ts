/**
 * DynamoDB Local (DESIGN section 4): the official emulator, shipped inside the npm package
 * `amplify-dynamodb-simulator`. Fetched once with `npm pack` into `.local/` (its licence forbids committing
 * the jar) and verified three ways before use: the npm tarball against its registry integrity, the
 * package's `emulator/sha256` (which records the checksum of AWS's upstream DynamoDB Local archive, not of
 * the jar — so it is compared with the value we pinned), and the extracted jar against its pinned sha256.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitUntil } from './net';

const run = promisify(execFile);
export const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const TARBALL_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';
const UPSTREAM_ARCHIVE_SHA256 = '55b425a9a42cfc728436eaf0e4ae64d688b64d177c99c4f4c4d7e3dbb3ac6c09';
const JAR_SHA256 = '454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7';
const CACHE_DIR = resolve(__dirname, '..', '.local');
const EMULATOR_DIR = join(CACHE_DIR, 'dynamodb-local');
const GUARD = join(__dirname, 'parent-guard.sh');

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function verifyTarball(file: string): void {
  const actual = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  if (actual !== TARBALL_INTEGRITY)
    throw new Error(`${SIMULATOR_PACKAGE} tarball integrity mismatch: ${actual}`);
}

function verify(dir: string): void {
  const recorded = join(dir, 'sha256');
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!existsSync(recorded) || !existsSync(jar))
    throw new Error(`DynamoDB Local in ${dir} is incomplete; delete it`);
  const upstream = readFileSync(recorded, 'utf8').trim().split(/\s+/)[0]!.toLowerCase();
  if (upstream !== UPSTREAM_ARCHIVE_SHA256)
    throw new Error(`emulator/sha256 records ${upstream}, expected ${UPSTREAM_ARCHIVE_SHA256}`);
  const actual = sha256(jar);
  if (actual !== JAR_SHA256)
    throw new Error(`DynamoDBLocal.jar sha256 is ${actual}, expected ${JAR_SHA256}; delete ${dir}`);
}

/** Fetches and unpacks the emulator once; concurrent callers each unpack privately and rename atomically. */
export async function ensureDynamoDbLocal(log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(join(EMULATOR_DIR, 'DynamoDBLocal.jar'))) return EMULATOR_DIR;
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = join(CACHE_DIR, `fetch-${process.pid}-${Date.now()}`);
  mkdirSync(work);
  try {
    log(`fetching DynamoDB Local (${SIMULATOR_PACKAGE}) from the npm registry, once...`);
    const { stdout } = await run('npm', ['pack', SIMULATOR_PACKAGE, '--silent', '--pack-destination', work], {
      cwd: work,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = join(work, stdout.trim().split('\n').pop()!.trim());
    verifyTarball(tarball);
    await run('tar', ['-xzf', tarball, '-C', work, 'package/emulator']);
    const unpacked = join(work, 'package', 'emulator');
    verify(unpacked);
    try {
      renameSync(unpacked, EMULATOR_DIR);
    } catch (err) {
      if (!existsSync(join(EMULATOR_DIR, 'DynamoDBLocal.jar'))) throw err; // another process won the race
    }
    log(`DynamoDB Local cached in ${EMULATOR_DIR} (sha256 verified)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return EMULATOR_DIR;
}

export interface RunningDynamoDb {
  readonly endpoint: string;
  /** The guard process (local/parent-guard.sh), leader of the JVM's process group. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  readonly port?: number;
  readonly log?: (line: string) => void;
  /**
   * Keep the tables in a database file in this (existing, empty) directory instead of in the JVM's memory.
   * In memory is faster and leaves nothing behind, but the JVM's memory then grows with every item stored (about
   * 2 MB per 1,000 audit entries, ledger rows and workflow states): a long run that watches memory uses a file.
   */
  readonly dataDir?: string;
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}) {
  try {
    await run('java', ['-version']);
  } catch {
    throw new Error(
      'Java is required for DynamoDB Local and was not found: apt-get install -y openjdk-17-jre-headless',
    );
  }
  const dir = await ensureDynamoDbLocal(opts.log);
  verify(dir);
  const port = opts.port || (await freePort());
  // Through local/parent-guard.sh, in a process group of its own: the JVM stops when this process's end of the
  // guard's stdin closes, which the kernel does however this process ends (SIGKILL included); Ctrl-C in a
  // terminal reaches only the runtime, which stops the JVM in its turn.
  const child: ChildProcess = spawn(
    'bash',
    [
      GUARD,
      'java',
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xmx256m',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      ...(opts.dataDir ? ['-dbPath', opts.dataDir] : ['-inMemory']),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      // glibc gives each thread that allocates natively (SQLite, under Jetty's request threads) an arena of its
      // own, and the JVM's RSS creeps with them; two are plenty for a local emulator.
      env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  // The pipe is the lifeline, never written to; an EPIPE after the guard exits is expected.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitUntil(async () => {
        const res = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(2000) });
        return res.status > 0;
      }, `DynamoDB Local to answer on ${endpoint}`),
      exited.then(() => {
        throw new Error(`DynamoDB Local exited while starting: ${output.slice(-500)}`);
      }),
    ]);
  } catch (err) {
    killGroup();
    throw err;
  }
  return {
    endpoint,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end(); // the guard stops the JVM: SIGTERM, then SIGKILL after 3 s
      const timer = setTimeout(killGroup, 5000);
      await exited;
      clearTimeout(timer);
    },
  } satisfies RunningDynamoDb;
}

/** For `readdirSync`-free callers that only want to know whether the cache is warm. */
