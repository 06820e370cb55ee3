/** The folder ObjectStore: the shared contract, plus atomic replacement and clean failure on disk. */
import { watch } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderObjectStore, TEMP_PREFIX } from './folder-object-store.ts';
import { objectStoreContract } from './object-store.contract.ts';
import { ObjectStoreError } from './object-store.ts';
import { waitFor } from '../../test/support/wait.ts';

async function scratch(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'folder-store-'));
}

objectStoreContract('folder', async () => {
  const root = await scratch();
  const store = await new FolderObjectStore({ root }).open();
  return {
    store,
    async close() {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('FolderObjectStore on disk', () => {
  let root: string;
  let store: FolderObjectStore;
  beforeEach(async () => {
    root = await scratch();
    store = await new FolderObjectStore({ root }).open();
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lays a DICOM key out as folders under the root', async () => {
    await store.put('dicom/1.2/1.2.3/1.2.3.4.dcm', Buffer.from('x'), 'application/dicom');
    expect(await readdir(path.join(root, 'dicom', '1.2', '1.2.3'))).toEqual(['1.2.3.4.dcm']);
  });

  it('writes through a temporary file: the final name only ever appears whole, by rename', async () => {
    const dir = path.join(root, 'atomic');
    await store.put('atomic/other.dcm', Buffer.from('makes the folder'), 'application/dicom');
    const seen: { type: string; name: string }[] = [];
    const watcher = watch(dir, (type, name) => seen.push({ type, name: String(name) }));
    try {
      const first = randomBytes(4 * 1024 * 1024);
      const second = randomBytes(4 * 1024 * 1024 + 1);
      await store.put('atomic/target.dcm', first, 'application/dicom');
      // While the second version is written, every read of the final name is one whole version.
      let reads = 0;
      let writing = true;
      const reader = (async () => {
        while (writing) {
          const got = await store.get('atomic/target.dcm');
          expect(got?.equals(first) || got?.equals(second)).toBe(true);
          reads++;
        }
      })();
      await store.put('atomic/target.dcm', second, 'application/dicom');
      writing = false;
      await reader;
      expect(reads).toBeGreaterThan(0);
      await waitFor(
        () => seen.filter((e) => e.name === 'target.dcm').length >= 2,
        'both renames onto target.dcm to be reported',
      );
    } finally {
      watcher.close();
    }
    // Writes (change events) went to temporary names only; the final name arrived by rename.
    expect(seen.some((e) => e.name.startsWith(TEMP_PREFIX) && e.type === 'change')).toBe(true);
    expect(seen.filter((e) => e.name === 'target.dcm' && e.type === 'change')).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['other.dcm', 'target.dcm']);
  });

  it('leaves no temporary file and no object behind when a put fails', async () => {
    await store.put('clash/inner/file.dcm', Buffer.from('x'), 'application/dicom');
    // 'clash/inner' is a folder, so the rename onto it fails after the temporary file was written.
    await expect(store.put('clash/inner', randomBytes(1000), 'application/dicom')).rejects.toBeInstanceOf(
      ObjectStoreError,
    );
    expect((await readdir(path.join(root, 'clash'))).sort()).toEqual(['inner']);
    expect(await readdir(path.join(root, 'clash', 'inner'))).toEqual(['file.dcm']);
    expect(await store.get('clash/inner')).toBeNull();
  });

  it('refuses use after close', async () => {
    await store.close();
    await expect(store.get('a/b.dcm')).rejects.toBeInstanceOf(ObjectStoreError);
  });

  it('removes a scratch root on close when asked', async () => {
    const temp = await scratch();
    const scratchStore = await new FolderObjectStore({ root: temp, removeOnClose: true }).open();
    await scratchStore.put('a/b.dcm', Buffer.from('x'), 'application/dicom');
    await scratchStore.close();
    await expect(readdir(temp)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
