import type { Command } from 'commander';
import { mappings } from '../../mappings/index.ts';
import { formatProblems, loadChannels } from '../channels/load.ts';
import { loadEngineConfig } from '../config/index.ts';

async function load(program: Command, dir: string | undefined) {
  const globals = program.opts<{ config?: string }>();
  const config = await loadEngineConfig({
    env: process.env,
    cwd: process.cwd(),
    overrides: {
      ...(globals.config ? { configFile: globals.config } : {}),
      ...(dir ? { channelsDir: dir } : {}),
    },
  });
  return loadChannels({
    dir: config.channelsDir,
    knownListeners: new Set(config.mllp.map((l) => l.name)),
    knownMappings: new Set(mappings.keys()),
  });
}

export function registerChannelCommands(program: Command): void {
  const channels = program.command('channels').description('channel files: validate and list');
  channels
    .command('validate')
    .description('validate every channel file; exit 1 and list every problem if any')
    .option('--dir <dir>', 'channel folder (default from config: ./channels)')
    .action(async (opts: { dir?: string }) => {
      const result = await load(program, opts.dir);
      if (result.problems.length > 0) {
        process.stderr.write(`${formatProblems(result.problems)}\n`);
        process.stderr.write(`${result.problems.length} problem(s) found\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${result.channels.length} channel(s) valid\n`);
    });
  channels
    .command('list')
    .description('list the channels defined in the channel folder')
    .option('--dir <dir>', 'channel folder (default from config: ./channels)')
    .option('--json', 'print JSON')
    .action(async (opts: { dir?: string; json?: boolean }) => {
      const result = await load(program, opts.dir);
      if (result.problems.length > 0) {
        process.stderr.write(`${formatProblems(result.problems)}\n`);
        process.exitCode = 1;
      }
      const rows = result.channels.map((c) => ({
        id: c.id,
        name: c.name,
        enabled: c.enabled,
        listener: c.source.listener,
        messageTypes: c.source.messageTypes,
        destinations: c.destinations.map((d) => `${d.name}(${d.type})`),
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        process.stdout.write(
          `${r.id}\t${r.enabled ? 'enabled' : 'disabled'}\t${r.listener}\t${r.messageTypes.join(',')}\t-> ${r.destinations.join(', ')}\n`,
        );
      }
    });
}
