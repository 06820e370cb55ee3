/**
 * Disabling a user without ever leaving the engine with no enabled admin: only an admin can manage
 * users, so disabling the last one would lock everybody out of user management for good. One
 * transaction that locks the enabled admins' rows, so two admins disabling each other at the same
 * moment cannot both succeed (the second sees the first's change once it gets the locks).
 */
import type { SqlClient } from '../db/sql.ts';
import { normalizeUsername } from './users.ts';

export type DisableOutcome = 'disabled' | 'not-found' | 'last-admin';

export async function disableUserKeepingAnAdmin(db: SqlClient, username: string): Promise<DisableOutcome> {
  const name = normalizeUsername(username);
  return db.transaction(async (tx) => {
    const admins = await tx.query<{ username: string }>(
      `SELECT username FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`,
    );
    const target = await tx.query<{ role: string; disabled: boolean }>(
      'SELECT role, disabled FROM users WHERE username = $1 FOR UPDATE',
      [name],
    );
    const user = target.rows[0];
    if (!user) return 'not-found';
    const enabledAdmins = admins.rows.map((r) => r.username);
    if (enabledAdmins.length === 1 && enabledAdmins[0] === name) return 'last-admin';
    await tx.query('UPDATE users SET disabled = true WHERE username = $1', [name]);
    return 'disabled';
  });
}
