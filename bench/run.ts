/**
 * `npm run bench [-- name ...]`: runs every bench/*.bench.ts (or the named ones), each printing its tables;
 * results are also written as JSON to bench/results/.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchModule {
  run(): Promise<Record<string, unknown>>;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const wanted = process.argv.slice(2);
  const all = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length) throw new Error(`Unknown bench ${unknown.join(', ')}; benches: ${all.join(', ')}`);
  const names = wanted.length ? wanted : all;
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  for (const name of names) {
    console.log(`\n=== ${name} ===`);
    const mod = (await import(join(__dirname, `${name}.bench.ts`))) as BenchModule;
    const result = await mod.run();
    writeFileSync(
      join(__dirname, 'results', `${name}.json`),
      JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2),
    );
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
