/**
 * The behaviour every ObjectStore adapter must show, as one vitest suite each adapter's test file
 * runs against a real backend (a folder, a real S3 server).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomObjectKey, ObjectKeyError, type ObjectStore } from './object-store.ts';

export interface ContractBackend {
  readonly store: ObjectStore;
  /** Called after a put of `key`; tells whether the backend took it as a multipart upload, when it can tell. */
  readonly wasMultipart?: (key: string) => boolean;
  close(): Promise<void>;
}

const DICOM = 'application/dicom';
const MiB = 1024 * 1024;

export function objectStoreContract(name: string, open: () => Promise<ContractBackend>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let backend: ContractBackend;
    let store: ObjectStore;
    beforeAll(async () => {
      backend = await open();
      store = backend.store;
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('round-trips put, head, get and delete byte for byte', async () => {
      const key = dicomObjectKey('1.2.840.1', '1.2.840.1.2', '1.2.840.1.2.3');
      const body = randomBytes(64 * 1024 + 7);
      const put = await store.put(key, body, DICOM);
      expect(put).toMatchObject({ key, size: body.length });
      expect(await store.head(key)).toEqual({ size: body.length });
      expect((await store.get(key))?.equals(body)).toBe(true);
      await store.delete(key);
      expect(await store.get(key)).toBeNull();
      expect(await store.head(key)).toBeNull();
    });

    it('stores an empty object', async () => {
      await store.put('empty/zero.bin', Buffer.alloc(0), 'application/octet-stream');
      expect(await store.head('empty/zero.bin')).toEqual({ size: 0 });
      expect((await store.get('empty/zero.bin'))?.length).toBe(0);
    });

    it('overwrites an object under the same key', async () => {
      const key = 'overwrite/one.dcm';
      await store.put(key, Buffer.from('first version, longer than the second'), DICOM);
      const second = Buffer.from('second');
      await store.put(key, second, DICOM);
      expect((await store.get(key))?.equals(second)).toBe(true);
      expect(await store.head(key)).toEqual({ size: second.length });
    });

    it('answers null for a missing key and deletes a missing key quietly', async () => {
      expect(await store.get('missing/never-put.dcm')).toBeNull();
      expect(await store.head('missing/never-put.dcm')).toBeNull();
      await expect(store.delete('missing/never-put.dcm')).resolves.toBeUndefined();
    });

    it('stores a 20 MiB object intact (multipart where the backend has it)', async () => {
      const key = dicomObjectKey('1.2.3', '1.2.3.4', '1.2.3.4.5');
      const body = randomBytes(20 * MiB);
      const put = await store.put(key, body, DICOM);
      expect(put.size).toBe(body.length);
      expect(await store.head(key)).toEqual({ size: body.length });
      expect((await store.get(key))?.equals(body)).toBe(true);
      if (backend.wasMultipart) expect(backend.wasMultipart(key)).toBe(true);
    });

    it('puts a small object in one piece', async () => {
      const key = 'small/one-piece.dcm';
      await store.put(key, randomBytes(1000), DICOM);
      if (backend.wasMultipart) expect(backend.wasMultipart(key)).toBe(false);
    });

    it.each([
      ['empty', ''],
      ['parent segment', 'dicom/../../etc/passwd'],
      ['lone parent', '..'],
      ['absolute', '/etc/passwd'],
      ['empty segment', 'dicom//x.dcm'],
      ['trailing slash', 'dicom/x/'],
      ['dot segment', 'dicom/./x.dcm'],
      ['hidden / temp-like name', 'dicom/.tmp-x'],
      ['backslash', 'dicom\\..\\x'],
      ['NUL', 'dicom/x\0.dcm'],
      ['space', 'dicom/x y.dcm'],
    ])('refuses a bad key (%s) on every operation', async (_what, key) => {
      await expect(store.put(key, Buffer.from('x'), DICOM)).rejects.toBeInstanceOf(ObjectKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectKeyError);
      await expect(store.head(key)).rejects.toBeInstanceOf(ObjectKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(ObjectKeyError);
    });

    it('takes concurrent puts of different keys, each intact', async () => {
      const items = Array.from({ length: 24 }, (_, i) => ({
        key: dicomObjectKey('1.2.9', `1.2.9.${i % 3}`, `1.2.9.${i % 3}.${i}`),
        body: randomBytes(1024 + i * 997),
      }));
      const puts = await Promise.all(items.map((it) => store.put(it.key, it.body, DICOM)));
      expect(puts.map((p) => p.key)).toEqual(items.map((it) => it.key));
      const back = await Promise.all(items.map((it) => store.get(it.key)));
      back.forEach((buf, i) => expect(buf?.equals(items[i]!.body), items[i]!.key).toBe(true));
    });
  });
}
