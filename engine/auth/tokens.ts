/**
 * Short-lived bearer (access) tokens: HS256 JWTs signed with the engine's key (signing-key.ts).
 * Stateless by design, so they are short (15 minutes by default) and the refresh route, which does
 * check the database, is where a disabled user or revoked session is stopped.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { isRole, type Role } from './roles.ts';

export const ACCESS_TOKEN_TTL_SECONDS = 900;
const ISSUER = 'switchboard';

export interface AccessTokenSubject {
  readonly id: string;
  readonly role: Role;
  /** Carried so the audit trail names the person without a lookup per request. */
  readonly username?: string;
}

export interface AccessClaims {
  readonly userId: string;
  readonly role: Role;
  /** Null for tokens issued without one. */
  readonly username: string | null;
  readonly jti: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export async function issueAccessToken(
  user: AccessTokenSubject,
  key: Uint8Array,
  ttlSeconds: number = ACCESS_TOKEN_TTL_SECONDS,
  now: Date = new Date(),
): Promise<string> {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`bad token ttl ${ttlSeconds}`);
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: user.role, ...(user.username ? { name: user.username } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
}

/** Null for anything not valid now: bad signature, expired, another algorithm, missing claims. */
export async function verifyAccessToken(
  token: string,
  key: Uint8Array,
  now: Date = new Date(),
): Promise<AccessClaims | null> {
  try {
    // algorithms pinned: never accept `none` or a key-confusion downgrade.
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    const { sub, role, jti, iat, exp, name } = payload;
    if (typeof sub !== 'string' || !isRole(role) || typeof jti !== 'string') return null;
    if (typeof iat !== 'number' || typeof exp !== 'number') return null;
    const username = typeof name === 'string' ? name : null;
    return {
      userId: sub,
      role,
      username,
      jti,
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
    };
  } catch {
    return null;
  }
}
