import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANARIES, mergeScans, scanLogs } from '../../helpers/leak-scan';

describe('the leak scan of log files', () => {
  let dir: string;
  const pii = CANARIES.find((c) => c.kind === 'pii')!.value;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-scan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a canary in any log file, and only in the files written since a benchmark started', () => {
    writeFileSync(join(dir, 'old.log'), `{"message":"earlier run","name":"${pii}"}\n`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'old.log'), hourAgo, hourAgo);
    writeFileSync(join(dir, 'new.log'), `{"message":"this run"}\n{"email":"${pii}"}\n`);

    expect(scanLogs([dir]).hits.map((h) => h.where.replace(dir, ''))).toEqual([
      'log /new.log:2',
      'log /old.log:1',
    ]);
    const since = scanLogs([dir], Date.now() - 60_000);
    expect(since.hits.map((h) => h.where.replace(dir, ''))).toEqual(['log /new.log:2']);
    expect(since.scanned).toEqual({ 'log files': 1, 'log lines': 2 });
  });

  it('merges scans: every hit, and what each source looked at', () => {
    const logs = scanLogs([dir]);
    const merged = mergeScans([
      { hits: [{ where: 'a', kind: 'pii', canary: pii, excerpt: pii }], scanned: { 'table items': 3 } },
      logs,
    ]);
    expect(merged.hits).toHaveLength(1);
    expect(merged.scanned).toEqual({ 'table items': 3, 'log files': 0, 'log lines': 0 });
  });
});
