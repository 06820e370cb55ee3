import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { ensureFirstAdmin } from './bootstrap.ts';
import type * as PasswordModule from './password.ts';
import { dummyHash, PasswordPolicyError, verifyPassword } from './password.ts';
import { UsernameTakenError, UserStore } from './users.ts';

// Spy on the verify so the test can see an unknown user still costs one argon2 verify.
vi.mock('./password.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof PasswordModule>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

const PASSWORD = 'correct horse battery';
const MINUTE = 60_000;

for (const target of await testDatabases()) {
  describe(`UserStore on ${target.name}`, () => {
    let handle: TestDbHandle;
    let users: UserStore;

    beforeAll(async () => {
      handle = await target.open();
      users = new UserStore(handle.db, { maxFailures: 5, lockoutMs: 15 * MINUTE });
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await handle.db.exec('TRUNCATE users, api_tokens, refresh_tokens RESTART IDENTITY CASCADE');
      vi.mocked(verifyPassword).mockClear();
    });

    it('creates a user (lower-case name, argon2id hash) and authenticates it, case-insensitively', async () => {
      const created = await users.create({ username: 'Alice', password: PASSWORD, role: 'analyst' });
      expect(created).toMatchObject({ username: 'alice', role: 'analyst', disabled: false, failedLogins: 0 });
      const { rows } = await handle.db.query<{ password_hash: string }>('SELECT password_hash FROM users');
      expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
      expect(rows[0]?.password_hash).not.toContain(PASSWORD);

      const now = new Date('2026-03-01T08:00:00Z');
      const result = await users.authenticate('ALICE', PASSWORD, now);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.user).toMatchObject({ id: created.id, role: 'analyst', lastLoginAt: now });
      expect(await users.authenticate('alice', 'wrong password!!', now)).toEqual({
        ok: false,
        reason: 'bad-password',
      });
      expect((await users.list()).map((u) => [u.username, u.failedLogins])).toEqual([['alice', 1]]);
    });

    it('refuses short passwords, duplicate names (any case), bad names and roles', async () => {
      await expect(users.create({ username: 'bob', password: 'short', role: 'viewer' })).rejects.toThrow(
        PasswordPolicyError,
      );
      await expect(
        users.create({ username: 'bob', password: 'elevenchars', role: 'viewer' }),
      ).rejects.toThrow(/at least 12 characters/);
      await users.create({ username: 'bob', password: PASSWORD, role: 'viewer' });
      await expect(users.create({ username: 'BOB', password: PASSWORD, role: 'admin' })).rejects.toThrow(
        UsernameTakenError,
      );
      await expect(users.create({ username: 'a b', password: PASSWORD, role: 'viewer' })).rejects.toThrow(
        RangeError,
      );
      await expect(
        users.create({ username: 'carol', password: PASSWORD, role: 'root' as 'admin' }),
      ).rejects.toThrow(/unknown role/);
      expect((await users.list()).map((u) => u.username)).toEqual(['bob']);
    });

    it('locks after 5 consecutive failures for the window, then resets on success', async () => {
      await users.create({ username: 'dave', password: PASSWORD, role: 'operator' });
      const t0 = new Date('2026-03-01T08:00:00Z');
      for (let i = 0; i < 5; i++) {
        expect(await users.authenticate('dave', `wrong password ${i}`, t0)).toEqual({
          ok: false,
          reason: 'bad-password',
        });
      }
      const locked = await users.get('dave');
      expect(locked?.lockedUntil).toEqual(new Date(t0.getTime() + 15 * MINUTE));
      // The right password does not get in while locked.
      expect(await users.authenticate('dave', PASSWORD, new Date(t0.getTime() + 14 * MINUTE))).toEqual({
        ok: false,
        reason: 'locked',
      });
      const after = await users.authenticate('dave', PASSWORD, new Date(t0.getTime() + 15 * MINUTE));
      expect(after.ok).toBe(true);
      expect(await users.get('dave')).toMatchObject({ failedLogins: 0, lockedUntil: null });
    });

    it('counts only consecutive failures: a success in between resets the count', async () => {
      await users.create({ username: 'erin', password: PASSWORD, role: 'viewer' });
      const now = new Date('2026-03-01T08:00:00Z');
      for (let i = 0; i < 4; i++) await users.authenticate('erin', 'wrong password!!', now);
      expect((await users.get('erin'))?.failedLogins).toBe(4);
      expect((await users.authenticate('erin', PASSWORD, now)).ok).toBe(true);
      expect(await users.authenticate('erin', 'wrong password!!', now)).toEqual({
        ok: false,
        reason: 'bad-password',
      });
      expect(await users.get('erin')).toMatchObject({ failedLogins: 1, lockedUntil: null });
    });

    it('refuses a disabled user even with the right password; setPassword changes it', async () => {
      await users.create({ username: 'frank', password: PASSWORD, role: 'analyst' });
      expect(await users.disable('FRANK')).toBe(true);
      expect(await users.disable('nobody')).toBe(false);
      expect(await users.authenticate('frank', PASSWORD)).toEqual({ ok: false, reason: 'disabled' });
      expect(await users.enable('frank')).toBe(true);
      expect(await users.setPassword('frank', 'another long password')).toBe(true);
      expect(await users.authenticate('frank', PASSWORD)).toEqual({ ok: false, reason: 'bad-password' });
      expect((await users.authenticate('frank', 'another long password')).ok).toBe(true);
      await expect(users.setPassword('frank', 'short')).rejects.toThrow(PasswordPolicyError);
    });

    it('answers unknown for an unknown user after verifying against the dummy hash', async () => {
      const dummy = await dummyHash();
      vi.mocked(verifyPassword).mockClear();
      expect(await users.authenticate('ghost', PASSWORD)).toEqual({ ok: false, reason: 'unknown' });
      expect(vi.mocked(verifyPassword).mock.calls).toEqual([[dummy, PASSWORD]]);
    });

    it('bootstraps the first admin from SWITCHBOARD_ADMIN_PASSWORD, once', async () => {
      const env = { SWITCHBOARD_ADMIN_PASSWORD: 'admin password from env' };
      expect(await ensureFirstAdmin(users, env)).toEqual({ created: true, generatedPassword: null });
      expect(await ensureFirstAdmin(users, env)).toEqual({ created: false, generatedPassword: null });
      expect((await users.list()).map((u) => [u.username, u.role])).toEqual([['admin', 'admin']]);
      expect((await users.authenticate('admin', 'admin password from env')).ok).toBe(true);
    });

    it('bootstraps the first admin with a generated password, returned once', async () => {
      const first = await ensureFirstAdmin(users, {});
      expect(first.created).toBe(true);
      expect(first.generatedPassword?.length).toBeGreaterThanOrEqual(24);
      expect((await users.authenticate('admin', first.generatedPassword ?? '')).ok).toBe(true);
      expect(await ensureFirstAdmin(users, {})).toEqual({ created: false, generatedPassword: null });
    });

    it('creates no admin when users already exist, and refuses a weak env password', async () => {
      await expect(ensureFirstAdmin(users, { SWITCHBOARD_ADMIN_PASSWORD: 'weak' })).rejects.toThrow(
        PasswordPolicyError,
      );
      await users.create({ username: 'someone', password: PASSWORD, role: 'viewer' });
      expect(await ensureFirstAdmin(users, {})).toEqual({ created: false, generatedPassword: null });
      expect(await users.get('admin')).toBeNull();
    });
  });
}
