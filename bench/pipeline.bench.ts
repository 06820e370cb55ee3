/**
 * End-to-end pipeline: ADT^A01 messages for distinct patients over MLLP into the real engine, through
 * the shipped `adt` channel (mapping to Patient + Encounter) into the FHIR store. Reports how fast
 * ACKs come back (ingest) and how fast everything is processed and delivered (end to end), on the
 * embedded PGlite and on a PostgreSQL server (BENCH_DATABASE_URL, default the local test database).
 * Bounded: BENCH_PIPELINE_MESSAGES per run (default 1,200) and a 120 s cap on the drain.
 * Run: node --import tsx bench/pipeline.bench.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEngine } from '../engine/engine.ts';
import { MllpClient } from '../listeners/mllp/client.ts';
import { adtMessage } from '../test/support/hl7-samples.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const RESULT_FILE = path.join(repoRoot, 'bench/results/pipeline.json');

interface PipelineResult {
  readonly database: string;
  readonly connections: number;
  readonly messages: number;
  readonly ingestMsgPerSec: number;
  readonly endToEndMsgPerSec: number;
  readonly drainAfterIngestMs: number;
}

async function runOnce(
  database: 'pglite' | 'postgres',
  connections: number,
  messages: number,
): Promise<PipelineResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-pipeline-'));
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `pipe_${process.pid}_${Date.now().toString(36)}`;
  const engine = await startEngine(
    {
      dataDir: path.join(dir, 'data'),
      mllpPort: 0,
      dicomPort: 0,
      httpPort: 0,
      channelsDir: path.join(repoRoot, 'channels'),
      silent: true,
      ...(database === 'postgres' ? { databaseUrl: url, schema } : {}),
    },
    { SWITCHBOARD_BIND_ADDRESS: '127.0.0.1' },
  );
  try {
    const perConnection = Math.ceil(messages / connections);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        const client = await MllpClient.connect({
          host: '127.0.0.1',
          port: engine.mllpPort,
          timeoutMs: 60_000,
        });
        try {
          for (let i = 0; i < perConnection; i++) {
            await client.send(
              adtMessage({ controlId: `P${c}-${i}`, mrn: `8${c}${String(i).padStart(6, '0')}` }),
            );
          }
        } finally {
          await client.close();
        }
      }),
    );
    const ingested = performance.now();
    await Promise.race([
      engine.drain(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('drain exceeded 120 s')), 120_000).unref(),
      ),
    ]);
    const done = performance.now();
    const total = perConnection * connections;
    return {
      database,
      connections,
      messages: total,
      ingestMsgPerSec: Math.round(total / ((ingested - started) / 1000)),
      endToEndMsgPerSec: Math.round(total / ((done - started) / 1000)),
      drainAfterIngestMs: Math.round(done - ingested),
    };
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
    if (database === 'postgres') {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const messages = Number(process.env.BENCH_PIPELINE_MESSAGES ?? 1200);
  const results: PipelineResult[] = [];
  for (const database of ['pglite', 'postgres'] as const) {
    for (const connections of [1, 8]) {
      const r = await runOnce(database, connections, messages);
      results.push(r);
      process.stdout.write(
        `${database.padEnd(9)} ${connections} conn: ingest ${r.ingestMsgPerSec} msg/s, end to end ${r.endToEndMsgPerSec} msg/s ` +
          `(${r.messages} messages, drained ${r.drainAfterIngestMs} ms after the last ACK)\n`,
      );
    }
  }
  const out = {
    bench: 'pipeline',
    at: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    results,
  };
  await mkdir(path.dirname(RESULT_FILE), { recursive: true });
  await writeFile(RESULT_FILE, `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
