/**
 * DICOM C-STORE ingest throughput: the same DCMTK storescu workload against
 *   storescp         DCMTK storescp --fork -od <temp dir>: writes files, nothing else (the ceiling)
 *   orthanc          a private Orthanc 1.10 (fsync per file, SQLite index), test/support/orthanc.ts
 *   switchboard      the engine as a child process (`switchboard start`), folder object store, PGlite index
 *   switchboard-s3   the same with the S3 object store on s3rver (in this process)
 * in two modes: one association (one storescu, every file) and 4 parallel associations (4 storescu
 * processes, series dealt round-robin). Every run starts a fresh receiver with empty storage and ends by
 * checking it holds every instance: files for storescp, GET /statistics for Orthanc, objects (folder files
 * or s3rver ObjectCreated events) and index rows (the engine's PGlite, opened after it stopped) for
 * Switchboard. TCP_NODELAY=1 for every DCMTK tool and Orthanc (DCMTK leaves Nagle on by default).
 * Corpus: ../shared/tools/make-dicom-corpus.sh, 5 studies x 3 series x 10 instances of 512x512x16 bit.
 *
 * Env: BENCH_DICOM_STUDIES (default 5), BENCH_REPEATS (runs per target and mode, default 3; the median
 * is reported), BENCH_DICOM_PARALLEL (default 4), BENCH_TARGETS (comma list, default all),
 * BENCH_TIME_CAP_S (per storescu run, default 120: a run over it is killed and reported as failed).
 * Run: node --import tsx bench/dicom-ingest.bench.ts
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openPglite } from '../engine/db/pglite-client.ts';
import { startS3rver, type TestS3Server } from '../engine/objects/testing/s3rver.ts';
import { startEngineProcess } from '../test/support/engine-process.ts';
import { freePort, startOrthanc } from '../test/support/orthanc.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const RESULT_FILE = path.join(repoRoot, 'bench/results/dicom-ingest.json');
const MAKE_CORPUS = path.resolve(repoRoot, '../shared/tools/make-dicom-corpus.sh');
const TARGETS = ['storescp', 'orthanc', 'switchboard', 'switchboard-s3'] as const;
type TargetName = (typeof TARGETS)[number];
const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };

interface Receiver {
  readonly aeTitle: string;
  readonly port: number;
  /** Stops the receiver and returns how many instances it holds (each count it can check). */
  stopAndCount(): Promise<Record<string, number>>;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

