import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { LaneScheduler, type Lane } from './lane-scheduler.ts';
import type { SqlClient, SqlQueryable, SqlResult } from './sql.ts';

/** PostgreSQL type OIDs whose text form we keep as strings, as `pg` does (ids are bigint). */
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BYTEA_OID = 17;

/**
 * PGlite converts bytea to and from hex one byte at a time in JavaScript; Buffer's native hex codec
 * doubles group-commit ingest throughput (measured in bench/store-ingest.bench.ts). The parser also
 * hands back Buffers, as `pg` does, which is what the SQL port promises.
 */
const byteaSerializer = (v: unknown): string => {
  const bytes = v as Uint8Array;
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
};
const byteaParser = (s: string): Buffer => Buffer.from(s.slice(2), 'hex');

interface PgliteQueryTarget {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

function queryable(target: PgliteQueryTarget): SqlQueryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await target.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
  };
}

/**
 * Embedded PostgreSQL (WASM) in this process. `dataDir` null = in memory (tests).
 * Durability: PGlite writes its WAL through the file system on every commit, so a killed process
 * (kill -9) loses nothing it acknowledged; an OS crash may, since PGlite does not fsync.
 */
export async function openPglite(dataDir: string | null): Promise<SqlClient> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: { [INT8_OID]: (v: string) => v, [NUMERIC_OID]: (v: string) => v, [BYTEA_OID]: byteaParser },
    serializers: { [BYTEA_OID]: byteaSerializer },
  });
  const base = queryable(db as unknown as PgliteQueryTarget);
  const scheduler = new LaneScheduler();
  // Statements inside a transaction go straight to its `tx`: the transaction already holds the lane.
  const client = (lane: Lane): SqlClient => ({
    kind: 'pglite',
    query: (sql, params) => scheduler.run(lane, () => base.query(sql, params)),
    transaction: <T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> =>
      scheduler.run(lane, () => db.transaction((tx) => fn(queryable(tx as unknown as PgliteQueryTarget)))),
    exec: (sql) => scheduler.run(lane, async () => void (await db.exec(sql))),
    forIngest: () => ingestClient,
    async close(): Promise<void> {
      if (!db.closed) await db.close();
    },
  });
  const ingestClient = client('ingest');
  return client('background');
}
