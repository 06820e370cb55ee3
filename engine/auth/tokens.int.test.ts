import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { ApiTokenStore } from './api-tokens.ts';
import { RefreshTokenStore } from './refresh-tokens.ts';
import { hashSecret } from './secrets.ts';

const HOUR = 3_600_000;

for (const target of await testDatabases()) {
  describe(`refresh and API tokens on ${target.name}`, () => {
    let handle: TestDbHandle;
    let refresh: RefreshTokenStore;
    let apiTokens: ApiTokenStore;
    let userId: string;

    beforeAll(async () => {
      handle = await target.open();
      refresh = new RefreshTokenStore(handle.db, 12 * HOUR);
      apiTokens = new ApiTokenStore(handle.db);
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await handle.db.exec('TRUNCATE users, api_tokens, refresh_tokens RESTART IDENTITY CASCADE');
      // Token tests need a user row, not a real password: skip argon2 to stay fast.
      const { rows } = await handle.db.query<{ id: string }>(
        `INSERT INTO users (username, password_hash, role) VALUES ('lab-system', 'x', 'operator') RETURNING id::text AS id`,
      );
      userId = rows[0]!.id;
    });

    it('rotates a refresh token: the new one works, the used one is revoked', async () => {
      const t0 = new Date('2026-03-01T08:00:00Z');
      const first = await refresh.issue(userId, t0);
      expect(first.expiresAt).toEqual(new Date(t0.getTime() + 12 * HOUR));
      const second = await refresh.rotate(first.token, new Date(t0.getTime() + HOUR));
      expect(second).toMatchObject({ userId, role: 'operator' });
      expect(second?.refresh.token).not.toBe(first.token);
      const third = await refresh.rotate(second!.refresh.token, new Date(t0.getTime() + 2 * HOUR));
      expect(third?.userId).toBe(userId);
    });

    it('treats reuse of a revoked refresh token as theft: fails and revokes the whole family', async () => {
      const first = await refresh.issue(userId);
      const second = await refresh.rotate(first.token);
      expect(second).not.toBeNull();
      expect(await refresh.rotate(first.token)).toBeNull();
      // The legitimate successor is revoked too: whoever holds it must log in again.
      expect(await refresh.rotate(second!.refresh.token)).toBeNull();
      const { rows } = await handle.db.query('SELECT id FROM refresh_tokens WHERE revoked_at IS NULL');
      expect(rows).toEqual([]);
    });

    it('refuses an expired, forged or malformed refresh token, or one of a disabled user', async () => {
      const t0 = new Date('2026-03-01T08:00:00Z');
      const expiring = await refresh.issue(userId, t0);
      expect(await refresh.rotate(expiring.token, new Date(t0.getTime() + 12 * HOUR))).toBeNull();
      const live = await refresh.issue(userId);
      const forged = live.token.slice(0, -4) + (live.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expect(await refresh.rotate(forged)).toBeNull();
      expect(await refresh.rotate('sbr_nonsense')).toBeNull();
      await handle.db.query('UPDATE users SET disabled = true WHERE id = $1', [userId]);
      expect(await refresh.rotate(live.token)).toBeNull();
      await handle.db.query('UPDATE users SET disabled = false WHERE id = $1', [userId]);
      expect(await refresh.rotate(live.token)).not.toBeNull();
      // The expired one and the successor of `live`.
      expect(await refresh.revokeAll(userId)).toBe(2);
    });

    it('creates an API token shown once, storing only the SHA-256 of its secret', async () => {
      const created = await apiTokens.create(userId, 'LIS feed');
      expect(created.token).toMatch(new RegExp(`^sb_${created.id}_[A-Za-z0-9_-]{43}$`));
      const secret = created.token.slice(`sb_${created.id}_`.length);
      const { rows } = await handle.db.query<Record<string, unknown>>('SELECT * FROM api_tokens');
      expect(rows).toHaveLength(1);
      expect(Buffer.from(rows[0]!.secret_hash as Uint8Array)).toEqual(hashSecret(secret));
      expect(JSON.stringify(rows[0])).not.toContain(secret);
      expect(await apiTokens.verify(created.token)).toEqual({
        tokenId: created.id,
        userId,
        username: 'lab-system',
        role: 'operator',
      });
      expect((await apiTokens.list(userId))[0]).toMatchObject({ id: created.id, name: 'LIS feed' });
      expect((await apiTokens.list(userId))[0]?.lastUsedAt).toBeInstanceOf(Date);
    });

    it('stops verifying an API token once revoked, expired, or its user disabled', async () => {
      const t0 = new Date('2026-03-01T08:00:00Z');
      const revocable = await apiTokens.create(userId, 'one');
      expect(await apiTokens.revoke(revocable.id)).toBe(true);
      expect(await apiTokens.revoke(revocable.id)).toBe(false);
      expect(await apiTokens.verify(revocable.token)).toBeNull();

      const expiring = await apiTokens.create(userId, 'two', new Date(t0.getTime() + HOUR));
      expect(await apiTokens.verify(expiring.token, t0)).not.toBeNull();
      expect(await apiTokens.verify(expiring.token, new Date(t0.getTime() + HOUR))).toBeNull();

      const forever = await apiTokens.create(userId, 'three');
      await handle.db.query('UPDATE users SET disabled = true WHERE id = $1', [userId]);
      expect(await apiTokens.verify(forever.token)).toBeNull();
    });

    it('refuses a wrong secret for a real id, and malformed tokens', async () => {
      const created = await apiTokens.create(userId, 'x');
      const other = await apiTokens.create(userId, 'y');
      const mixed = `sb_${created.id}_${other.token.slice(`sb_${other.id}_`.length)}`;
      expect(await apiTokens.verify(mixed)).toBeNull();
      expect(await apiTokens.verify('Bearer nonsense')).toBeNull();
      await expect(apiTokens.create(userId, '  ')).rejects.toThrow(/needs a name/);
    });
  });
}
