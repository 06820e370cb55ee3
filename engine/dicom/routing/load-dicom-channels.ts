/**
 * Loads the DICOM channels: every `*.yaml` / `*.yml` in `<channelsDir>/dicom/` (not recursive, in
 * name order; the HL7 loader reads only the files of channelsDir itself, so the subfolder is
 * invisible to it). No folder means no DICOM channels. Every problem of every file is reported at
 * once, with file, line, path and what was expected; callers use the channels only when there is none.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigProblem } from '../../channels/types.ts';
import { checkChannelDocument, type ChannelDocument } from '../../config/channel-document.ts';
import { duplicateIdProblems } from '../../config/duplicate-ids.ts';
import { deepFreeze } from '../../config/freeze.ts';
import type { EngineConfig } from '../../config/types.ts';
import { readYamlFile, type YamlSource } from '../../config/yaml-source.ts';
import { CHANNEL_ID } from '../../channels/schema.ts';
import { dicomChannelSchema, type DicomChannelSchemaOptions } from './routing-schema.ts';
import type { DicomChannelSpec } from './routing-types.ts';

export const DICOM_CHANNELS_SUBDIR = 'dicom';

export interface LoadDicomChannelsOptions extends DicomChannelSchemaOptions {
  /** The engine's channelsDir; DICOM channels are in its `dicom/` subfolder. */
  readonly channelsDir: string;
  /** For `${env:NAME}` in channel files; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadDicomChannelsResult {
  readonly channels: readonly DicomChannelSpec[];
  readonly problems: readonly ConfigProblem[];
}

function checkSource(source: YamlSource, opts: LoadDicomChannelsOptions): ChannelDocument<DicomChannelSpec> {
  return checkChannelDocument(source, dicomChannelSchema(opts), {
    idPattern: CHANNEL_ID,
    emptyMessage: 'the file is empty: expected a DICOM channel with id and destinations',
    env: opts.env ?? process.env,
  });
}

export async function loadDicomChannels(opts: LoadDicomChannelsOptions): Promise<LoadDicomChannelsResult> {
  const dir = path.resolve(opts.channelsDir, DICOM_CHANNELS_SUBDIR);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return deepFreeze({ channels: [], problems: [] });
    const message = `cannot read the DICOM channels folder: ${String(err)}`;
    return deepFreeze({ channels: [], problems: [{ file: dir, path: '', message }] });
  }
  const results = await Promise.all(
    names.map(async (n) => checkSource(await readYamlFile(path.join(dir, n)), opts)),
  );
  const problems = results.flatMap((r) => r.problems);
  problems.push(...duplicateIdProblems(results, 'DICOM channel'));
  const channels = problems.length === 0 ? results.map((r) => r.channel).filter((c) => c !== null) : [];
  return deepFreeze({ channels, problems });
}

/** The DICOM channels of an engine configuration: its channel folder, forwards to its remote AEs only. */
export function loadConfiguredDicomChannels(
  config: Pick<EngineConfig, 'channelsDir' | 'dicom'>,
): Promise<LoadDicomChannelsResult> {
  return loadDicomChannels({
    channelsDir: config.channelsDir,
    knownAes: new Set(config.dicom.remoteAes.map((ae) => ae.aeTitle)),
  });
}
