/**
 * `switchboard mappings report <folder>`: the conformance report over a folder of .hl7 files (each
 * may hold several messages or a batch): per message type and overall, parsed / mapped / valid, and
 * the data no mapping read. Messages go through the mapping of the channel that would take them
 * (channel files from the engine config, or --dir). Nothing is written anywhere.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatProblems } from '../channels/load.ts';
import { mappings } from '../../mappings/index.ts';
import { buildMappingReport } from '../../mappings/report/build-report.ts';
import { chooseMappingFromChannels } from '../../mappings/report/choose-mapping.ts';
import { formatMappingReport } from '../../mappings/report/format-report.ts';
import { readHl7Folder } from '../../mappings/report/read-folder.ts';
import { validateEntries } from '../../mappings/report/validate-entries.ts';
import { loadChannelFiles } from './channels-command.ts';

interface ReportOptions {
  dir?: string;
  json?: boolean;
  byEvent?: boolean;
  limit: string;
}

async function isFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    return false;
  }
}

export function registerMappingsCommands(program: Command): void {
  const group = program.command('mappings').description('mappings: conformance report over message files');
  group
    .command('report')
    .description(
      'map every .hl7 file under <folder> as the channels would, validate, and print per message type: ' +
        'parsed, mapped, valid, and the segments and fields whose data no mapping read',
    )
    .argument('<folder>', 'folder of .hl7 files (searched recursively)')
    .option('--dir <dir>', 'channel folder (default from config: ./channels)')
    .option('--json', 'print the report as JSON')
    .option('--by-event', 'also a row per message type and trigger event')
    .option('--limit <n>', 'lost elements listed per kind and type (0: all)', '15')
    .action(async (folder: string, opts: ReportOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0) {
        process.stderr.write(`switchboard: --limit: expected an integer from 0, got ${opts.limit}\n`);
        process.exitCode = 2;
        return;
      }
      if (!(await isFolder(folder))) {
        process.stderr.write(`switchboard: ${folder}: not a folder\n`);
        process.exitCode = 2;
        return;
      }
      const loaded = await loadChannelFiles(program, opts.dir);
      if (loaded.problems.length > 0) {
        process.stderr.write(`${formatProblems(loaded.problems)}\n`);
        process.exitCode = 2;
        return;
      }
      const files = await readHl7Folder(folder);
      const report = buildMappingReport(
        files,
        chooseMappingFromChannels(loaded.channels, mappings),
        validateEntries,
      );
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : formatMappingReport(report, { byEvent: opts.byEvent === true, limit }),
      );
    });
}
