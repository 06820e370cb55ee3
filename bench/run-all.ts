/**
 * `npm run bench`: every benchmark in one run, so ratios against baselines share one machine state.
 * Each bench module exports `run()` and writes its own `bench/results/<name>.json`; this writes the
 * combined `bench/results/summary.json`. Bounded: every bench caps its count and its time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const BENCHES = [
  'parse',
  'mapping',
  'store-ingest',
  'mllp-ingest',
  'pipeline',
  'message-search',
  'dicom-ingest',
] as const;

const only = process.argv.slice(2);
const results: Record<string, unknown> = {};
for (const name of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`\n== bench ${name}\n`);
  const mod = (await import(`./${name}.bench.ts`)) as { run: () => Promise<Record<string, unknown>> };
  results[name] = await mod.run();
}
const dir = path.join(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
const summary = {
  at: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  results,
};
await writeFile(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`\nwrote ${path.join(dir, 'summary.json')}\n`);
