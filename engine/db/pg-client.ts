import pg from 'pg';
import type { SqlClient, SqlQueryable, SqlResult } from './sql.ts';

export interface PgOptions {
  readonly url: string;
  /** Schema to create (if missing) and put first on the search_path: one namespace per test. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

function queryable(target: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await target.query(sql, params ? [...params] : undefined);
      return { rows: result.rows as R[], affectedRows: result.rowCount ?? 0 };
    },
  };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL server through a `pg` pool. */
function poolClient(pool: pg.Pool, forIngest: () => SqlClient, close: () => Promise<void>): SqlClient {
  const base = queryable(pool);
  return {
    kind: 'postgres',
    query: base.query,
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    forIngest,
    close,
  };
}

/**
 * PostgreSQL server through `pg` pools: one for background work (processing, deliveries) and a small
 * one for ingest, so a sender waiting for its ACK never waits for a busy pool.
 */
export async function openPostgres(options: PgOptions): Promise<SqlClient> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": expected [a-z_][a-z0-9_]*`);
  }
  const makePool = (max: number): pg.Pool => {
    const pool = new pg.Pool({
      connectionString: options.url,
      max,
      ...(schema ? { options: `-c search_path=${schema},public` } : {}),
    });
    // An idle client that loses its connection emits 'error' on the pool; without a listener Node exits.
    pool.on('error', () => undefined);
    return pool;
  };
  const pool = makePool(options.maxConnections ?? 10);
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  let ingestPool: pg.Pool | null = null;
  let ingestClient: SqlClient | null = null;
  const close = async (): Promise<void> => {
    await pool.end();
    await ingestPool?.end();
  };
  // Group commit keeps ingest to one transaction at a time per node: two connections are plenty.
  const forIngest = (): SqlClient => {
    ingestPool ??= makePool(2);
    ingestClient ??= poolClient(ingestPool, forIngest, close);
    return ingestClient;
  };
  return poolClient(pool, forIngest, close);
}
