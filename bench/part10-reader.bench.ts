/**
 * Part-10 parse cost per instance: the single-pass reader (engine/dicom/fast-part10-reader.ts) vs the
 * dcmjs path (structure check + dcmjs + toDicomJson), both giving the same ParsedInstance (checked
 * for every file before timing). Corpus: ../shared/tools/make-dicom-corpus.sh (1 study x 3 series x
 * 10 instances, 64x64x16, plus its edge cases: Latin-1, UTF-8, implicit VR, private tags), and JPEG
 * lossless copies made by DCMTK dcmcjpeg. Bounded by count and time per scenario.
 * Env: BENCH_PART10_MAX_MS (per scenario and path, default 2000).
 * Run: node --import tsx bench/part10-reader.bench.ts (writes bench/results/part10-reader.json).
 */
import { execFile } from 'node:child_process';
import { isDeepStrictEqual, promisify } from 'node:util';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readPart10Fast } from '../engine/dicom/fast-part10-reader.ts';
import { parsePart10WithDcmjs, type ParsedInstance } from '../engine/dicom/parse-part10.ts';

const exec = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
const RESULT_FILE = path.join(repoRoot, 'bench/results/part10-reader.json');
const MAKE_CORPUS = path.resolve(repoRoot, '../shared/tools/make-dicom-corpus.sh');
const MAX_PARSES = 1_000_000;
const MAX_MS = Number(process.env.BENCH_PART10_MAX_MS ?? 2000);
const WARMUP_MS = 300;

interface Measured {
  parses: number;
  seconds: number;
  msPerInstance: number;
}

function measure(
  files: readonly Buffer[],
  parse: (b: Buffer) => ParsedInstance | null,
  maxMs: number,
): Measured {
  let sink = 0;
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(maxMs)) * 1_000_000n;
  while (n < MAX_PARSES) {
    for (let i = 0; i < 16; i++) sink += parse(files[(n + i) % files.length]!)?.size ?? 0;
    n += 16;
    if (process.hrtime.bigint() >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return {
    parses: n,
    seconds: Number(seconds.toFixed(3)),
    msPerInstance: Number(((seconds * 1000) / n).toFixed(4)),
  };
}

async function dcmFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export async function run(): Promise<Record<string, unknown>> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-part10-'));
  try {
    const corpusDir = path.join(tmp, 'corpus');
    await exec(
      'bash',
      [MAKE_CORPUS, '-S', 'bench', '-s', '3', '-i', '10', '-r', '64', '-c', '64', '-e', corpusDir, '1'],
      {
        timeout: 120_000,
      },
    );
    const all = await dcmFiles(corpusDir);
    const images = all.filter((f) => !f.includes(`${path.sep}edge${path.sep}`));
    const edge = all.filter((f) => f.includes(`${path.sep}edge${path.sep}`));
    const jpegDir = path.join(tmp, 'jpeg');
    await mkdir(jpegDir);
    const jpeg: string[] = [];
    for (const [i, f] of images.slice(0, 10).entries()) {
      const out = path.join(jpegDir, `im${i}.dcm`);
      await exec('dcmcjpeg', [f, out], { timeout: 30_000 });
      jpeg.push(out);
    }
    const sets: Record<string, string[]> = {
      'explicit VR LE images': images,
      'edge cases (charsets, implicit VR, private tags)': edge,
      'JPEG lossless': jpeg,
    };

    const scenarios: Record<string, unknown> = {};
    for (const [name, paths] of Object.entries(sets)) {
      const files = await Promise.all(paths.map((p) => readFile(p)));
      for (const [i, bytes] of files.entries()) {
        const fast = readPart10Fast(bytes);
        if (fast === null) throw new Error(`${paths[i]}: the fast reader fell back to dcmjs`);
        if (!isDeepStrictEqual(fast, parsePart10WithDcmjs(bytes)))
          throw new Error(`${paths[i]}: results differ`);
      }
      measure(files, readPart10Fast, WARMUP_MS);
      measure(files, parsePart10WithDcmjs, WARMUP_MS);
      const fast = measure(files, readPart10Fast, MAX_MS);
      const dcmjs = measure(files, parsePart10WithDcmjs, MAX_MS);
      const ratio = Number((dcmjs.msPerInstance / fast.msPerInstance).toFixed(1));
      const avgBytes = Math.round(files.reduce((n, b) => n + b.byteLength, 0) / files.length);
      scenarios[name] = { files: files.length, avgBytes, fast, dcmjs, ratio };
      console.log(
        `${name.padEnd(48)} ${String(files.length).padStart(3)} files, ${avgBytes} B avg: ` +
          `fast ${fast.msPerInstance.toFixed(4)} ms/instance, dcmjs ${dcmjs.msPerInstance.toFixed(4)} ms/instance, ` +
          `${ratio}x`,
      );
    }
    const result: Record<string, unknown> = {
      bench: 'part10-reader',
      date: new Date().toISOString(),
      node: process.version,
      maxMsPerScenario: MAX_MS,
      scenarios,
    };
    await mkdir(path.dirname(RESULT_FILE), { recursive: true });
    await writeFile(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
