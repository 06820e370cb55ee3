import type { Command } from 'commander';
import type { ChannelStatus } from '../channels/channel-manager.ts';
import { formatProblems } from '../channels/load.ts';
import { loadChannelFiles } from './channels-command.ts';
import { cliEngineConfig } from './cli-config.ts';
import { controlCall, controlRequest, type ChannelAction } from '../control/control-socket.ts';

interface Row {
  readonly id: string;
  readonly name: string;
  /** Live: started, paused or stopped; from the files: enabled or disabled. */
  readonly state: string;
  readonly listener: string;
  readonly messageTypes: readonly string[];
  readonly destinations: readonly string[];
}

const ACTIONS: Record<ChannelAction, string> = {
  start: 'start a channel of the running engine (routed to, deliveries sent)',
  pause: 'pause a channel: messages are still accepted and processed, deliveries wait in their queues',
  stop: 'stop a channel: not routed to; its message types are rejected (AR) unless another channel takes them',
};
const DATA_DIR_HELP = 'data folder of the engine (SWITCHBOARD_DATA_DIR, default ./data)';

function noEngine(dataDir: string): Error {
  return new Error(`no engine is running on data folder ${dataDir} (start it with \`switchboard start\`)`);
}

/** The deployed channels as the running engine sees them; null when no engine runs on this data folder. */
async function liveRows(dataDir: string): Promise<Row[] | null> {
  const status = (await controlCall(dataDir, 'GET', '/channels')) as ChannelStatus[] | null;
  return (
    status?.map((c) => ({ ...c, destinations: c.destinations.map((d) => `${d.name}(${d.type})`) })) ?? null
  );
}

async function fileRows(program: Command, dir: string | undefined): Promise<Row[]> {
  const result = await loadChannelFiles(program, dir);
  if (result.problems.length > 0) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    process.exitCode = 1;
  }
  return result.channels.map((c) => ({
    id: c.id,
    name: c.name,
    state: c.enabled ? 'enabled' : 'disabled',
    listener: c.source.listener,
    messageTypes: c.source.messageTypes,
    destinations: c.destinations.map((d) => `${d.name}(${d.type})`),
  }));
}

/**
 * `channels start|pause|stop <id>` talk to the running engine over the control socket, and
 * `channels list` shows its live state; without a running engine `list` reads the channel files.
 * Registered after `registerChannelCommands` (which adds `channels validate`), whose command it extends.
 */
export function registerChannelControlCommands(program: Command): void {
  const channels = program.commands.find((c) => c.name() === 'channels') ?? program.command('channels');
  for (const action of Object.keys(ACTIONS) as ChannelAction[]) {
    channels
      .command(action)
      .description(ACTIONS[action])
      .argument('<id>', 'the channel id')
      .option('--data-dir <dir>', DATA_DIR_HELP)
      .action(async (id: string, opts: { dataDir?: string }) => {
        const config = await cliEngineConfig(program, opts);
        const answer = await controlRequest(config.dataDir, `/channels/${encodeURIComponent(id)}/${action}`);
        if (!answer) throw noEngine(config.dataDir);
        (answer.ok ? process.stdout : process.stderr).write(`${answer.message}\n`);
        if (!answer.ok) process.exitCode = 1;
      });
  }
  channels
    .command('list')
    .description('list the channels: live state from the running engine, else the channel files')
    .option('--dir <dir>', 'channel folder to read instead (default from config: ./channels)')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (opts: { dir?: string; dataDir?: string; json?: boolean }) => {
      const config = await cliEngineConfig(program, opts);
      // --dir asks about a folder's files, which need not be what the engine runs.
      const rows = (opts.dir ? null : await liveRows(config.dataDir)) ?? (await fileRows(program, opts.dir));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        process.stdout.write(
          `${r.id}\t${r.state}\t${r.listener}\t${r.messageTypes.join(',')}\t-> ${r.destinations.join(', ')}\n`,
        );
      }
    });
}
