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
export async function openPostgres(options: PgOptions): Promise<SqlClient> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": expected [a-z_][a-z0-9_]*`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node exits.
  pool.on('error', () => undefined);
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
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
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
