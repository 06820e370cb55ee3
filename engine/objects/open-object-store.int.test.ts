/** Choosing the ObjectStore from the environment: folder by default, S3 (real s3rver) when configured. */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError } from './object-store.ts';
import { objectStoreConfig, openObjectStore } from './open-object-store.ts';
import { startS3rver, type TestS3Server } from './testing/s3rver.ts';

describe('objectStoreConfig', () => {
  it('is the folder when no S3 variable is set (blank counts as unset)', () => {
    expect(objectStoreConfig({})).toEqual({ kind: 'folder' });
    expect(objectStoreConfig({ S3_ENDPOINT: ' ', S3_BUCKET: '' })).toEqual({ kind: 'folder' });
  });

  it('reads endpoint, bucket, region and credentials', () => {
    expect(
      objectStoreConfig({
        S3_ENDPOINT: 'http://127.0.0.1:9000/',
        S3_BUCKET: 'dicom',
        S3_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
      }),
    ).toEqual({
      kind: 's3',
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'dicom',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      },
    });
  });

  it('falls back to AWS_REGION, then us-east-1, and to the SDK credential chain', () => {
    const base = { S3_ENDPOINT: 'http://h:1', S3_BUCKET: 'b1b' };
    expect(objectStoreConfig({ ...base, AWS_REGION: 'ap-south-1' })).toMatchObject({
      s3: { region: 'ap-south-1' },
    });
    const config = objectStoreConfig(base);
    expect(config).toMatchObject({ s3: { region: 'us-east-1' } });
    expect(config.kind === 's3' && config.s3.credentials).toBeUndefined();
  });

  it.each([
    [{ S3_ENDPOINT: 'http://h:1' }, 'S3_ENDPOINT is set but S3_BUCKET is not'],
    [{ S3_BUCKET: 'bucket' }, 'S3_BUCKET is set but S3_ENDPOINT is not'],
    [{ S3_ENDPOINT: 'not a url', S3_BUCKET: 'bucket' }, 'S3_ENDPOINT "not a url" is not a URL'],
    [{ S3_ENDPOINT: 'ftp://h', S3_BUCKET: 'bucket' }, 'S3_ENDPOINT must be an http:// or https:// URL'],
    [{ S3_ENDPOINT: 'http://u:p@h', S3_BUCKET: 'bucket' }, 'S3_ENDPOINT must not carry credentials'],
    [
      { S3_ENDPOINT: 'http://h', S3_BUCKET: 'Bad_Bucket' },
      'S3_BUCKET "Bad_Bucket" is not a valid bucket name',
    ],
    [
      { S3_ENDPOINT: 'http://h', S3_BUCKET: 'bucket', AWS_ACCESS_KEY_ID: 'id' },
      'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not',
    ],
    [
      { S3_ENDPOINT: 'http://h', S3_BUCKET: 'bucket', AWS_SECRET_ACCESS_KEY: 'sssh' },
      'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not',
    ],
  ])('refuses half or bad configuration %j', (env, message) => {
    expect(() => objectStoreConfig(env)).toThrow(ObjectStoreError);
    expect(() => objectStoreConfig(env)).toThrow(message);
  });

  it('never puts the secret in a configuration error', () => {
    expect(() =>
      objectStoreConfig({ S3_ENDPOINT: 'http://h', S3_BUCKET: 'x', AWS_SECRET_ACCESS_KEY: 'sssh-secret' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sssh-secret') }) as Error);
  });
});

describe('openObjectStore', () => {
  let dataDir: string;
  let s3: TestS3Server;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'open-store-'));
    s3 = await startS3rver();
  });
  afterAll(async () => {
    await s3?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('opens the folder <dataDir>/objects by default', async () => {
    const store = await openObjectStore({ dataDir, env: {} });
    try {
      expect(store.location).toBe(`folder ${path.join(dataDir, 'objects')}`);
      await store.put('dicom/1/2/3.dcm', Buffer.from('DICM'), 'application/dicom');
      expect(await readFile(path.join(dataDir, 'objects', 'dicom', '1', '2', '3.dcm'), 'utf8')).toBe('DICM');
    } finally {
      await store.close();
    }
  });

  it('uses a scratch folder, removed on close, for an in-memory engine', async () => {
    const store = await openObjectStore({ dataDir: null, env: {} });
    const root = store.location.replace(/^folder /, '');
    await store.put('a/b.dcm', Buffer.from('x'), 'application/dicom');
    await access(root);
    await store.close();
    await expect(access(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('opens S3 when S3_ENDPOINT and S3_BUCKET are set', async () => {
    const env = {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    };
    const store = await openObjectStore({ dataDir, env });
    try {
      expect(store.location).toBe(`s3 ${s3.endpoint} bucket ${s3.bucket}`);
      await store.put('dicom/9/9/9.dcm', Buffer.from('in s3'), 'application/dicom');
      expect((await store.get('dicom/9/9/9.dcm'))?.toString()).toBe('in s3');
      expect(s3.events).toContain('ObjectCreated:Put dicom/9/9/9.dcm');
    } finally {
      await store.close();
    }
  });

  it('fails to open, naming the bucket, when the S3 bucket does not exist', async () => {
    const env = {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'absent-bucket',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'secret-that-must-not-show',
    };
    const err = await openObjectStore({ dataDir, env }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect((err as Error).message).toContain(`s3 ${s3.endpoint} bucket absent-bucket`);
    expect((err as Error).message).not.toContain('secret-that-must-not-show');
  });
});
