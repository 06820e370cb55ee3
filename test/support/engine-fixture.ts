/** Starting a real engine in this process for tests: temp data folder, ports 0, silent logs. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEngine, type RunningEngine } from '../../engine/engine.ts';
import { randomSchema, TEST_DATABASE_URL } from './databases.ts';

import { corpusRoot, repoRoot } from '../../engine/hl7/testing/corpus.ts';

export const REPO_ROOT = repoRoot;
export const CORPUS = corpusRoot;

export interface EngineFixture {
  readonly engine: RunningEngine;
  readonly dir: string;
  readonly channelsDir: string;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  readonly database: 'pglite' | 'postgres';
  /** Extra channel files (name -> YAML); the shipped channels are copied unless `shippedChannels` is false. */
  readonly channels?: Readonly<Record<string, string>> | ((dir: string) => Readonly<Record<string, string>>);
  readonly shippedChannels?: boolean;
  /** switchboard.yaml content for this engine (ports are still overridden to 0). */
  readonly configYaml?: string;
  /** Extra environment (e.g. SWITCHBOARD_DEDUP_WINDOW_SECONDS). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startTestEngine(options: FixtureOptions): Promise<EngineFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-test-'));
  const channelsDir = path.join(dir, 'channels');
  if (options.shippedChannels !== false)
    await cp(path.join(REPO_ROOT, 'channels'), channelsDir, { recursive: true });
  else
    await cp(path.join(REPO_ROOT, 'channels'), channelsDir, {
      recursive: true,
      filter: (src) => !src.endsWith('.yaml'),
    });
  const extra = typeof options.channels === 'function' ? options.channels(dir) : (options.channels ?? {});
  for (const [name, yaml] of Object.entries(extra)) await writeFile(path.join(channelsDir, name), yaml);
  const configFile = options.configYaml ? path.join(dir, 'switchboard.yaml') : undefined;
  if (configFile) await writeFile(configFile, options.configYaml!);
  const schema = options.database === 'postgres' ? randomSchema('e') : undefined;
  const engine = await startEngine(
    {
      dataDir: path.join(dir, 'data'),
      channelsDir,
      mllpPort: 0,
      httpPort: 0,
      dicomPort: 0,
      silent: true,
      ...(configFile ? { configFile } : {}),
      ...(options.database === 'postgres' ? { databaseUrl: TEST_DATABASE_URL, schema } : {}),
    },
    { SWITCHBOARD_BIND_ADDRESS: '127.0.0.1', ...options.env },
  );
  return {
    engine,
    dir,
    channelsDir,
    async stop() {
      await engine.stop();
      if (schema) {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
