/** The S3 ObjectStore against a real S3 server (s3rver on 127.0.0.1): the shared contract, plus failures. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { objectStoreContract } from './object-store.contract.ts';
import { ObjectStoreError } from './object-store.ts';
import { isAwsEndpoint, S3ObjectStore } from './s3-object-store.ts';
import { startS3rver } from './testing/s3rver.ts';

objectStoreContract('s3 (s3rver)', async () => {
  const server = await startS3rver();
  const store = new S3ObjectStore({
    endpoint: server.endpoint,
    bucket: server.bucket,
    region: 'us-east-1',
    credentials: server.credentials,
  });
  await store.verify();
  return {
    store,
    wasMultipart(key) {
      const created = server.events.filter((e) => e.endsWith(` ${key}`) && e.startsWith('ObjectCreated:'));
      expect(created.length, `object events for ${key}`).toBeGreaterThan(0);
      return created.at(-1)!.startsWith('ObjectCreated:Post ');
    },
    async close() {
      await store.close();
      await server.close();
    },
  };
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('S3ObjectStore failures', () => {
  const secret = 'very-secret-key-do-not-print';

  it('names endpoint and bucket, never the secret, when the endpoint is unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = new S3ObjectStore({
      endpoint,
      bucket: 'unreachable-bucket',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret },
      maxAttempts: 1,
    });
    try {
      const err = await store.verify().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ObjectStoreError);
      const message = (err as Error).message;
      expect(message).toContain(endpoint);
      expect(message).toContain('unreachable-bucket');
      expect(message).toContain('ECONNREFUSED');
      expect(message).not.toContain(secret);
      await expect(store.put('a/b.dcm', Buffer.from('x'), 'application/dicom')).rejects.toThrow(
        `s3 ${endpoint} bucket unreachable-bucket: storing a/b.dcm failed`,
      );
    } finally {
      await store.close();
    }
  });

  it('says the bucket does not exist when the server answers without it', async () => {
    const server = await startS3rver();
    const store = new S3ObjectStore({
      endpoint: server.endpoint,
      bucket: 'no-such-bucket',
      region: 'us-east-1',
      credentials: server.credentials,
    });
    try {
      await expect(store.verify()).rejects.toThrow(`bucket no-such-bucket: the bucket does not exist`);
      await expect(store.put('a/b.dcm', Buffer.from('x'), 'application/dicom')).rejects.toBeInstanceOf(
        ObjectStoreError,
      );
    } finally {
      await store.close();
      await server.close();
    }
  });

  // s3rver knows one access key and does not check V4 signatures, so an unknown key stands in for bad credentials.
  it('reports unknown credentials as a failure, not as a missing object', async () => {
    const server = await startS3rver();
    const store = new S3ObjectStore({
      endpoint: server.endpoint,
      bucket: server.bucket,
      region: 'us-east-1',
      credentials: { accessKeyId: 'NOT-S3RVER', secretAccessKey: secret },
      maxAttempts: 1,
    });
    try {
      const err = await store.get('a/b.dcm').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ObjectStoreError);
      expect((err as Error).message).toContain('InvalidAccessKeyId');
      expect((err as Error).message).not.toContain(secret);
    } finally {
      await store.close();
      await server.close();
    }
  });

  it('uses path-style addressing except on AWS', () => {
    expect(isAwsEndpoint('https://s3.eu-west-1.amazonaws.com')).toBe(true);
    expect(isAwsEndpoint('http://127.0.0.1:9000')).toBe(false);
    expect(isAwsEndpoint('https://amazonaws.com.evil.example')).toBe(false);
  });
});
