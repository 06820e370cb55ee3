/**
 * Admin routes over real HTTP against a real engine: creating users and signing in as them, disabling
 * (refresh stops working) and enabling, the last-admin guard, API tokens working as bearer tokens
 * until revoked, and reading the audit log with filters and cursor paging (itself audited).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startApiEngine, TEST_PASSWORD, type ApiFixture } from '../support/api.ts';
import { testDatabases } from '../support/databases.ts';

interface UserBody {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
}
interface AuditItem {
  seq: string;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

for (const target of await testDatabases())
  describe(`admin routes (${target.name})`, () => {
    let f: ApiFixture;
    beforeAll(async () => {
      f = await startApiEngine({ database: target.name });
    }, 60_000);
    afterAll(async () => f?.stop());

    const admin = () => f.tokens.admin;

    it('creates a user who can then sign in; never returns password hashes', async () => {
      const res = await f.call<UserBody>('POST', '/api/users', {
        token: admin(),
        json: { username: 'New.Analyst', password: TEST_PASSWORD, role: 'analyst' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ username: 'new.analyst', role: 'analyst', disabled: false });
      expect(res.text).not.toMatch(/argon2|hash/i);
      const token = await signIn(f.baseUrl, 'new.analyst', TEST_PASSWORD);
      const me = await f.call('GET', '/api/auth/me', { token });
      expect(me.body).toMatchObject({ actor: 'new.analyst', role: 'analyst' });

      const listed = await f.call<{ users: UserBody[] }>('GET', '/api/users', { token: admin() });
      expect(listed.status).toBe(200);
      expect(listed.body.users.map((u) => u.username)).toEqual(
        expect.arrayContaining(['admin', 'admin-user', 'new.analyst', 'viewer-user']),
      );
      expect(listed.text).not.toMatch(/argon2|password/i);

      const audit = await f.engine.audit.list({ action: 'user.change', target: 'user/new.analyst' });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: 'admin-user', detail: { op: 'create', role: 'analyst' } });
    });

    it('answers 400 with the policy message for a short password, 409 for a taken name', async () => {
      const weak = await f.call('POST', '/api/users', {
        token: admin(),
        json: { username: 'weakling', password: 'short', role: 'viewer' },
      });
      expect(weak.status).toBe(400);
      expect(weak.body.error.message).toMatch(/at least 12 characters/);
      const badName = await f.call('POST', '/api/users', {
        token: admin(),
        json: { username: 'has space', password: TEST_PASSWORD, role: 'viewer' },
      });
      expect(badName.status).toBe(400);
      const badRole = await f.call('POST', '/api/users', {
        token: admin(),
        json: { username: 'rolling', password: TEST_PASSWORD, role: 'superuser' },
      });
      expect(badRole.status).toBe(400);
      const taken = await f.call('POST', '/api/users', {
        token: admin(),
        json: { username: 'VIEWER-USER', password: TEST_PASSWORD, role: 'viewer' },
      });
      expect(taken.status).toBe(409);
    });

    it('disables a user (refresh and sign-in stop working) and enables them again', async () => {
      await f.call('POST', '/api/users', {
        token: admin(),
        json: { username: 'leaver', password: TEST_PASSWORD, role: 'operator' },
      });
      const pair = await f.call<{ refreshToken: string }>('POST', '/api/auth/token', {
        json: { username: 'leaver', password: TEST_PASSWORD },
      });
      expect(pair.status).toBe(200);

      const disabled = await f.call<UserBody>('POST', '/api/users/leaver/disable', { token: admin() });
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabled).toBe(true);
      const refresh = await f.call('POST', '/api/auth/refresh', {
        json: { refreshToken: pair.body.refreshToken },
      });
      expect(refresh.status).toBe(401);
      await expect(signIn(f.baseUrl, 'leaver', TEST_PASSWORD)).rejects.toThrow(/401/);

      const enabled = await f.call<UserBody>('POST', '/api/users/LEAVER/enable', { token: admin() });
      expect(enabled.status).toBe(200);
      expect(enabled.body.disabled).toBe(false);
      await expect(signIn(f.baseUrl, 'leaver', TEST_PASSWORD)).resolves.toBeTypeOf('string');

      const ops = await f.engine.audit.list({ action: 'user.change', target: 'user/leaver' });
      expect(ops.map((r) => r.detail.op)).toEqual(['create', 'disable', 'enable']);
      expect((await f.call('POST', '/api/users/nobody/disable', { token: admin() })).status).toBe(404);
      expect((await f.call('POST', '/api/users/nobody/enable', { token: admin() })).status).toBe(404);
    });

    it('never disables the last enabled admin, even when two admins disable each other at once', async () => {
      // Admins now: "admin" (first start) and "admin-user". Leave only two enabled: admin-user and second.
      await f.call('POST', '/api/users', {
        token: admin(),
        json: { username: 'second-admin', password: TEST_PASSWORD, role: 'admin' },
      });
      expect((await f.call('POST', '/api/users/admin/disable', { token: admin() })).status).toBe(200);
      const second = await signIn(f.baseUrl, 'second-admin', TEST_PASSWORD);
      const [a, b] = await Promise.all([
        f.call('POST', '/api/users/second-admin/disable', { token: admin() }),
        f.call('POST', '/api/users/admin-user/disable', { token: second }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error.message).toMatch(/last enabled admin/);
      const users = (await f.call<{ users: UserBody[] }>('GET', '/api/users', { token: second })).body.users;
      expect(users.filter((u) => u.role === 'admin' && !u.disabled)).toHaveLength(1);

      // Put things back for the other tests: both admins enabled again (the access tokens still work).
      for (const name of ['admin', 'second-admin', 'admin-user']) {
        expect((await f.call('POST', `/api/users/${name}/enable`, { token: second })).status).toBe(200);
      }
    });

    it('issues an API token that works as a bearer token until revoked', async () => {
      const created = await f.call<{ id: string; token: string; username: string; expiresAt: string | null }>(
        'POST',
        '/api/tokens',
        { token: admin(), json: { username: 'viewer-user', name: 'dashboard' } },
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username: 'viewer-user', name: 'dashboard', expiresAt: null });
      expect(created.body.token).toMatch(/^sb_/);
      const bearer = created.body.token;
      const me = await f.call('GET', '/api/auth/me', { token: bearer });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ kind: 'api-token', role: 'viewer', actor: `token:${created.body.id}` });
      expect((await f.call('GET', '/api/channels', { token: bearer })).status).toBe(200);

      const listed = await f.call('GET', '/api/tokens?username=viewer-user', { token: admin() });
      expect(listed.status).toBe(200);
      expect(listed.body.tokens).toEqual([
        expect.objectContaining({
          id: created.body.id,
          username: 'viewer-user',
          name: 'dashboard',
          active: true,
        }),
      ]);
      const secret = bearer.slice(`sb_${created.body.id}_`.length);
      expect(secret).toHaveLength(43);
      expect(listed.text).not.toContain(secret);
      const all = await f.call('GET', '/api/tokens', { token: admin() });
      expect(all.body.tokens.map((t: { id: string }) => t.id)).toContain(created.body.id);

      const revoked = await f.call('DELETE', `/api/tokens/${created.body.id}`, { token: admin() });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: created.body.id, active: false });
      expect(Date.parse(revoked.body.revokedAt)).not.toBeNaN();
      expect((await f.call('GET', '/api/auth/me', { token: bearer })).status).toBe(401);
      expect((await f.call('DELETE', '/api/tokens/sb-no-such-token', { token: admin() })).status).toBe(404);

      const audit = await f.engine.audit.list({ action: 'token.change', target: `token/${created.body.id}` });
      expect(audit.map((r) => r.detail.op)).toEqual(['create', 'revoke']);
    });

    it('refuses tokens for unknown users and expiry dates in the past; honours a future expiry', async () => {
      const unknown = await f.call('POST', '/api/tokens', {
        token: admin(),
        json: { username: 'ghost', name: 'x' },
      });
      expect(unknown.status).toBe(404);
      const past = await f.call('POST', '/api/tokens', {
        token: admin(),
        json: { username: 'viewer-user', name: 'old', expiresAt: '2020-01-01T00:00:00Z' },
      });
      expect(past.status).toBe(400);
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const future = await f.call('POST', '/api/tokens', {
        token: admin(),
        json: { username: 'viewer-user', name: 'day', expiresAt },
      });
      expect(future.status).toBe(201);
      expect(future.body.expiresAt).toBe(expiresAt);
      expect((await f.call('GET', '/api/tokens?username=ghost', { token: admin() })).status).toBe(404);
    });

    it('filters the audit log and pages through it with the cursor, both ways', async () => {
      for (let i = 0; i < 5; i++) {
        await f.call('POST', '/api/users', {
          token: admin(),
          json: { username: `pager-${i}`, password: TEST_PASSWORD, role: 'viewer' },
        });
      }
      const all = await f.engine.audit.list({ action: 'user.change', limit: 1000 });
      expect(all.length).toBeGreaterThanOrEqual(5);

      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const q: string = `action=user.change&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
          const page: { status: number; body: AuditPage } = await f.call<AuditPage>(
            'GET',
            `/api/audit?${q}`,
            {
              token: admin(),
            },
          );
          expect(page.status).toBe(200);
          expect(page.body.items.every((r) => r.action === 'user.change')).toBe(true);
          seen.push(...page.body.items.map((r) => r.seq));
          cursor = page.body.nextCursor;
          pages += 1;
        } while (cursor !== null && pages < 100);
        const expected = all.map((r) => r.seq);
        expect(seen).toEqual(order === 'asc' ? expected : [...expected].reverse());
        expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 2));
      }

      const byTarget = await f.call<AuditPage>('GET', '/api/audit?target=user/pager-3', { token: admin() });
      expect(byTarget.body.items).toEqual([
        expect.objectContaining({ actor: 'admin-user', target: 'user/pager-3' }),
      ]);
      const byActor = await f.call<AuditPage>('GET', '/api/audit?actor=second-admin&action=user.change', {
        token: admin(),
      });
      expect(byActor.body.items.length).toBeGreaterThanOrEqual(1);
      expect(byActor.body.items.every((r) => r.actor === 'second-admin')).toBe(true);

      const future = new Date(Date.now() + 3600_000).toISOString();
      const none = await f.call<AuditPage>('GET', `/api/audit?from=${encodeURIComponent(future)}`, {
        token: admin(),
      });
      expect(none.body).toEqual({ items: [], nextCursor: null });
      const past = await f.call<AuditPage>(
        'GET',
        `/api/audit?action=user.change&to=${encodeURIComponent(future)}&limit=1000`,
        { token: admin() },
      );
      expect(past.body.items).toHaveLength(all.length);

      for (const bad of ['action=nope', 'limit=0', 'cursor=abc', 'from=yesterday', 'order=sideways']) {
        expect((await f.call('GET', `/api/audit?${bad}`, { token: admin() })).status, bad).toBe(400);
      }
    });

    it('records each read of the audit log, without the read showing in its own page', async () => {
      const page = await f.call<AuditPage>('GET', '/api/audit?action=audit.read&order=desc&limit=1', {
        token: admin(),
      });
      const reads = await f.engine.audit.list({ action: 'audit.read', order: 'desc', limit: 1 });
      expect(reads[0]).toMatchObject({
        actor: 'admin-user',
        detail: { action: 'audit.read', order: 'desc', returned: 1 },
      });
      expect(page.body.items[0]!.seq).not.toBe(reads[0]!.seq);
      expect(BigInt(page.body.items[0]!.seq)).toBeLessThan(BigInt(reads[0]!.seq));
    });
  });
