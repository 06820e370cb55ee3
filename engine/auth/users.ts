/**
 * UserStore over the SQL port (schema in engine/db/migrations/004_users.sql). Lock-out state is on the
 * row and changed by single conditional statements, so engine nodes sharing one database agree on it.
 */
import type { SqlClient } from '../db/sql.ts';
import { checkPasswordPolicy, dummyHash, hashPassword, verifyPassword } from './password.ts';
import { isRole, type Role } from './roles.ts';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly failedLogins: number;
  readonly lockedUntil: Date | null;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
}

/**
 * Why a login failed, for logs and the audit trail. An HTTP answer must not tell these apart (one 401
 * for all), or it would reveal which usernames exist.
 */
export type AuthFailure = 'unknown' | 'bad-password' | 'locked' | 'disabled';
export type AuthResult = { ok: true; user: User } | { ok: false; reason: AuthFailure };

export interface LockoutPolicy {
  /** Consecutive failures that lock the account. */
  readonly maxFailures: number;
  readonly lockoutMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockoutMs: 15 * 60_000 };

export class UsernameTakenError extends Error {
  override readonly name = 'UsernameTakenError';
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** Usernames are case-insensitive: stored and looked up lower-case. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new RangeError(
      `username must be 1-64 characters of a-z, 0-9, '.', '_', '@', '-', starting with a letter or digit: ${JSON.stringify(username)}`,
    );
  }
}

interface UserRow {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
  failed_logins: number;
  locked_until: Date | null;
  created_at: Date;
  last_login_at: Date | null;
}

const COLUMNS =
  'id::text AS id, username, role, disabled, failed_logins, locked_until, created_at, last_login_at';

function toUser(row: UserRow): User {
  if (!isRole(row.role)) throw new Error(`user ${row.username} has an unknown role ${row.role}`);
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export class UserStore {
  private readonly db: SqlClient;
  private readonly lockout: LockoutPolicy;

  constructor(db: SqlClient, lockout: LockoutPolicy = DEFAULT_LOCKOUT) {
    this.db = db;
    this.lockout = lockout;
  }

  /** Throws PasswordPolicyError, UsernameTakenError, or RangeError for a bad username or role. */
  async create(input: NewUser): Promise<User> {
    const username = normalizeUsername(input.username);
    checkUsername(username);
    if (!isRole(input.role)) throw new RangeError(`unknown role ${String(input.role)}`);
    checkPasswordPolicy(input.password);
    const passwordHash = await hashPassword(input.password);
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)
       ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
      [username, passwordHash, input.role],
    );
    if (!rows[0]) throw new UsernameTakenError(`username ${username} is taken`);
    return toUser(rows[0]);
  }

  async list(): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return rows[0]?.n ?? 0;
  }

  async get(username: string): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [
      normalizeUsername(username),
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async getById(id: string): Promise<User | null> {
    if (!/^[0-9]{1,18}$/.test(id)) return null;
    const { rows } = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** False when there is no such user. Tokens of a disabled user stop verifying at once. */
  async disable(username: string): Promise<boolean> {
    return this.setDisabled(username, true);
  }

  async enable(username: string): Promise<boolean> {
    return this.setDisabled(username, false);
  }

  /** Also lifts a lock-out: an admin resetting a password is the way out of one. */
  async setPassword(username: string, password: string): Promise<boolean> {
    checkPasswordPolicy(password);
    const passwordHash = await hashPassword(password);
    const { affectedRows } = await this.db.query(
      `UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE username = $1`,
      [normalizeUsername(username), passwordHash],
    );
    return affectedRows === 1;
  }

  /**
   * Exactly one argon2 verify per call, against the dummy hash when the user is unknown, disabled or
   * locked, so timing does not reveal which. Failures while locked are not counted: they would let
   * anyone keep an account locked for ever by extending the window.
   */
  async authenticate(username: string, password: string, now: Date = new Date()): Promise<AuthResult> {
    const { rows } = await this.db.query<UserRow & { password_hash: string }>(
      `SELECT ${COLUMNS}, password_hash FROM users WHERE username = $1`,
      [normalizeUsername(username)],
    );
    const row = rows[0];
    const blocked: AuthFailure | null = !row
      ? 'unknown'
      : row.disabled
        ? 'disabled'
        : row.locked_until !== null && row.locked_until > now
          ? 'locked'
          : null;
    if (!row || blocked) {
      await verifyPassword(await dummyHash(), password);
      return { ok: false, reason: blocked ?? 'unknown' };
    }
    if (!(await verifyPassword(row.password_hash, password))) {
      await this.recordFailure(row.id, now);
      return { ok: false, reason: 'bad-password' };
    }
    // Conditional on still usable: a concurrent lock-out or disable between the SELECT and here wins.
    const updated = await this.db.query<UserRow>(
      `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2
       WHERE id = $1 AND NOT disabled AND (locked_until IS NULL OR locked_until <= $2)
       RETURNING ${COLUMNS}`,
      [row.id, now],
    );
    if (!updated.rows[0]) return { ok: false, reason: 'locked' };
    return { ok: true, user: toUser(updated.rows[0]) };
  }

  /** The count restarts at zero once it locks, so after the window the user has a full set of tries. */
  private async recordFailure(id: string, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE users SET
         failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
       WHERE id = $1`,
      [id, this.lockout.maxFailures, new Date(now.getTime() + this.lockout.lockoutMs)],
    );
  }

  private async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    const { affectedRows } = await this.db.query('UPDATE users SET disabled = $2 WHERE username = $1', [
      normalizeUsername(username),
      disabled,
    ]);
    return affectedRows === 1;
  }
}
