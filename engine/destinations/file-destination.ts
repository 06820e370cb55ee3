import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Payload } from '../channels/transform.ts';
import type { DestinationSpec } from '../channels/types.ts';
import { extensionFor, renderFileName } from './template.ts';
import type { DeliveryContext, DeliveryOutcome, Destination } from './types.ts';

type FileSpec = Extract<DestinationSpec, { type: 'file' }>;

export interface FileDestinationOptions {
  /** Relative directories resolve against it (the engine's working directory). */
  readonly baseDir: string;
}

/**
 * Errors no operator action on the machine can fix: the path itself is invalid. Everything else (ENOSPC,
 * EACCES, EROFS, ENOTDIR, a missing mount...) is transient: the queue retries while someone fixes it.
 */
const INVALID_PATH_CODES = new Set([
  'ENAMETOOLONG',
  'EINVAL',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_ARG_TYPE',
]);

class InvalidPathError extends Error {}

/**
 * Writes each payload to `directory/fileName`. Atomic (temp file in the same directory, fsync, rename,
 * fsync of the directory) so a reader never sees half a file and a file reported written survives a
 * crash; a retry renders the same name and replaces the file, so a retried delivery never makes two.
 */
export function createFileDestination(spec: FileSpec, opts: FileDestinationOptions): Destination {
  const directory = path.resolve(opts.baseDir, spec.directory);
  const inFlight = new Set<Promise<DeliveryOutcome>>();

  const targetFor = (payload: Payload, ctx: DeliveryContext): string => {
    const name = renderFileName(spec.fileName, {
      messageId: ctx.messageId,
      controlId: ctx.controlId,
      messageType: ctx.messageType,
      triggerEvent: ctx.triggerEvent,
      channel: ctx.channelId,
      ext: extensionFor(payload.contentType),
    });
    const target = path.resolve(directory, name);
    // The template comes from a validated channel file, but the written path must stay inside the
    // directory whatever the template or values hold.
    if (
      name === '' ||
      name.includes('\0') ||
      path.dirname(target) !== directory ||
      name !== path.basename(target)
    ) {
      throw new InvalidPathError(`file name "${name}" does not name a file inside ${directory}`);
    }
    return target;
  };

  const write = async (payload: Payload, ctx: DeliveryContext): Promise<DeliveryOutcome> => {
    let target: string;
    try {
      target = targetFor(payload, ctx);
    } catch (err) {
      return { ok: false, error: `file destination: ${(err as Error).message}`, errorClass: 'permanent' };
    }
    try {
      await writeAtomically(target, payload.body);
      return { ok: true, response: target };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const errorClass = INVALID_PATH_CODES.has(code) ? 'permanent' : 'transient';
      return {
        ok: false,
        error: `file destination: cannot write ${target}: ${(err as Error).message}`,
        errorClass,
      };
    }
  };

  return {
    name: spec.name,
    type: 'file',
    start: async () => undefined,
    stop: async () => {
      await Promise.allSettled([...inFlight]);
    },
    deliver: (payload, ctx) => {
      const pending = write(payload, ctx);
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
      return pending;
    },
  };
}

async function writeAtomically(target: string, body: Buffer): Promise<void> {
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true });
  // Dot-prefixed and `.tmp`-suffixed so pickup jobs polling for `*.hl7` never take a partial file.
  const temp = path.join(dir, `.${path.basename(target)}.${randomUUID()}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    await handle.writeFile(body);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/** The rename is durable only once the directory entry is flushed (POSIX); Windows cannot open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
