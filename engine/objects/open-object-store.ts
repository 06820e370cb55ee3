/**
 * Chooses and opens the ObjectStore from the environment: S3 when S3_ENDPOINT and S3_BUCKET are set,
 * else the folder `<dataDir>/objects`. Half a configuration is an error naming the missing variable,
 * never a silent fall-back to the folder. The S3 store is checked (endpoint answers, bucket exists)
 * before it is handed out, so a wrong setting stops the engine at start, not at the first C-STORE.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FolderObjectStore } from './folder-object-store.ts';
import { type ObjectStore, ObjectStoreError } from './object-store.ts';
import { S3ObjectStore, type S3Credentials, type S3ObjectStoreOptions } from './s3-object-store.ts';

export type ObjectStoreEnv = Readonly<Record<string, string | undefined>>;

export interface OpenObjectStoreOptions {
  /** Engine data folder; null (in-memory engine) = a scratch folder removed on close. */
  readonly dataDir: string | null;
  readonly env: ObjectStoreEnv;
}

export type ObjectStoreConfig =
  { readonly kind: 'folder' } | { readonly kind: 's3'; readonly s3: S3ObjectStoreOptions };

const DEFAULT_REGION = 'us-east-1';

/** Configuration problems are thrown as ObjectStoreError. */
const problem = (message: string): ObjectStoreError => new ObjectStoreError(message);

const setting = (env: ObjectStoreEnv, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

function credentialsFrom(env: ObjectStoreEnv): S3Credentials | undefined {
  const accessKeyId = setting(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = setting(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = setting(env, 'AWS_SESSION_TOKEN');
  if (!accessKeyId && !secretAccessKey) {
    if (sessionToken)
      throw problem('AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    return undefined;
  }
  if (!accessKeyId) throw problem('AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not');
  if (!secretAccessKey) throw problem('AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Reads the object store settings from `env`; throws ObjectStoreError naming a bad or missing variable. */
export function objectStoreConfig(env: ObjectStoreEnv): ObjectStoreConfig {
  const endpoint = setting(env, 'S3_ENDPOINT');
  const bucket = setting(env, 'S3_BUCKET');
  if (!endpoint && !bucket) return { kind: 'folder' };
  if (!endpoint) throw problem('S3_BUCKET is set but S3_ENDPOINT is not: set both to store objects in S3');
  if (!bucket) throw problem('S3_ENDPOINT is set but S3_BUCKET is not: set both to store objects in S3');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw problem(`S3_ENDPOINT ${JSON.stringify(endpoint)} is not a URL (e.g. http://127.0.0.1:9000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw problem(`S3_ENDPOINT must be an http:// or https:// URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw problem('S3_ENDPOINT must not carry credentials: use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw problem(`S3_BUCKET ${JSON.stringify(bucket)} is not a valid bucket name`);
  }
  const region = setting(env, 'S3_REGION') ?? setting(env, 'AWS_REGION') ?? DEFAULT_REGION;
  const credentials = credentialsFrom(env);
  return {
    kind: 's3',
    s3: {
      endpoint: url.origin + url.pathname.replace(/\/$/, ''),
      bucket,
      region,
      ...(credentials ? { credentials } : {}),
    },
  };
}

/** Opens the configured store: S3 (verified reachable) or the folder under `dataDir`. */
export async function openObjectStore(options: OpenObjectStoreOptions): Promise<ObjectStore> {
  const config = objectStoreConfig(options.env);
  if (config.kind === 's3') {
    const store = new S3ObjectStore(config.s3);
    try {
      await store.verify();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  if (options.dataDir === null) {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'switchboard-objects-'));
    return new FolderObjectStore({ root: scratch, removeOnClose: true }).open();
  }
  return new FolderObjectStore({ root: path.join(options.dataDir, 'objects') }).open();
}
