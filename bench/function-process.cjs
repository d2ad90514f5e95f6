// One function invocation in a process of its own, so its memory can be measured alone (the local runtime runs
// functions in worker threads, which share the runtime's RSS). Started with child_process.fork: argv is the
// handler bundle (local/function-host.ts bundleHandler), then `idle` (load the handler, invoke nothing) or the
// event as JSON. Sends the parent { result | error, maxRssBytes, samples, wallMs, cpuMs } and exits.
/* eslint-disable @typescript-eslint/no-require-imports */
const { readFileSync } = require('node:fs');
const { memoryUsage } = require('node:process');
const { setInterval, clearInterval, setTimeout } = require('node:timers');

const [bundle, what] = process.argv.slice(2);
const SAMPLE_MS = 100;
const started = Date.now();
/** [ms since start, rss bytes, heap used bytes], one every SAMPLE_MS. */
const samples = [];
const sample = () => {
  const { rss, heapUsed } = memoryUsage();
  samples.push([Date.now() - started, rss, heapUsed]);
};
const sampler = setInterval(sample, SAMPLE_MS);

async function main() {
  const { handler } = require(bundle);
  if (what === 'idle') {
    await new Promise((r) => setTimeout(r, 1000));
    return undefined;
  }
  const context = {
    awsRequestId: `bench-${started}`,
    functionName: 'bench',
    // A day: the bench measures one uninterrupted run of the whole export, not the function's 300 s (a real
    // run stops before its deadline and the next one continues: decision 0009).
    getRemainingTimeInMillis: () => 86_400_000,
    callbackWaitsForEmptyEventLoop: false,
  };
  return handler(JSON.parse(what), context);
}

main().then(
  (result) => report({ result }),
  (err) => report({ error: String((err && err.stack) || err) }),
);

function report(outcome) {
  clearInterval(sampler);
  sample();
  // The kernel's peak resident set of this process image (VmHWM): what sampling could miss, it cannot.
  // Not resourceUsage().maxRSS: across fork + exec Linux keeps the forked parent's peak, the bench's own.
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  const maxRssBytes = hwm ? Number(hwm[1]) * 1024 : NaN;
  const { user, system } = process.cpuUsage();
  const cpuMs = (user + system) / 1000;
  process.send({ ...outcome, maxRssBytes, samples, wallMs: Date.now() - started, cpuMs }, () =>
    process.exit(0),
  );
}
