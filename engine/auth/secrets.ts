/**
 * Random opaque credentials (API and refresh tokens) and their stored form. Only SHA-256 of the secret
 * is kept: the secret is 32 random bytes, so a fast hash suffices (nothing to guess) and keeps every
 * API call cheap, where a password needs argon2.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface OpaqueToken {
  readonly id: string;
  readonly secret: string;
  /** What the holder presents: `<prefix>_<id>_<secret>`. */
  readonly token: string;
}

const ID_BYTES = 9;
const SECRET_BYTES = 32;

export function newOpaqueToken(prefix: string): OpaqueToken {
  // Hex ids never contain `_`, so the first `_` after the prefix always ends the id.
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret, token: `${prefix}_${id}_${secret}` };
}

export function parseOpaqueToken(prefix: string, token: string): { id: string; secret: string } | null {
  const match = new RegExp(`^${prefix}_([0-9a-f]{${ID_BYTES * 2}})_([A-Za-z0-9_-]{43})$`).exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
