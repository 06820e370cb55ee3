/**
 * The databases a contract suite runs against: embedded PGlite (always) and a real PostgreSQL
 * server (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). Each opened database
 * gets a fresh namespace (in-memory PGlite, or a random schema dropped afterwards).
 *
 * Outside CI an unreachable server skips its suites LOUDLY (stderr banner with how to start it);
 * with CI=true an unreachable server is a failure, never a skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../engine/db/open.ts';
import type { SqlClient } from '../../engine/db/sql.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly name: 'pglite' | 'postgres';
  /** Opens a migrated database in a namespace of its own; `close` drops it. */
  open(): Promise<TestDbHandle>;
}

export interface TestDbHandle {
  readonly db: SqlClient;
  readonly databaseUrl: string | null;
  readonly schema: string | null;
  close(): Promise<void>;
}

let reachable: Promise<boolean> | null = null;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export function randomSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export const pgliteDatabase: TestDatabase = {
  name: 'pglite',
  async open() {
    const db = await openDatabase({ databaseUrl: null, dataDir: null });
    return { db, databaseUrl: null, schema: null, close: () => db.close() };
  },
};

export const postgresDatabase: TestDatabase = {
  name: 'postgres',
  async open() {
    const schema = randomSchema();
    const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: null, schema });
    return {
      db,
      databaseUrl: TEST_DATABASE_URL,
      schema,
      async close() {
        await db.close();
        await dropSchema(schema);
      },
    };
  },
};

/**
 * The databases to run a contract suite on. Call at module top level with `await`:
 * `for (const target of await testDatabases()) describe(target.name, ...)`.
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  if (await postgresReachable()) return [pgliteDatabase, postgresDatabase];
  if (process.env.CI === 'true') {
    throw new Error(
      `CI=true but PostgreSQL is not reachable at ${TEST_DATABASE_URL}: nothing may be skipped in CI`,
    );
  }
  warnSkipped(
    'PostgreSQL',
    TEST_DATABASE_URL,
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  );
  return [pgliteDatabase];
}

const warned = new Set<string>();
export function warnSkipped(server: string, url: string, howToStart: string): void {
  if (warned.has(server)) return;
  warned.add(server);
  process.stderr.write(
    `\n*** SKIPPED: suites that need ${server} (${url} is not available).\n` +
      `*** To run them: ${howToStart}\n` +
      `*** (with CI=true this is a failure, not a skip)\n\n`,
  );
}
