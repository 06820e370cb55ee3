/**
 * Long-lived, revocable API tokens for systems, `sb_<id>_<secret>`: the id is the public lookup key
 * (safe to log and to name in `switchboard tokens revoke`), and only SHA-256 of the secret is stored
 * (secrets.ts says why a fast hash is right). The full token is returned once, at creation.
 */
import type { SqlClient } from '../db/sql.ts';
import { isRole, type Role } from './roles.ts';
import { hashSecret, newOpaqueToken, parseOpaqueToken, sameHash } from './secrets.ts';

const PREFIX = 'sb';

export interface CreatedApiToken {
  readonly id: string;
  /** The only time the secret exists outside the holder's hands. */
  readonly token: string;
  readonly expiresAt: Date | null;
}

export interface ApiTokenInfo {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface ApiTokenPrincipal {
  readonly tokenId: string;
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, user_id::text AS user_id, name, created_at, expires_at, revoked_at, last_used_at';

export class ApiTokenStore {
  private readonly db: SqlClient;

  constructor(db: SqlClient) {
    this.db = db;
  }

  async create(userId: string, name: string, expiresAt: Date | null = null): Promise<CreatedApiToken> {
    if (name.trim() === '') throw new RangeError('an API token needs a name (what system holds it)');
    const t = newOpaqueToken(PREFIX);
    await this.db.query(
      'INSERT INTO api_tokens (id, user_id, name, secret_hash, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [t.id, userId, name.trim(), hashSecret(t.secret), expiresAt],
    );
    return { id: t.id, token: t.token, expiresAt };
  }

  /** Null when malformed, unknown, wrong secret, revoked, expired, or the user is disabled. */
  async verify(token: string, now: Date = new Date()): Promise<ApiTokenPrincipal | null> {
    const parsed = parseOpaqueToken(PREFIX, token);
    if (!parsed) return null;
    const { rows } = await this.db.query<{
      secret_hash: Buffer;
      user_id: string;
      username: string;
      role: string;
      disabled: boolean;
      expires_at: Date | null;
      revoked_at: Date | null;
    }>(
      `SELECT t.secret_hash, t.user_id::text AS user_id, u.username, u.role, u.disabled, t.expires_at, t.revoked_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`,
      [parsed.id],
    );
    const row = rows[0];
    if (!row || !sameHash(new Uint8Array(row.secret_hash), hashSecret(parsed.secret))) return null;
    if (row.revoked_at !== null || row.disabled || !isRole(row.role)) return null;
    if (row.expires_at !== null && row.expires_at <= now) return null;
    // Once a minute at most: a busy system calling many times a second should not write a row each time.
    await this.db.query(
      `UPDATE api_tokens SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
      [parsed.id, now],
    );
    return { tokenId: parsed.id, userId: row.user_id, username: row.username, role: row.role };
  }

  /** False when there is no such token or it was already revoked. */
  async revoke(id: string, now: Date = new Date()): Promise<boolean> {
    const { affectedRows } = await this.db.query(
      'UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, now],
    );
    return affectedRows === 1;
  }

  async list(userId?: string): Promise<ApiTokenInfo[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE ($1::bigint IS NULL OR user_id = $1::bigint) ORDER BY created_at, id`,
      [userId ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      name: r.name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      lastUsedAt: r.last_used_at,
    }));
  }
}
