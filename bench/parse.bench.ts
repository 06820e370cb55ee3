/**
 * HL7 v2 parse throughput: our Hl7Message vs node-hl7-client 3.2, each parsing a message and reading the same
 * 24 values. Run: `node --import tsx bench/parse.bench.ts` (writes bench/results/parse.json), or call run().
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Message } from 'node-hl7-client';
import { Hl7Message } from '../engine/hl7/message.ts';
import { readBytes, readManifest } from '../engine/hl7/testing/corpus.ts';

/** Component-level paths, so both libraries return the same thing: the decoded first subcomponent. */
const PATHS = [
  'MSH-3.1', 'MSH-4.1', 'MSH-5.1', 'MSH-6.1', 'MSH-7.1', 'MSH-9.1', 'MSH-9.2', 'MSH-10.1', 'MSH-11.1', 'MSH-12.1',
  'EVN-2.1', 'PID-3.1', 'PID-3.4', 'PID-5.1', 'PID-5.2', 'PID-7.1', 'PID-8.1', 'PID-11.1', 'PID-11.3',
  'PV1-2.1', 'PV1-3.1', 'PV1-7.1', 'OBR-4.1', 'OBX-5.1',
]; // prettier-ignore
const NODE_PATHS = PATHS.map((p) => p.replace('-', '.'));

const MAX_MESSAGES = 2_000_000;
const MAX_MS = 2_000;
const WARMUP_MS = 300;

interface Sample {
  readonly bytes: Buffer;
  readonly text: string;
}

interface Result {
  messages: number;
  seconds: number;
  msgPerSec: number;
}

/** Bounded by both count and time; `sink` keeps the reads from being optimised away. */
function measure(samples: readonly Sample[], work: (s: Sample) => number, maxMs = MAX_MS): Result {
  let sink = 0;
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(maxMs) * 1_000_000n;
  while (n < MAX_MESSAGES) {
    for (let i = 0; i < 64; i++) sink += work(samples[(n + i) % samples.length] as Sample);
    n += 64;
    if (process.hrtime.bigint() >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return { messages: n, seconds: Number(seconds.toFixed(3)), msgPerSec: Math.round(n / seconds) };
}

const oursFromBuffer = (s: Sample): number => {
  const m = Hl7Message.parse(s.bytes);
  let total = 0;
  for (const p of PATHS) total += m.get(p).length;
  return total;
};

const oursFromString = (s: Sample): number => {
  const m = Hl7Message.parse(s.text);
  let total = 0;
  for (const p of PATHS) total += m.get(p).length;
  return total;
};

const nodeHl7Client = (s: Sample): number => {
  const m = new Message({ text: s.text });
  let total = 0;
  for (const p of NODE_PATHS) total += m.get(p).toString().length;
  return total;
};

/** Only messages both libraries accept, so both do the same work. */
function loadSamples(filter: (msh9: string) => boolean): Sample[] {
  const samples: Sample[] = [];
  for (const row of readManifest('hl7').filter((r) => filter(r.msh9))) {
    const bytes = readBytes(row);
    const text = Hl7Message.parse(bytes).toString();
    try {
      new Message({ text });
    } catch {
      continue;
    }
    samples.push({ bytes, text });
  }
  return samples;
}

export async function run(): Promise<Record<string, unknown>> {
  const sets = {
    'ADT^A01': loadSamples((msh9) => msh9.startsWith('ADT^A01')),
    'corpus mix': loadSamples(() => true),
  };
  const scenarios: Record<string, unknown> = {};
  for (const [name, samples] of Object.entries(sets)) {
    for (const work of [oursFromBuffer, oursFromString, nodeHl7Client]) measure(samples, work, WARMUP_MS);
    const ours = measure(samples, oursFromBuffer);
    const oursString = measure(samples, oursFromString);
    const theirs = measure(samples, nodeHl7Client);
    const avgBytes = Math.round(samples.reduce((n, s) => n + s.bytes.length, 0) / samples.length);
    scenarios[name] = {
      files: samples.length,
      avgBytes,
      reads: PATHS.length,
      ours,
      oursFromString: oursString,
      nodeHl7Client: theirs,
      ratio: Number((ours.msgPerSec / theirs.msgPerSec).toFixed(1)),
    };
    console.log(
      `${name.padEnd(10)} ${String(samples.length).padStart(3)} files, ${avgBytes} B avg: ` +
        `ours ${ours.msgPerSec.toLocaleString('en')} msg/s (from string ${oursString.msgPerSec.toLocaleString('en')}), ` +
        `node-hl7-client ${theirs.msgPerSec.toLocaleString('en')} msg/s, ratio ${(ours.msgPerSec / theirs.msgPerSec).toFixed(1)}x`,
    );
  }
  const result: Record<string, unknown> = {
    bench: 'parse',
    date: new Date().toISOString(),
    node: process.version,
    paths: PATHS,
    scenarios,
  };
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'parse.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
