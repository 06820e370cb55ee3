import type { Command } from 'commander';
import { withDatabase } from './with-store.ts';
import { AuditLog } from '../audit/index.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log');

  audit
    .command('verify')
    .description(
      'recompute the hash chain of the whole audit log; exit 1 at the first row that does not hold',
    )
    .option('--data-dir <dir>', 'data folder of the engine (SWITCHBOARD_DATA_DIR, default ./data)')
    .action(async (opts: { dataDir?: string }) => {
      const result = await withDatabase(program, opts, (db) => new AuditLog(db).verify());
      if (result.ok) {
        process.stdout.write(`audit log intact: ${result.rows} rows\n`);
        return;
      }
      process.stdout.write(`audit log TAMPERED at row ${result.firstBadSeq}: ${result.reason}\n`);
      process.exitCode = 1;
    });
}
