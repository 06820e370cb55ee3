import type { Command } from 'commander';
import { loadEngineConfig, type EngineConfig } from '../config/index.ts';

/** The engine configuration as a CLI command sees it: `--config` plus the command's own folder flags. */
export function cliEngineConfig(
  program: Command,
  flags: { dataDir?: string; dir?: string },
): Promise<EngineConfig> {
  const globals = program.opts<{ config?: string }>();
  return loadEngineConfig({
    env: process.env,
    cwd: process.cwd(),
    overrides: {
      ...(globals.config ? { configFile: globals.config } : {}),
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(flags.dir ? { channelsDir: flags.dir } : {}),
    },
  });
}
