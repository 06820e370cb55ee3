import path from 'node:path';
import { openPglite } from './pglite-client.ts';
import { openPostgres } from './pg-client.ts';
import { migrate } from './migrate.ts';
import type { SqlClient } from './sql.ts';

export interface OpenDatabaseOptions {
  /** postgres://... ; null = embedded PGlite. */
  readonly databaseUrl: string | null;
  /** Data folder; PGlite lives in <dataDir>/pglite. null with no URL = in memory. */
  readonly dataDir: string | null;
  readonly schema?: string;
}

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<SqlClient> {
  const db = options.databaseUrl
    ? await openPostgres({ url: options.databaseUrl, ...(options.schema ? { schema: options.schema } : {}) })
    : await openPglite(options.dataDir ? path.join(options.dataDir, 'pglite') : null);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
