import { Command } from 'commander';
import { registerAuditCommands } from './audit-command.ts';
import { registerChannelControlCommands } from './channel-control-command.ts';
import { registerChannelCommands } from './channels-command.ts';
import { registerChannelTestCommand } from './channels-test-command.ts';
import { registerMappingsCommands } from './mappings-command.ts';
import { registerReprocessCommand } from './reprocess-command.ts';
import { registerSendCommand } from './send-command.ts';
import { registerStartCommand } from './start-command.ts';
import { registerStatusCommand } from './status-command.ts';
import { registerTokensCommands } from './tokens-command.ts';
import { registerUsersCommands } from './users-command.ts';

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('HL7 v2 / DICOM integration engine')
    .option('-c, --config <file>', 'engine config file (default ./switchboard.yaml if present)')
    .showHelpAfterError();
  registerStartCommand(program);
  registerSendCommand(program);
  registerChannelCommands(program);
  registerChannelControlCommands(program);
  registerChannelTestCommand(program);
  registerReprocessCommand(program);
  registerMappingsCommands(program);
  registerStatusCommand(program);
  registerUsersCommands(program);
  registerTokensCommands(program);
  registerAuditCommands(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
