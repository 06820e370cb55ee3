/**
 * Admin commands (users, tokens, audit) work on the database itself, not through the engine. Embedded
 * PGlite is single-process, so they take the data-folder lock and refuse while an engine holds it; on
 * PostgreSQL (DATABASE_URL) the server arbitrates, so they run beside a running engine.
 */
import type { Command } from 'commander';
import { cliEngineConfig } from './cli-config.ts';
import { lockDataDir } from '../control/data-dir-lock.ts';
import { openDatabase } from '../db/open.ts';
import type { SqlClient } from '../db/sql.ts';
import type { EngineConfig } from '../config/index.ts';

export interface DatabaseFlags {
  readonly dataDir?: string;
}

export async function withDatabase<T>(
  program: Command,
  opts: DatabaseFlags,
  fn: (db: SqlClient, config: EngineConfig) => Promise<T>,
): Promise<T> {
  const config = await cliEngineConfig(program, opts);
  const unlock = config.databaseUrl === null ? await lockOrExplain(config.dataDir) : null;
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      return await fn(db, config);
    } finally {
      await db.close();
    }
  } finally {
    await unlock?.();
  }
}

async function lockOrExplain(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockDataDir(dataDir);
  } catch (err) {
    const cause = err instanceof Error ? err.cause : undefined;
    if ((cause as NodeJS.ErrnoException | undefined)?.code !== 'EEXIST') throw err;
    const holder = /in use by process (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    throw new Error(
      `data folder ${dataDir} is in use${holder ? ` by process ${holder}` : ''}: stop the engine first, ` +
        'or use DATABASE_URL (the embedded database allows one process at a time)',
      { cause: err },
    );
  }
}

export { cliActor } from '../audit/os-actor.ts';
