import type { Command } from 'commander';
import { cliEngineConfig } from './cli-config.ts';
import { controlRequest } from '../control/control-socket.ts';
import { SqlMessageStore } from '../store/sql-message-store.ts';
import { withDatabase } from './with-store.ts';

export function registerReprocessCommand(program: Command): void {
  program
    .command('reprocess')
    .description('run a processed, filtered or error message through its channels again')
    .argument('<message-id>', 'the message id')
    .option('--data-dir <dir>', 'data folder of the engine (SWITCHBOARD_DATA_DIR, default ./data)')
    .action(async (messageId: string, opts: { dataDir?: string }) => {
      if (!/^\d+$/.test(messageId)) throw new Error(`message id must be a number, got "${messageId}"`);
      const config = await cliEngineConfig(program, opts);
      // A running engine does it itself (and owns the embedded database): ask it first.
      const answer = await controlRequest(config.dataDir, `/messages/${messageId}/reprocess`);
      if (answer) {
        process.stdout.write(`${answer.message}\n`);
        if (!answer.ok) process.exitCode = 1;
        return;
      }
      // No engine running: mark it in the store; the next start processes it.
      await withDatabase(program, opts, async (db) => {
        const store = new SqlMessageStore(db);
        const message = await store.get(messageId);
        if (!message) throw new Error(`no message ${messageId}`);
        if (!(await store.reprocess(messageId))) {
          throw new Error(
            `message ${messageId} is ${message.status}: only processed, filtered or error messages are reprocessed`,
          );
        }
        process.stdout.write(
          `message ${messageId} queued for reprocessing (the engine is not running: it runs at next start)\n`,
        );
      });
    });
}
