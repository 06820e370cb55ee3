/**
 * ObjectStore on S3 or an S3-compatible server (MinIO, Ceph, s3rver). Bodies over 8 MiB go up as a
 * multipart upload in 8 MiB parts (@aws-sdk/lib-storage); smaller ones as one PutObject. S3 makes an
 * object durable before it answers a put, so a resolved put is durable here too.
 *
 * Every failure is an ObjectStoreError naming the endpoint and bucket, never the credentials.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type ObjectStore, ObjectStoreError, type PutResult, validateObjectKey } from './object-store.ts';

export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3ObjectStoreOptions {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** Absent: the SDK's default chain (environment, profile, instance role). */
  readonly credentials?: S3Credentials;
  /** Default: path style for any endpoint not on amazonaws.com. */
  readonly forcePathStyle?: boolean;
  /** Attempts per request, first one included (default 3). */
  readonly maxAttempts?: number;
  /** Milliseconds to wait for a TCP connection (default 5000). */
  readonly connectionTimeoutMs?: number;
}

/** AWS's own endpoints take virtual-host-style addressing; S3-compatible servers want path style. */
export const isAwsEndpoint = (endpoint: string): boolean =>
  /(^|\.)amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly errors?: readonly unknown[];
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** A short reason from an SDK or socket error (AggregateError from a refused connection has no message). */
function reasonOf(err: unknown): string {
  const e = (err ?? {}) as SdkError;
  const inner = e.errors?.[0] as SdkError | undefined;
  const code = e.code ?? inner?.code;
  const message = e.message || inner?.message || '';
  const status = e.$metadata?.httpStatusCode;
  const parts = [code ?? e.name, message, status ? `HTTP ${status}` : ''].filter((p) => p);
  return [...new Set(parts)].join(': ') || 'unknown error';
}

const statusOf = (err: unknown): number | undefined => (err as SdkError | null)?.$metadata?.httpStatusCode;
const nameOf = (err: unknown): string | undefined => (err as SdkError | null)?.name;

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  #closed = false;

  constructor(options: S3ObjectStoreOptions) {
    this.#bucket = options.bucket;
    this.location = `s3 ${options.endpoint} bucket ${options.bucket}`;
    const aws = isAwsEndpoint(options.endpoint);
    this.#client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? !aws,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5000 },
      // S3-compatible servers often reject or mangle the SDK's default flexible checksums.
      ...(aws
        ? {}
        : { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    });
  }

  #fail(action: string, err: unknown): ObjectStoreError {
    return new ObjectStoreError(`${this.location}: ${action} failed: ${reasonOf(err)}`, { cause: err });
  }

  #key(key: string): string {
    if (this.#closed) throw new ObjectStoreError(`${this.location} is closed`);
    return validateObjectKey(key);
  }

  /** Checks the endpoint answers and the bucket exists; throws an ObjectStoreError saying which failed. */
  async verify(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new ObjectStoreError(`${this.location}: the bucket does not exist`, { cause: err });
      }
      throw this.#fail('reaching the bucket', err);
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<PutResult> {
    const Key = this.#key(key);
    const params = { Bucket: this.#bucket, Key, Body: body, ContentType: contentType };
    try {
      if (body.length > MULTIPART_THRESHOLD) {
        const upload = new Upload({
          client: this.#client,
          params,
          partSize: PART_SIZE,
          queueSize: 4,
          leavePartsOnError: false,
        });
        const out = await upload.done();
        return { key, size: body.length, ...(out.ETag ? { etag: out.ETag } : {}) };
      }
      const out = await this.#client.send(new PutObjectCommand({ ...params, ContentLength: body.length }));
      return { key, size: body.length, ...(out.ETag ? { etag: out.ETag } : {}) };
    } catch (err) {
      throw this.#fail(`storing ${key}`, err);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const Key = this.#key(key);
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (nameOf(err) === 'NoSuchKey') return null;
      throw this.#fail(`reading ${key}`, err);
    }
  }

  async head(key: string): Promise<{ size: number } | null> {
    const Key = this.#key(key);
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key }));
      return { size: out.ContentLength ?? 0 };
    } catch (err) {
      if (nameOf(err) === 'NotFound' || nameOf(err) === 'NoSuchKey' || statusOf(err) === 404) return null;
      throw this.#fail(`reading ${key}`, err);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key }));
    } catch (err) {
      if (nameOf(err) === 'NoSuchKey') return;
      throw this.#fail(`deleting ${key}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.destroy();
  }
}
