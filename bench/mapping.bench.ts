/**
 * Mapping throughput, messages per second on ONE core (a single synchronous loop): every ADT,
 * ORM^O01 and ORU^R01 file of the corpus, each through the mapping its shipped channel uses
 * (adt-to-fhir, orm-to-fhir, oru-to-fhir) as the channel transformer runs it: parse + map
 * (MessageHeader/Provenance included, Bundle serialised to JSON), and the same with the channel
 * option `validate: true` (R4 StructureDefinitions, required bindings, references).
 * Run: `node --import tsx bench/mapping.bench.ts` (writes bench/results/mapping.json), or call run().
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HL7_V2_CONTENT_TYPE, type Payload, type Transformer } from '../engine/channels/transform.ts';
import { Hl7Message } from '../engine/hl7/message.ts';
import { readBytes, readManifest } from '../engine/hl7/testing/corpus.ts';
import { mappingTransformer } from '../mappings/index.ts';
import { ensureStructureDefinitions } from '../mappings/validation/structure-definitions.ts';

const MAX_MESSAGES = 1_000_000;
const MAX_MS = 3_000;
const WARMUP_MS = 500;

/** Manifest MSH-9 -> the mapping the shipped channels route it to (channels/*.yaml). */
const ROUTES: readonly (readonly [RegExp, string])[] = [
  [/^ADT\^/, 'adt-to-fhir'],
  [/^ORM\^O01(\^|$)/, 'orm-to-fhir'],
  [/^ORU\^R01(\^|$)/, 'oru-to-fhir'],
];

interface Sample {
  readonly file: string;
  readonly bytes: Buffer;
  readonly mapping: string;
}

interface Result {
  messages: number;
  seconds: number;
  msgPerSec: number;
  avgBundleBytes: number;
}

const EMPTY: Payload = { contentType: HL7_V2_CONTENT_TYPE, body: Buffer.alloc(0) };

function loadSamples(): Sample[] {
  const out: Sample[] = [];
  for (const row of readManifest('hl7')) {
    const route = ROUTES.find(([re]) => re.test(row.msh9));
    if (route) out.push({ file: row.path, bytes: readBytes(row), mapping: route[1] });
  }
  return out;
}

function transformers(validate: boolean): Map<string, Transformer> {
  return new Map(ROUTES.map(([, name]) => [name, mappingTransformer(name, { validate })]));
}

/** Files whose Bundle fails validation (they throw, as they would in a channel): should be none. */
function invalidFiles(samples: readonly Sample[], byMapping: Map<string, Transformer>): string[] {
  return samples
    .filter((s) => {
      try {
        byMapping.get(s.mapping)!(EMPTY, {
          message: Hl7Message.parse(s.bytes),
          messageId: '1',
          channelId: 'bench',
        });
        return false;
      } catch {
        return true;
      }
    })
    .map((s) => s.file);
}

/** Parse + transform, bounded by count and time; invalid Bundles are counted, not fatal. */
function measure(samples: readonly Sample[], byMapping: Map<string, Transformer>, maxMs: number): Result {
  let n = 0;
  let invalid = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(maxMs) * 1_000_000n;
  while (n < MAX_MESSAGES) {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const message = Hl7Message.parse(s.bytes);
      try {
        const out = byMapping.get(s.mapping)!(EMPTY, {
          message,
          messageId: String(n + i),
          channelId: 'bench',
        });
        bytes += (out as Payload).body.length;
      } catch {
        invalid++;
      }
    }
    n += samples.length;
    if (process.hrtime.bigint() >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    messages: n,
    seconds: Number(seconds.toFixed(3)),
    msgPerSec: Math.round(n / seconds),
    avgBundleBytes: Math.round(bytes / Math.max(n - invalid, 1)),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  ensureStructureDefinitions(); // once per process, not part of the per-message cost
  const all = loadSamples();
  const sets: Record<string, Sample[]> = {
    'corpus mix (ADT+ORM+ORU)': all,
    ADT: all.filter((s) => s.mapping === 'adt-to-fhir'),
    'ORM^O01': all.filter((s) => s.mapping === 'orm-to-fhir'),
    'ORU^R01': all.filter((s) => s.mapping === 'oru-to-fhir'),
  };
  const plain = transformers(false);
  const validating = transformers(true);
  const scenarios: Record<string, unknown> = {};
  for (const [name, samples] of Object.entries(sets)) {
    if (samples.length === 0) continue;
    measure(samples, plain, WARMUP_MS);
    measure(samples, validating, WARMUP_MS);
    const map = measure(samples, plain, MAX_MS);
    const mapValidate = measure(samples, validating, MAX_MS);
    const invalid = invalidFiles(samples, validating);
    const avgBytes = Math.round(samples.reduce((sum, s) => sum + s.bytes.length, 0) / samples.length);
    scenarios[name] = {
      files: samples.length,
      avgBytes,
      parseMap: map,
      parseMapValidate: mapValidate,
      validationShare: Number((1 - mapValidate.msgPerSec / map.msgPerSec).toFixed(2)),
      invalidFiles: invalid,
    };
    console.log(
      `${name.padEnd(26)} ${String(samples.length).padStart(3)} files, ${avgBytes} B avg: ` +
        `parse+map ${map.msgPerSec.toLocaleString('en')} msg/s, ` +
        `parse+map+validate ${mapValidate.msgPerSec.toLocaleString('en')} msg/s` +
        (invalid.length > 0
          ? ` (${invalid.length} files invalid: they throw early, so the rate is optimistic)`
          : ''),
    );
  }
  const result: Record<string, unknown> = {
    bench: 'mapping',
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    note: 'one core: a single synchronous loop in one process; each message parsed from bytes, mapped by the channel transformer (JSON output)',
    scenarios,
  };
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'mapping.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
