/**
 * A real S3 server for tests: s3rver (npm, untyped CommonJS) on 127.0.0.1, a free port, a temporary
 * data folder and one bucket. Records the object events it emits so a test can tell a multipart
 * upload (`ObjectCreated:Post`) from a single put (`ObjectCreated:Put`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The part of s3rver's class we use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: S3rverEvent) => void): void;
}
interface S3rverEvent {
  readonly Records: readonly {
    readonly eventName: string;
    readonly s3: { readonly object: { readonly key: string } };
  }[];
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver accepts these (and only these) signed credentials. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** `<eventName> <key>` per object event, e.g. `ObjectCreated:Post dicom/1/2/3.dcm`. */
  readonly events: string[];
  close(): Promise<void>;
}

export async function startS3rver(bucket = 'switchboard-test'): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const events: string[] = [];
  server.on('event', (event) => {
    for (const record of event.Records) events.push(`${record.eventName} ${record.s3.object.key}`);
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    events,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
