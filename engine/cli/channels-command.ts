import type { Command } from 'commander';
import { mappings } from '../../mappings/index.ts';
import { formatProblems, loadChannels } from '../channels/load.ts';
import { loadConfiguredDicomChannels } from '../dicom/routing/load-dicom-channels.ts';
import type { EngineConfig } from '../config/types.ts';
import { cliEngineConfig } from './cli-config.ts';

/** The channel files as the engine would load them (engine config picks the folder unless `dir` is given). */
export async function loadChannelFiles(program: Command, dir: string | undefined) {
  return loadConfiguredChannels(await cliEngineConfig(program, { ...(dir ? { dir } : {}) }));
}

function loadConfiguredChannels(config: EngineConfig) {
  return loadChannels({
    dir: config.channelsDir,
    knownListeners: new Set(config.mllp.map((l) => l.name)),
    knownMappings: new Set(mappings.keys()),
  });
}

export function registerChannelCommands(program: Command): void {
  const channels = program
    .command('channels')
    .description('channels: validate the files; list, start, pause and stop the running ones');
  channels
    .command('validate')
    .description('validate every channel file, HL7 and DICOM (dicom/); exit 1 and list every problem if any')
    .option('--dir <dir>', 'channel folder (default from config: ./channels)')
    .action(async (opts: { dir?: string }) => {
      const config = await cliEngineConfig(program, { ...(opts.dir ? { dir: opts.dir } : {}) });
      const [hl7, dicom] = await Promise.all([
        loadConfiguredChannels(config),
        loadConfiguredDicomChannels(config),
      ]);
      const problems = [...hl7.problems, ...dicom.problems];
      if (problems.length > 0) {
        process.stderr.write(`${formatProblems(problems)}\n`);
        process.stderr.write(`${problems.length} problem(s) found\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `${hl7.channels.length} channel(s) valid, ${dicom.channels.length} DICOM channel(s) valid\n`,
      );
    });
}
