/**
 * Opaque refresh tokens for the token refresh route, stored as SHA-256 of the secret (see secrets.ts).
 * Rotation: each token is good for one use, which revokes it and issues a successor. A revoked token
 * presented again means two parties hold copies (RFC 9700 section 4.14.2), so all of that user's
 * refresh tokens are revoked and everyone must log in again.
 */
import type { SqlClient } from '../db/sql.ts';
import { isRole, type Role } from './roles.ts';
import { hashSecret, newOpaqueToken, parseOpaqueToken, sameHash } from './secrets.ts';

export const REFRESH_TOKEN_TTL_MS = 12 * 3_600_000;
const PREFIX = 'sbr';

export interface IssuedRefreshToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface RotatedRefreshToken {
  readonly userId: string;
  readonly role: Role;
  readonly refresh: IssuedRefreshToken;
}

export class RefreshTokenStore {
  private readonly db: SqlClient;
  private readonly ttlMs: number;

  constructor(db: SqlClient, ttlMs: number = REFRESH_TOKEN_TTL_MS) {
    this.db = db;
    this.ttlMs = ttlMs;
  }

  async issue(userId: string, now: Date = new Date()): Promise<IssuedRefreshToken> {
    const t = newOpaqueToken(PREFIX);
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.db.query(
      'INSERT INTO refresh_tokens (id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [t.id, userId, hashSecret(t.secret), now, expiresAt],
    );
    return { token: t.token, expiresAt };
  }

  /** Null when the token is unknown, expired, revoked (reuse: see above) or its user is disabled. */
  async rotate(token: string, now: Date = new Date()): Promise<RotatedRefreshToken | null> {
    const parsed = parseOpaqueToken(PREFIX, token);
    if (!parsed) return null;
    const presented = hashSecret(parsed.secret);
    return this.db.transaction(async (tx) => {
      // FOR UPDATE: two concurrent uses of one token serialise here and the second sees it revoked.
      const { rows } = await tx.query<{
        user_id: string;
        secret_hash: Buffer;
        expires_at: Date;
        revoked_at: Date | null;
        role: string;
        disabled: boolean;
      }>(
        `SELECT r.user_id::text AS user_id, r.secret_hash, r.expires_at, r.revoked_at, u.role, u.disabled
         FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.id = $1 FOR UPDATE OF r`,
        [parsed.id],
      );
      const row = rows[0];
      if (!row || !sameHash(new Uint8Array(row.secret_hash), presented)) return null;
      if (row.revoked_at !== null) {
        await tx.query(
          'UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL',
          [row.user_id, now],
        );
        return null;
      }
      if (row.expires_at <= now || row.disabled || !isRole(row.role)) return null;
      await tx.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE id = $1', [parsed.id, now]);
      const next = newOpaqueToken(PREFIX);
      const expiresAt = new Date(now.getTime() + this.ttlMs);
      await tx.query(
        'INSERT INTO refresh_tokens (id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [next.id, row.user_id, hashSecret(next.secret), now, expiresAt],
      );
      return { userId: row.user_id, role: row.role, refresh: { token: next.token, expiresAt } };
    });
  }

  /** Logout everywhere (and after a password change): revokes every live refresh token of the user. */
  async revokeAll(userId: string, now: Date = new Date()): Promise<number> {
    const { affectedRows } = await this.db.query(
      'UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL',
      [userId, now],
    );
    return affectedRows;
  }
}
