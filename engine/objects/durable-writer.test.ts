import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableWriteError, DurableWriter } from './durable-writer.ts';

describe('DurableWriter (worker-thread file writes)', () => {
  let root: string;
  let writer: DurableWriter;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'durable-writer-'));
    writer = new DurableWriter(2);
  });
  afterEach(async () => {
    await writer.close();
    await rm(root, { recursive: true, force: true });
  });

  it('writes the bytes under the final name, creating folders, and leaves no temporary file', async () => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const file = path.join(root, 'a', 'b', 'object.dcm');
    await writer.write(file, path.join(root, 'a', 'b', '.tmp-1'), body);
    expect((await readFile(file)).equals(body)).toBe(true);
    expect(await readdir(path.join(root, 'a', 'b'))).toEqual(['object.dcm']);
  });

  it('writes a view of a larger buffer as just its bytes', async () => {
    const big = Buffer.alloc(1000, 1);
    big.fill(7, 100, 200);
    const file = path.join(root, 'view');
    await writer.write(file, path.join(root, '.tmp-view'), big.subarray(100, 200));
    expect(await readFile(file)).toEqual(Buffer.alloc(100, 7));
  });

  it('writes a view of shared memory (a C-STORE object) as just its bytes, without taking it', async () => {
    const shared = Buffer.from(new SharedArrayBuffer(1000));
    shared.fill(3, 0, 1000);
    shared.fill(9, 300, 700);
    const view = shared.subarray(300, 700);
    const file = path.join(root, 'shared');
    await writer.write(file, path.join(root, '.tmp-shared'), view);
    expect(await readFile(file)).toEqual(Buffer.alloc(400, 9));
    expect(view.length).toBe(400); // still readable here: shared, not transferred
    expect(view.every((b) => b === 9)).toBe(true);
  });

  it('replaces an existing object whole', async () => {
    const file = path.join(root, 'same');
    await writer.write(file, path.join(root, '.tmp-a'), Buffer.from('first version'));
    await writer.write(file, path.join(root, '.tmp-b'), Buffer.from('second'));
    expect((await readFile(file)).toString()).toBe('second');
  });

  it('runs many writes at once on its threads, each resolved with its own file', async () => {
    const writes = Array.from({ length: 40 }, (_, i) =>
      writer.write(
        path.join(root, `s${i % 4}`, `f${i}`),
        path.join(root, `s${i % 4}`, `.tmp-${i}`),
        Buffer.from(`n${i}`),
      ),
    );
    await Promise.all(writes);
    for (let i = 0; i < 40; i++) {
      expect((await readFile(path.join(root, `s${i % 4}`, `f${i}`))).toString()).toBe(`n${i}`);
    }
  });

  it('rejects with the error code when the write cannot happen, and removes its temporary file', async () => {
    await writeFile(path.join(root, 'plain-file'), 'not a folder');
    const err = await writer
      .write(path.join(root, 'plain-file', 'x'), path.join(root, 'plain-file', '.tmp-x'), Buffer.from('x'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DurableWriteError);
    expect((err as DurableWriteError).code).toMatch(/ENOTDIR|EEXIST/);
    const dir = path.join(root, 'target');
    await writeFile(path.join(root, 'target'), 'a file where the folder should be').catch(() => undefined);
    const err2 = await writer
      .write(path.join(dir, 'sub', 'y'), path.join(dir, 'sub', '.tmp-y'), Buffer.from('y'))
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(DurableWriteError);
    expect(await readdir(root)).toEqual(['plain-file', 'target']);
  });

  it('refuses writes once closed', async () => {
    await writer.close();
    await expect(
      writer.write(path.join(root, 'z'), path.join(root, '.tmp-z'), Buffer.from('z')),
    ).rejects.toThrow(/closed/);
  });
});
