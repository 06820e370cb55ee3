/**
 * MLLP ingest throughput: messages per second, 1 connection sequential (send, wait for the ACK, next) and
 * 8 connections in parallel (one message in flight each), for:
 *   bare        a net.Server that only deframes (our decoder) and answers a fixed ACK: the practical ceiling
 *   listener    our MllpServer with a handler answering the same fixed ACK: the listener's own overhead
 *   simple-hl7  simple-hl7's TCP server (parses the message, builds an ACK)
 *   switchboard the real engine in-process (durable store before the ACK), embedded PGlite
 *   switchboard-pg  the same on a PostgreSQL server (BENCH_DATABASE_URL, default the local test database),
 *               in a schema of its own that is dropped afterwards
 * Servers run on this thread; the load generator runs in a worker thread so it does not share their event
 * loop. Every message carries a unique MSH-10. Each run is bounded by a message count and a time cap; lost
 * messages (no response within the per-message timeout) are counted, never waited on forever.
 *
 * Env: BENCH_SCALE (count multiplier, default 1), BENCH_TIME_CAP_S (per target and mode, default 30),
 * BENCH_TARGETS (comma list, default all), BENCH_MSG_TIMEOUT_MS (default 5000), BENCH_REPEATS (runs per target
 * and mode, default 3: the median is reported, and the ratios use it, because on a 2-CPU machine the
 * scheduler's placement of the two threads swings single-connection ping-pong between ~9k and ~35k msg/s).
 * Run: node --import tsx bench/mllp-ingest.bench.ts
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MllpFrameDecoder, frameMllp } from '../listeners/mllp/frame-decoder.ts';
import { runLoad, type LoadResult, type LoadSpec } from '../listeners/mllp/load-generator.ts';
import { MllpServer } from '../listeners/mllp/server.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const MESSAGE_FILE = 'hl7/fhir-converter/ADT01-23.hl7';
const RESULT_FILE = path.join(repoRoot, 'bench/results/mllp-ingest.json');
const TARGETS = ['bare', 'listener', 'simple-hl7', 'switchboard', 'switchboard-pg'] as const;
type TargetName = (typeof TARGETS)[number];

interface RunningTarget {
  readonly port: number;
  stop(): Promise<void>;
}

const BARE_ACK = frameMllp('MSH|^~\\&|BENCH|BENCH|||20240101000000||ACK|1|P|2.3\rMSA|AA|1\r');

async function startBare(): Promise<RunningTarget> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const decoder = new MllpFrameDecoder(
      { maxFrameBytes: 10 * 1024 * 1024 },
      { frame: () => socket.write(BARE_ACK), oversize: () => socket.destroy(), junk: () => {} },
    );
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  });
  return listenAndWrap(server, sockets);
}

async function startListener(): Promise<RunningTarget> {
  const ack = [BARE_ACK.subarray(1, BARE_ACK.length - 2)];
  const server = new MllpServer(
    { name: 'bench', host: '127.0.0.1', port: 0, maxMessageBytes: 10 * 1024 * 1024, idleTimeoutMs: 0 },
    async () => ack,
    { onOversize: () => [], onHandlerError: () => [] },
  );
  const { port } = await server.listen();
  return { port, stop: () => server.close(1000) };
}

interface SimpleHl7Module {
  Server: {
    createTcpServer(handler: (err: unknown, req: unknown, res: { end(): void }) => void): {
      start(port: number): void;
      stop(): void;
      server: net.Server | null;
    };
  };
}

async function startSimpleHl7(): Promise<RunningTarget> {
  const hl7 = createRequire(import.meta.url)('simple-hl7') as SimpleHl7Module;
  const tcp = hl7.Server.createTcpServer((err, _req, res) => {
    if (!err) res.end();
  });
  tcp.start(0);
  const server = tcp.server as net.Server;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  return wrap(server, sockets);
}

interface EngineModule {
  startEngine(opts: Record<string, unknown>): Promise<{ mllpPort: number; stop(): Promise<void> }>;
}

async function startSwitchboardOnPostgres(): Promise<RunningTarget> {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const target = await startSwitchboard({ databaseUrl: url, schema });
  return {
    port: target.port,
    async stop() {
      await target.stop();
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

async function startSwitchboard(
  database: { databaseUrl: string; schema: string } | null = null,
): Promise<RunningTarget> {
  const enginePath = new URL('../engine/engine.ts', import.meta.url).href;
  const mod = (await import(enginePath)) as EngineModule;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sb-bench-'));
  const engine = await mod.startEngine({
    dataDir,
    mllpPort: 0,
    dicomPort: 0,
    httpPort: 0,
    channelsDir: path.join(repoRoot, 'channels'),
    logLevel: 'error',
    silent: true,
    ...(database ?? {}),
  });
  return {
    port: engine.mllpPort,
    async stop() {
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function listenAndWrap(server: net.Server, sockets: Set<net.Socket>): Promise<RunningTarget> {
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return wrap(server, sockets);
}

function wrap(server: net.Server, sockets: Set<net.Socket>): RunningTarget {
  return {
    port: (server.address() as net.AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const starters: Record<TargetName, () => Promise<RunningTarget>> = {
  bare: startBare,
  listener: startListener,
  'simple-hl7': startSimpleHl7,
  switchboard: () => startSwitchboard(),
  'switchboard-pg': startSwitchboardOnPostgres,
};

/** Splits the message around MSH-10 so every message gets its own control id textually. */
function template(message: string): { prefix: string; suffix: string; originalId: string } {
  const mshEnd = message.indexOf('\r');
  const msh = message.slice(0, mshEnd);
  const fieldSep = msh[3] ?? '|';
  let start = 0;
  // MSH-1 is the separator itself, so MSH-10 starts after the 9th separator.
  for (let i = 0; i < 9; i++) start = msh.indexOf(fieldSep, start) + 1;
  const end = msh.indexOf(fieldSep, start);
  return {
    prefix: message.slice(0, start),
    suffix: message.slice(end === -1 ? mshEnd : end),
    originalId: msh.slice(start, end === -1 ? mshEnd : end),
  };
}

