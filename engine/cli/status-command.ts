import type { Command } from 'commander';
import { cliEngineConfig } from './cli-config.ts';
import { controlCall } from '../control/control-socket.ts';

interface Stats {
  byStatus: Record<string, number>;
  deliveriesByStatus: Record<string, number>;
  pendingDispatch: number;
  groupCommit: { batches: number; requests: number; largestBatch: number };
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('counts of messages and deliveries by status, from the running engine')
    .option('--data-dir <dir>', 'data folder of the engine (SWITCHBOARD_DATA_DIR, default ./data)')
    .option('--json', 'print JSON')
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const config = await cliEngineConfig(program, opts);
      const stats = (await controlCall(config.dataDir, 'GET', '/stats')) as Stats | null;
      if (!stats) throw new Error(`no engine is running on data folder ${config.dataDir}`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
        return;
      }
      const line = (counts: Record<string, number>) =>
        Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
      process.stdout.write(`messages:   ${line(stats.byStatus)}\n`);
      process.stdout.write(`deliveries: ${line(stats.deliveriesByStatus)}\n`);
      process.stdout.write(`waiting for dispatch: ${stats.pendingDispatch}\n`);
      const gc = stats.groupCommit;
      process.stdout.write(
        `group commit: ${gc.requests} messages in ${gc.batches} transactions (largest ${gc.largestBatch})\n`,
      );
    });
}
