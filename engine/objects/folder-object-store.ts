/**
 * ObjectStore on a local folder. A put writes a temporary file beside the final one, fsyncs it,
 * renames it into place and fsyncs the folder (and any folder it had to create), so a reader or a
 * crash sees the old object or the whole new one, never part of one. Temporary names start with '.'
 * and keys may not, so a temporary file never carries an object's name.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type ObjectStore, ObjectStoreError, type PutResult, validateObjectKey } from './object-store.ts';

export const TEMP_PREFIX = '.tmp-';

export interface FolderObjectStoreOptions {
  readonly root: string;
  /** Remove the whole root folder on close (a scratch store for an in-memory engine). */
  readonly removeOnClose?: boolean;
}

/** No object there: nothing at the path, a file where a folder was expected, or a folder. */
const isMissing = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
};

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class FolderObjectStore implements ObjectStore {
  readonly location: string;
  readonly #root: string;
  readonly #removeOnClose: boolean;
  #closed = false;

  constructor(options: FolderObjectStoreOptions) {
    this.#root = path.resolve(options.root);
    this.#removeOnClose = options.removeOnClose ?? false;
    this.location = `folder ${this.#root}`;
  }

  /** Creates the root folder; call once before use. */
  async open(): Promise<this> {
    try {
      await mkdir(this.#root, { recursive: true });
    } catch (err) {
      throw new ObjectStoreError(`object folder ${this.#root} cannot be created: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return this;
  }

  #pathOf(key: string): string {
    if (this.#closed) throw new ObjectStoreError(`${this.location} is closed`);
    const file = path.resolve(this.#root, validateObjectKey(key));
    // validateObjectKey already forbids '..' and absolute keys; this is the belt to those braces.
    if (!file.startsWith(this.#root + path.sep)) throw new ObjectStoreError(`key escapes ${this.location}`);
    return file;
  }

  async put(key: string, body: Buffer, _contentType: string): Promise<PutResult> {
    const file = this.#pathOf(key);
    const dir = path.dirname(file);
    const firstCreated = await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw new ObjectStoreError(`${this.location}: storing ${key} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    await this.#syncFolders(dir, firstCreated);
    return { key, size: body.length };
  }

  /** fsyncs `dir` and, when mkdir created folders, each of them up to the parent of the first one. */
  async #syncFolders(dir: string, firstCreated: string | undefined): Promise<void> {
    await fsyncDir(dir);
    if (firstCreated === undefined) return;
    const stop = path.dirname(firstCreated);
    for (let d = path.dirname(dir); d.length >= stop.length; d = path.dirname(d)) {
      await fsyncDir(d);
      if (d === stop) break;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const file = this.#pathOf(key);
    try {
      return await readFile(file);
    } catch (err) {
      if (isMissing(err)) return null;
      throw new ObjectStoreError(`${this.location}: reading ${key} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async head(key: string): Promise<{ size: number } | null> {
    const file = this.#pathOf(key);
    try {
      const info = await stat(file);
      return info.isFile() ? { size: info.size } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw new ObjectStoreError(`${this.location}: reading ${key} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      if (isMissing(err)) return;
      throw new ObjectStoreError(`${this.location}: deleting ${key} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    await fsyncDir(path.dirname(file));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#removeOnClose) await rm(this.#root, { recursive: true, force: true });
  }
}