async function countFiles(dir: string, suffix = ''): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile() && entry.name.endsWith(suffix)) n++;
  return n;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startStorescp(): Promise<Receiver> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-storescp-'));
  const port = await freePort();
  const child = spawn('storescp', ['--fork', '-aet', 'STORESCP', '-od', dir, String(port)], {
    env: DCMTK_ENV,
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitForPort(port, 10_000);
  return {
    aeTitle: 'STORESCP',
    port,
    async stopAndCount() {
      // Forked children have written and closed their files before storescu saw the C-STORE response.
      const files = await countFiles(dir);
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
      return { files };
    },
  };
}

async function startOrthancReceiver(): Promise<Receiver> {
  const orthanc = await startOrthanc({ syncStorage: true });
  return {
    aeTitle: orthanc.aeTitle,
    port: orthanc.dicomPort,
    async stopAndCount() {
      try {
        return { indexed: await orthanc.countInstances() };
      } finally {
        await orthanc.stop();
      }
    },
  };
}

async function startSwitchboard(s3: TestS3Server | null): Promise<Receiver> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-switchboard-'));
  const dataDir = path.join(dir, 'data');
  const createdBefore = s3 ? s3.events.filter((e) => e.startsWith('ObjectCreated')).length : 0;
  let engine: Awaited<ReturnType<typeof startEngineProcess>>;
  try {
    engine = await startEngineProcess({
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_CHANNELS_DIR: path.join(repoRoot, 'channels'),
      SWITCHBOARD_DICOM_AE_TITLE: 'SWITCHBOARD',
      ...(s3
        ? {
            S3_ENDPOINT: s3.endpoint,
            S3_BUCKET: s3.bucket,
            AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
          }
        : {}),
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const ready = engine
    .output()
    .split('\n')
    .find((l) => l.startsWith('{"event":"ready"'));
  const dicomPort = ready ? (JSON.parse(ready) as { dicomPort?: number }).dicomPort : undefined;
  if (!dicomPort) {
    engine.child.kill('SIGKILL');
    await engine.exited;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`engine did not report a DICOM port:\n${engine.output()}`);
  }
  return {
    aeTitle: 'SWITCHBOARD',
    port: dicomPort,
    async stopAndCount() {
      engine.child.kill('SIGTERM');
      const timer = setTimeout(() => engine.child.kill('SIGKILL'), 30_000);
      const code = await engine.exited;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`engine exited with ${code}:\n${engine.output().slice(-4000)}`);
      const db = await openPglite(path.join(dataDir, 'pglite'));
      let indexed: number;
      try {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dicom_instances');
        indexed = rows[0]?.n ?? 0;
      } finally {
        await db.close();
      }
      const objects = s3
        ? s3.events.filter((e) => e.startsWith('ObjectCreated')).length - createdBefore
        : await countFiles(path.join(dataDir, 'objects'), '.dcm');
      await rm(dir, { recursive: true, force: true });
      return { objects, indexed };
    },
  };
}

/** Runs storescu processes at once, one per group of folders; resolves with the wall time in seconds. */
async function send(receiver: Receiver, groups: readonly string[][], timeCapMs: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    groups.map(
      (dirs) =>
        new Promise<void>((resolve, reject) => {
          const args = ['-aet', 'BENCH', '-aec', receiver.aeTitle, '+sd', '+r', '+sp', '*.dcm'];
          execFile(
            'storescu',
            [...args, '127.0.0.1', String(receiver.port), ...dirs],
            { env: DCMTK_ENV, timeout: timeCapMs, maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) => {
              const problems = `${stdout}${stderr}`.split('\n').filter((l) => /^[EF]:/.test(l));
              if (err || problems.length > 0)
                reject(
                  new Error(`storescu failed: ${String(err ?? '')}\n${problems.slice(0, 5).join('\n')}`),
                );
              else resolve();
            },
          );
        }),
    ),
  );
  return (performance.now() - t0) / 1000;
}

async function makeCorpus(
  studies: number,
): Promise<{ dir: string; series: string[]; files: number; bytes: number }> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'bench-dicom-corpus-'));
  const dir = path.join(parent, 'corpus');
  await promisify(execFile)(
    'bash',
    [
      MAKE_CORPUS,
      '-S',
      'dicom-ingest-bench',
      '-s',
      '3',
      '-i',
      '10',
      '-r',
      '512',
      '-c',
      '512',
      dir,
      String(studies),
    ],
    { timeout: 300_000 },
  );
  const series: string[] = [];
  for (const study of (await readdir(dir)).filter((d) => d.startsWith('st')).sort())
    for (const se of (await readdir(path.join(dir, study))).sort()) series.push(path.join(dir, study, se));
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.dcm')) continue;
    files++;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { dir: parent, series, files, bytes };
}