function loadInWorker(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: spec });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code}`)));
  });
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

export async function run(): Promise<Record<string, unknown>> {
  const scale = envNumber('BENCH_SCALE', 1);
  const timeCapMs = envNumber('BENCH_TIME_CAP_S', 30) * 1000;
  const perMessageTimeoutMs = envNumber('BENCH_MSG_TIMEOUT_MS', 5000);
  const repeats = Math.round(envNumber('BENCH_REPEATS', 3));
  const wanted = (process.env.BENCH_TARGETS ?? TARGETS.join(',')).split(',').map((t) => t.trim());
  const unknown = wanted.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')}; known ${TARGETS.join(', ')}`);
  const message =
    (await readFile(path.resolve(repoRoot, '../shared/corpus', MESSAGE_FILE), 'latin1')).trim() + '\r';
  const { prefix, suffix } = template(message);
  const modes = [
    { name: '1conn', connections: 1, count: Math.round(20_000 * scale) },
    { name: '8conn', connections: 8, count: Math.round(80_000 * scale) },
  ];
  const nonce = Date.now().toString(36).toUpperCase().slice(-6);

  const targets: Record<string, unknown> = {};
  const rates: Record<string, Record<string, number>> = {};
  for (const [t, name] of TARGETS.entries()) {
    if (!wanted.includes(name)) continue;
    let target: RunningTarget;
    try {
      target = await starters[name]();
    } catch (err) {
      targets[name] = { available: false, reason: err instanceof Error ? err.message : String(err) };
      console.log(`${name}: unavailable (${String(err).split('\n')[0]})`);
      continue;
    }
    const result: Record<string, unknown> = { available: true };
    try {
      const base = { port: target.port, prefix, suffix, timeCapMs, perMessageTimeoutMs };
      await loadInWorker({ ...base, connections: 1, count: 500, idPrefix: `W${t}${nonce}` }); // JIT warm-up
      for (const [m, mode] of modes.entries()) {
        const runs: LoadResult[] = [];
        for (let rep = 0; rep < repeats; rep++) {
          const r = await loadInWorker({ ...base, ...mode, idPrefix: `${t}${m}${rep}${nonce}` });
          runs.push(r);
          console.log(
            `${name.padEnd(11)} ${mode.name} #${rep + 1}: ${r.msgPerSec.toFixed(0).padStart(7)} msg/s  ` +
              `acked ${r.acked}/${r.sent}, lost ${r.lost}, p50 ${r.latencyMs.p50.toFixed(3)} ms, ` +
              `p99 ${r.latencyMs.p99.toFixed(3)} ms${r.stoppedByTimeCap ? ' (time cap)' : ''}`,
          );
        }
        const sorted = runs.map((r) => r.msgPerSec).sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
        result[mode.name] = {
          medianMsgPerSec: Math.round(median),
          minMsgPerSec: Math.round(sorted[0] ?? 0),
          maxMsgPerSec: Math.round(sorted[sorted.length - 1] ?? 0),
          lost: runs.reduce((n, r) => n + r.lost, 0),
          runs,
        };
        (rates[name] ??= {})[mode.name] = median;
      }
    } finally {
      await target.stop();
    }
    targets[name] = result;
  }

  const ratios: Record<string, Record<string, number | null>> = {};
  for (const [name, byMode] of Object.entries(rates)) {
    ratios[name] = {};
    for (const mode of modes) {
      const bare = rates.bare?.[mode.name];
      const own = byMode[mode.name];
      ratios[name][mode.name] = bare && own !== undefined ? Number((own / bare).toFixed(3)) : null;
    }
  }

  const report = {
    bench: 'mllp-ingest',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', node: process.version },
    message: { file: MESSAGE_FILE, bytes: Buffer.byteLength(message, 'latin1') },
    settings: { scale, timeCapMs, perMessageTimeoutMs, repeats, modes },
    targets,
    ratiosToBare: ratios,
  };
  await mkdir(path.dirname(RESULT_FILE), { recursive: true });
  await writeFile(RESULT_FILE, JSON.stringify(report, null, 2) + '\n');
  return report;
}

if (!isMainThread) {
  const result = await runLoad(workerData as LoadSpec);
  parentPort?.postMessage(result);
} else if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
