import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkChannelDocument, type ChannelDocument } from '../config/channel-document.ts';
import { duplicateIdProblems } from '../config/duplicate-ids.ts';
import { deepFreeze } from '../config/freeze.ts';
import { parseYaml, readYamlFile, type YamlSource } from '../config/yaml-source.ts';
import { CHANNEL_ID, channelSchema } from './schema.ts';
import type { ChannelSpec, ConfigProblem } from './types.ts';

export { formatProblems } from '../config/problems.ts';

export interface LoadChannelsOptions {
  readonly dir: string;
  readonly knownListeners: ReadonlySet<string>;
  readonly knownMappings: ReadonlySet<string>;
  /** For `${env:NAME}` in channel files; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadChannelsResult {
  readonly channels: readonly ChannelSpec[];
  readonly problems: readonly ConfigProblem[];
}

type FileResult = ChannelDocument<ChannelSpec>;

async function readChannelFile(file: string, opts: Omit<LoadChannelsOptions, 'dir'>): Promise<FileResult> {
  return checkChannelSource(await readYamlFile(path.resolve(file)), opts);
}

function checkChannelSource(source: YamlSource, opts: Omit<LoadChannelsOptions, 'dir'>): FileResult {
  return checkChannelDocument(source, channelSchema({ ...opts, channelFile: source.file }), {
    idPattern: CHANNEL_ID,
    emptyMessage: 'the file is empty: expected a channel with id, source and destinations',
    env: opts.env ?? process.env,
  });
}

/** Validates one channel file: a frozen ChannelSpec, or null and every problem found in it. */
export async function loadChannelFile(
  file: string,
  opts: Omit<LoadChannelsOptions, 'dir'>,
): Promise<{ channel: ChannelSpec | null; problems: ConfigProblem[] }> {
  const { channel, problems } = await readChannelFile(file, opts);
  return { channel, problems };
}

/**
 * Validates one channel document given as text (the admin API's validate and deploy routes) exactly as
 * the loader would the file `file`, which need not exist: script modules resolve against its folder.
 * `id` is the id as written when it is a valid id, even if the rest of the channel is not.
 */
export function checkChannelText(
  text: string,
  file: string,
  opts: Omit<LoadChannelsOptions, 'dir'>,
): {
  channel: ChannelSpec | null;
  problems: ConfigProblem[];
  id: string | null;
  /** 1-based line of the key at `path` in the text, when there is one. */
  lineOf(path: readonly (string | number)[]): number | undefined;
} {
  const { channel, problems, id, source } = checkChannelSource(parseYaml(path.resolve(file), text), opts);
  return { channel, problems, id, lineOf: (at) => source.lineOf(at, true) };
}

/**
 * Validates every `*.yaml` / `*.yml` in `dir` (not recursive, in name order) and reports the problems of
 * all files at once. Never throws for bad content; callers deploy only when `problems` is empty.
 */
export async function loadChannels(opts: LoadChannelsOptions): Promise<LoadChannelsResult> {
  const dir = path.resolve(opts.dir);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'channels directory not found' : `cannot read channels directory: ${String(err)}`;
    return { channels: [], problems: Object.freeze([Object.freeze({ file: dir, path: '', message })]) };
  }
  const results = await Promise.all(names.map((n) => readChannelFile(path.join(dir, n), opts)));
  const problems = results.flatMap((r) => r.problems);
  problems.push(...duplicateIdProblems(results, 'channel'));
  const channels = problems.length === 0 ? results.map((r) => r.channel).filter((c) => c !== null) : [];
  return deepFreeze({ channels, problems });
}