export async function run(): Promise<Record<string, unknown>> {
  const studies = Math.round(envNumber('BENCH_DICOM_STUDIES', 5));
  const repeats = Math.round(envNumber('BENCH_REPEATS', 3));
  const parallel = Math.round(envNumber('BENCH_DICOM_PARALLEL', 4));
  const timeCapMs = envNumber('BENCH_TIME_CAP_S', 120) * 1000;
  const wanted = (process.env.BENCH_TARGETS ?? TARGETS.join(',')).split(',').map((t) => t.trim());
  const unknown = wanted.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')}; known ${TARGETS.join(', ')}`);

  const corpus = await makeCorpus(studies);
  console.log(
    `corpus: ${corpus.files} instances, ${(corpus.bytes / 1e6).toFixed(1)} MB in ${corpus.series.length} series`,
  );
  const dealt: string[][] = Array.from({ length: parallel }, () => []);
  corpus.series.forEach((s, i) => dealt[i % parallel]!.push(s));
  const modes = [
    { name: '1assoc', groups: [corpus.series] },
    { name: `${parallel}assoc`, groups: dealt.filter((g) => g.length > 0) },
  ];

  let s3: TestS3Server | null = null;
  const starters: Record<TargetName, () => Promise<Receiver>> = {
    storescp: startStorescp,
    orthanc: startOrthancReceiver,
    switchboard: () => startSwitchboard(null),
    'switchboard-s3': async () => startSwitchboard((s3 ??= await startS3rver('bench-dicom'))),
  };

  const targets: Record<string, unknown> = {};
  const rates: Record<string, Record<string, number>> = {};
  try {
    for (const name of TARGETS) {
      if (!wanted.includes(name)) continue;
      const result: Record<string, unknown> = {};
      try {
        for (const mode of modes) {
          const seconds: number[] = [];
          const counts: Record<string, number>[] = [];
          for (let rep = 0; rep < repeats; rep++) {
            const receiver = await starters[name]();
            let secs: number;
            try {
              secs = await send(receiver, mode.groups, timeCapMs);
            } finally {
              counts.push(await receiver.stopAndCount());
            }
            const got = counts[counts.length - 1]!;
            for (const [what, n] of Object.entries(got))
              if (n !== corpus.files)
                throw new Error(`${name} ${mode.name}: ${what} ${n} of ${corpus.files}`);
            seconds.push(secs);
            console.log(
              `${name.padEnd(14)} ${mode.name.padEnd(7)} #${rep + 1}: ${secs.toFixed(3)} s  ` +
                `${(corpus.files / secs).toFixed(1).padStart(7)} inst/s  ${(corpus.bytes / secs / 1e6).toFixed(1).padStart(6)} MB/s  ` +
                JSON.stringify(got),
            );
          }
          const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
          result[mode.name] = {
            medianSeconds: Number(median.toFixed(3)),
            instancesPerSec: Number((corpus.files / median).toFixed(1)),
            mbPerSec: Number((corpus.bytes / median / 1e6).toFixed(1)),
            seconds: seconds.map((s) => Number(s.toFixed(3))),
            counts,
          };
          (rates[name] ??= {})[mode.name] = corpus.files / median;
        }
        targets[name] = { available: true, ...result };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        targets[name] = { available: false, reason, ...result };
        console.log(`${name}: failed or unavailable (${reason.split('\n')[0]})`);
      }
    }
  } finally {
    await (s3 as TestS3Server | null)?.close();
    await rm(corpus.dir, { recursive: true, force: true });
  }

  const ratio = (base: string) =>
    Object.fromEntries(
      Object.entries(rates).map(([name, byMode]) => [
        name,
        Object.fromEntries(
          modes.map((m) => {
            const b = rates[base]?.[m.name];
            const own = byMode[m.name];
            return [m.name, b && own !== undefined ? Number((own / b).toFixed(3)) : null];
          }),
        ),
      ]),
    );

  const report = {
    bench: 'dicom-ingest',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', node: process.version },
    corpus: {
      studies,
      series: 3,
      instancesPerSeries: 10,
      rows: 512,
      cols: 512,
      instances: corpus.files,
      bytes: corpus.bytes,
    },
    settings: {
      repeats,
      parallel,
      timeCapMs,
      modes: modes.map((m) => ({ name: m.name, associations: m.groups.length })),
    },
    targets,
    ratiosToStorescp: ratio('storescp'),
    ratiosToOrthanc: ratio('orthanc'),
  };
  await mkdir(path.dirname(RESULT_FILE), { recursive: true });
  await writeFile(RESULT_FILE, JSON.stringify(report, null, 2) + '\n');
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
