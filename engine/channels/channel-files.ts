/**
 * Channel files changed over the admin API: validate a channel document with the loader used at start,
 * write it into the channel folder atomically and reload, and put the folder back as it was when the
 * reload is refused, so a bad deploy changes neither the running channels nor the files. The engine
 * also watches the folder and may reload on its own; that is harmless, because the folder only ever
 * holds the old file, or the new one that this reload is about to deploy anyway, or the old one again.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mappings } from '../../mappings/index.ts';
import type { EngineConfig } from '../config/types.ts';
import type { ChannelManager } from './channel-manager.ts';
import { checkChannelText, loadChannels, type LoadChannelsOptions } from './load.ts';
import { CHANNEL_ID } from './schema.ts';
import type { ChannelSpec, ConfigProblem } from './types.ts';

/** A problem as the API reports it: the file by name only (the folder is the server's business). */
export interface ChannelProblem {
  readonly file: string | null;
  readonly path: string;
  readonly line: number | null;
  readonly message: string;
}

export interface ChannelDiff {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

export type ReloadOutcome =
  | { readonly ok: true; readonly diff: ChannelDiff }
  | { readonly ok: false; readonly problems: ChannelProblem[] };

export type DeployOutcome =
  | { readonly ok: true; readonly created: boolean; readonly file: string; readonly diff: ChannelDiff }
  | { readonly ok: false; readonly problems: ChannelProblem[]; readonly conflict?: boolean };

export interface ChannelFilesDeps {
  readonly config: EngineConfig;
  readonly channels: ChannelManager;
  /** The engine's reload: re-reads the folder, deploys what changed, refuses the lot on any problem. */
  readonly reload: () => Promise<{ ok: boolean; problems: string }>;
}

/** What the engine validates channels against (engine.ts builds the same). */
export function channelLoadOptions(config: EngineConfig): Omit<LoadChannelsOptions, 'dir'> {
  return {
    knownListeners: new Set(config.mllp.map((l) => l.name)),
    knownMappings: new Set(mappings.keys()),
  };
}

function toApiProblem(p: ConfigProblem): ChannelProblem {
  return {
    file: p.file ? path.basename(p.file) : null,
    path: p.path,
    line: p.line ?? null,
    message: p.message,
  };
}

function snapshot(channels: ChannelManager): Map<string, ChannelSpec | null> {
  return new Map(channels.status().map((s) => [s.id, channels.spec(s.id)]));
}

/** Unchanged channels keep their spec object across a deploy, so identity tells changed from not. */
function diffOf(
  before: Map<string, ChannelSpec | null>,
  after: Map<string, ChannelSpec | null>,
): ChannelDiff {
  return {
    added: [...after.keys()].filter((id) => !before.has(id)).sort(),
    changed: [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id)).sort(),
    removed: [...before.keys()].filter((id) => !after.has(id)).sort(),
  };
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Write to a temporary file in the same folder, then rename over the target: a reader (the watcher, a
 * reload, an editor) sees the old file or the new one, never half of one. The temporary name starts
 * with a dot and ends in .tmp, which the loader skips.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flush: true });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export class ChannelFiles {
  private readonly deps: ChannelFilesDeps;
  private readonly dir: string;
  /** One deploy at a time: each reads, writes and maybe restores the folder as a whole. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: ChannelFilesDeps) {
    this.deps = deps;
    this.dir = path.resolve(deps.config.channelsDir);
  }

  /**
   * Checks one channel document without writing anything. With `expectedId` (PUT), the document's id
   * must be that one.
   */
  validate(text: string, expectedId?: string): { channel: ChannelSpec | null; problems: ChannelProblem[] } {
    if (expectedId !== undefined && !CHANNEL_ID.test(expectedId)) {
      const message = `"${expectedId.slice(0, 64)}" is not a channel id (lowercase letters, digits and "-")`;
      return { channel: null, problems: [{ file: null, path: 'id', line: null, message }] };
    }
    const file = this.fileFor(expectedId ?? null);
    const checked = checkChannelText(text, file, channelLoadOptions(this.deps.config));
    const problems = checked.problems.map(toApiProblem);
    if (expectedId !== undefined && checked.id !== null && checked.id !== expectedId) {
      problems.push({
        file: path.basename(file),
        path: 'id',
        line: checked.lineOf(['id']) ?? null,
        message: `the id in the document ("${checked.id}") must be the channel id in the URL ("${expectedId}")`,
      });
    }
    return { channel: problems.length === 0 ? checked.channel : null, problems };
  }

  /** Validates, writes the channel's file and reloads; on a refused reload puts the file back. */
  deploy(id: string, text: string): Promise<DeployOutcome> {
    const run = this.queue.then(() => this.deployNow(id, text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reloads the folder as it is on disk. */
  reload(): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.reloadNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The deployed channel's own file when it lives in the channel folder, else `<id>.yaml` there. */
  private fileFor(id: string | null): string {
    if (id === null) return path.join(this.dir, '.validate.yaml');
    const current = this.deps.channels.spec(id)?.file;
    if (current !== undefined && path.dirname(current) === this.dir) return current;
    return path.join(this.dir, `${id}.yaml`);
  }

  private async deployNow(id: string, text: string): Promise<DeployOutcome> {
    const { problems } = this.validate(text, id);
    if (problems.length > 0) return { ok: false, problems };
    const file = this.fileFor(id);
    const previous = await readIfExists(file);
    if (previous !== null && this.deps.channels.spec(id)?.file !== file) {
      // <id>.yaml is there but is not this channel's file: it may hold another channel.
      const other = checkChannelText(previous, file, channelLoadOptions(this.deps.config)).id;
      if (other !== null && other !== id) {
        const message = `${path.basename(file)} holds channel "${other}"; rename or remove it first`;
        return {
          ok: false,
          conflict: true,
          problems: [{ file: path.basename(file), path: '', line: null, message }],
        };
      }
    }
    const before = snapshot(this.deps.channels);
    await writeAtomically(file, text);
    const result = await this.reloadNow(before);
    if (result.ok) return { ...result, created: previous === null, file: path.basename(file) };
    if (previous === null) await rm(file, { force: true });
    else await writeAtomically(file, previous);
    return result;
  }

  /** `before`: the running set before the folder changed (the watcher may deploy the change first). */
  private async reloadNow(before = snapshot(this.deps.channels)): Promise<ReloadOutcome> {
    let result: { ok: boolean; problems: string };
    try {
      result = await this.deps.reload();
    } catch (err) {
      // Valid YAML whose channel still fails to deploy (a script module that does not import).
      result = { ok: false, problems: `deploy failed: ${(err as Error).message}` };
    }
    if (!result.ok) return { ok: false, problems: await this.folderProblems(result.problems) };
    return { ok: true, diff: diffOf(before, snapshot(this.deps.channels)) };
  }

  /**
   * The reload reports problems as text; the loader gives them with paths and lines. Read before any
   * restore, so they are the problems of the folder the reload saw.
   */
  private async folderProblems(text: string): Promise<ChannelProblem[]> {
    const loaded = await loadChannels({ dir: this.dir, ...channelLoadOptions(this.deps.config) });
    if (loaded.problems.length > 0) return loaded.problems.map(toApiProblem);
    return [{ file: null, path: '', line: null, message: text || 'the reload was refused' }];
  }
}
