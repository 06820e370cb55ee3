/**
 * ObjectStore on a local folder. A put writes a temporary file beside the final one, fsyncs it,
 * renames it into place and fsyncs the folder (and any folder it had to create), all in a worker
 * thread (durable-write-worker.mjs), so a reader or a crash sees the old object or the whole new one,
 * never part of one. Temporary names start with '.'
 * and keys may not, so a temporary file never carries an object's name.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DurableWriter } from './durable-writer.ts';
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
  readonly #writer = new DurableWriter();

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
    const temp = path.join(path.dirname(file), `${TEMP_PREFIX}${randomUUID()}`);
    try {
      // In a worker thread: one message each way instead of nine thread-pool round trips
      // (durable-writer.ts has the measurement).
      await this.#writer.write(file, temp, body);
    } catch (err) {
      throw new ObjectStoreError(`${this.location}: storing ${key} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return { key, size: body.length };
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
    await this.#writer.close();
    if (this.#removeOnClose) await rm(this.#root, { recursive: true, force: true });
  }
}
