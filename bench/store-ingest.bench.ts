/**
 * Message store ingest throughput through GroupCommitIngestor: C callers each ingest one message, wait
 * for the commit (as a listener waits before ACKing), then send the next. Databases: PGlite in memory,
 * PGlite on a temp data folder (a real WAL on disk), PostgreSQL (TEST_DATABASE_URL, skipped with a note
 * when unreachable). `direct` is the baseline without group commit: every caller its own transaction.
 * Every message has a unique control ID (dedup window 300 s), so each one claims a dedup key too.
 *
 * Env: BENCH_SCALE (count multiplier, default 1), BENCH_TIME_CAP_S (per scenario, default 20).
 * Run: node --import tsx bench/store-ingest.bench.ts
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../engine/db/open.ts';
import type { SqlClient } from '../engine/db/sql.ts';
import { GroupCommitIngestor } from '../engine/store/group-commit.ts';
import { SqlMessageStore } from '../engine/store/sql-message-store.ts';
import { ingestRequest } from '../engine/store/test-fixtures.ts';
import type { IngestRequest, IngestResult } from '../engine/store/types.ts';
import { TEST_DATABASE_URL, postgresDatabase, postgresReachable } from '../test/support/databases.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const MESSAGE_FILE = 'hl7/fhir-converter/ADT01-23.hl7';
const RESULT_FILE = path.join(repoRoot, 'bench/results/store-ingest.json');

interface Database {
  readonly name: string;
  readonly db: SqlClient;
  close(): Promise<void>;
}

interface Mode {
  readonly name: string;
  readonly callers: number;
  readonly groupCommit: boolean;
  readonly count: number;
}

interface ScenarioResult {
  readonly database: string;
  readonly mode: string;
  readonly callers: number;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly transactions: number;
  readonly meanBatch: number;
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(3));
}

async function scenario(
  database: Database,
  mode: Mode,
  raw: Buffer,
  timeCapMs: number,
): Promise<ScenarioResult> {
  const store = new SqlMessageStore(database.db);
  let transactions = 0;
  const counted = {
    ingest(requests: readonly IngestRequest[]): Promise<IngestResult[]> {
      transactions += 1;
      return store.ingest(requests);
    },
  };
  const ingestor = new GroupCommitIngestor(counted);
  const ingest = mode.groupCommit
    ? (req: IngestRequest) => ingestor.ingest(req)
    : async (req: IngestRequest) => (await counted.ingest([req]))[0]!;
  for (let i = 0; i < 20; i += 1) await ingest(ingestRequest({ raw })); // warm up
  transactions = 0;

  const latencies: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + timeCapMs;
  const caller = async () => {
    while (started < mode.count && performance.now() < deadline) {
      started += 1;
      const t = performance.now();
      await ingest(ingestRequest({ raw }));
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: mode.callers }, caller));
  const seconds = (performance.now() - t0) / 1000;
  await ingestor.close();
  latencies.sort((a, b) => a - b);
  return {
    database: database.name,
    mode: mode.name,
    callers: mode.callers,
    messages: latencies.length,
    seconds: Number(seconds.toFixed(3)),
    messagesPerSecond: Math.round(latencies.length / seconds),
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    },
    transactions,
    meanBatch: Number((latencies.length / Math.max(1, transactions)).toFixed(1)),
  };
}

async function openDatabases(): Promise<{ databases: (() => Promise<Database>)[]; notes: string[] }> {
  const notes: string[] = [];
  const databases: (() => Promise<Database>)[] = [
    async () => {
      const db = await openDatabase({ databaseUrl: null, dataDir: null });
      return { name: 'pglite-memory', db, close: () => db.close() };
    },
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-store-bench-'));
      const db = await openDatabase({ databaseUrl: null, dataDir: dir });
      return {
        name: 'pglite-dir',
        db,
        async close() {
          await db.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ];
  if (await postgresReachable()) {
    databases.push(async () => {
      const handle = await postgresDatabase.open();
      return { name: 'postgres', db: handle.db, close: () => handle.close() };
    });
  } else {
    notes.push(`PostgreSQL not reachable at ${TEST_DATABASE_URL}: postgres scenarios skipped`);
  }
  return { databases, notes };
}

export async function run(): Promise<Record<string, unknown>> {
  const scale = envNumber('BENCH_SCALE', 1);
  const timeCapMs = envNumber('BENCH_TIME_CAP_S', 20) * 1000;
  const text = (await readFile(path.resolve(repoRoot, '../shared/corpus', MESSAGE_FILE), 'latin1')).trim();
  const raw = Buffer.from(`${text.replace(/\r?\n/g, '\r')}\r`, 'latin1');
  const modes: Mode[] = [
    { name: 'group-commit', callers: 1, groupCommit: true, count: Math.round(2000 * scale) },
    { name: 'group-commit', callers: 64, groupCommit: true, count: Math.round(20000 * scale) },
    { name: 'direct', callers: 64, groupCommit: false, count: Math.round(5000 * scale) },
  ];
  const { databases, notes } = await openDatabases();
  const scenarios: ScenarioResult[] = [];
  for (const open of databases) {
    for (const mode of modes) {
      const database = await open(); // fresh per scenario: no scenario pays for another's table size
      try {
        const result = await scenario(database, mode, raw, timeCapMs);
        scenarios.push(result);
        process.stdout.write(
          `${result.database.padEnd(14)} ${`${result.mode} x${result.callers}`.padEnd(18)}` +
            `${String(result.messagesPerSecond).padStart(7)} msg/s  p50 ${result.latencyMs.p50} ms  ` +
            `p99 ${result.latencyMs.p99} ms  ${result.transactions} tx (mean batch ${result.meanBatch})\n`,
        );
      } finally {
        await database.close();
      }
    }
  }
  const report = {
    bench: 'store-ingest',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', node: process.version },
    message: { file: MESSAGE_FILE, bytes: raw.length },
    settings: { scale, timeCapMs, maxBatch: 256, dedupWindowSeconds: 300 },
    notes,
    scenarios,
  };
  await mkdir(path.dirname(RESULT_FILE), { recursive: true });
  await writeFile(RESULT_FILE, JSON.stringify(report, null, 2) + '\n');
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
