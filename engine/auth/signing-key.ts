/**
 * The HS256 key for access tokens: SWITCHBOARD_JWT_SECRET when set (several nodes must share it),
 * else 32 random bytes kept in <dataDir>/jwt.key, readable by the engine's user only.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_BYTES = 32;
const MIN_SECRET_LENGTH = 32;

export async function loadOrCreateSigningKey(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Uint8Array> {
  const secret = env.SWITCHBOARD_JWT_SECRET;
  if (secret !== undefined && secret !== '') {
    // RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output (256 bits).
    if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_LENGTH) {
      throw new RangeError(`SWITCHBOARD_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} bytes`);
    }
    return new Uint8Array(Buffer.from(secret, 'utf8'));
  }
  const file = path.join(dataDir, 'jwt.key');
  try {
    // 'wx' fails if the file exists: two nodes starting at once both end up reading the one winner.
    const key = randomBytes(KEY_BYTES);
    await writeFile(file, key, { mode: 0o600, flag: 'wx' });
    return new Uint8Array(key);
  } catch (err) {
    if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = await readFile(file);
  if (key.length !== KEY_BYTES) {
    throw new Error(`${file} must hold exactly ${KEY_BYTES} bytes (delete it to make a new key)`);
  }
  return new Uint8Array(key);
}
