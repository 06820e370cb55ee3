/**
 * Signing in over HTTP: tokens, refresh rotation, logout, lock-out, disabled users, and the audit rows
 * each leaves. Then the first admin: chosen by SWITCHBOARD_ADMIN_PASSWORD, or generated and printed
 * once by a real `switchboard start`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../engine/auth/tokens.ts';
import { startEngine } from '../../engine/engine.ts';
import { callApi, signIn, startApiEngine, TEST_PASSWORD, type ApiFixture } from '../support/api.ts';
import { startEngineProcess } from '../support/engine-process.ts';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  role: string;
}

describe('auth routes', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiEngine();
  }, 60_000);
  afterAll(async () => f?.stop());

  it('signs in, names the caller, and audits the login with the remote address', async () => {
    const res = await f.call<TokenPair>('POST', '/api/auth/token', {
      json: { username: 'Analyst-User', password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('analyst');
    expect(res.body.expiresIn).toBeGreaterThan(0);
    const me = await f.call('GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.body).toMatchObject({ actor: 'analyst-user', kind: 'user', role: 'analyst' });
    expect(me.body.permissions).toContain('channels.deploy');
    expect(me.body.permissions).not.toContain('users.manage');
    const logins = await f.engine.audit.list({ action: 'login', actor: 'analyst-user' });
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(logins.at(-1)).toMatchObject({ actorRole: 'analyst', remoteAddress: '127.0.0.1' });
  });

  it('answers every failed login alike and audits the reason', async () => {
    const wrong = await f.call('POST', '/api/auth/token', {
      json: { username: 'viewer-user', password: 'not the password' },
    });
    const unknown = await f.call('POST', '/api/auth/token', {
      json: { username: 'nobody-at-all', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    const failed = await f.engine.audit.list({ action: 'login.failed' });
    expect(failed.map((r) => [r.actor, r.detail.reason])).toEqual(
      expect.arrayContaining([
        ['viewer-user', 'bad-password'],
        ['nobody-at-all', 'unknown'],
      ]),
    );
  });

  it('rejects a malformed sign-in body with 400', async () => {
    const res = await f.call('POST', '/api/auth/token', { json: { username: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad-request');
  });

  it('locks an account after repeated failures, even for the right password', async () => {
    await f.engine.users.create({ username: 'lock-me', password: TEST_PASSWORD, role: 'viewer' });
    for (let i = 0; i < 5; i++) {
      const r = await f.call('POST', '/api/auth/token', {
        json: { username: 'lock-me', password: 'wrong!' },
      });
      expect(r.status).toBe(401);
    }
    const right = await f.call('POST', '/api/auth/token', {
      json: { username: 'lock-me', password: TEST_PASSWORD },
    });
    expect(right.status).toBe(401);
    const failed = await f.engine.audit.list({ action: 'login.failed', actor: 'lock-me' });
    expect(failed.at(-1)?.detail.reason).toBe('locked');
  });

  it('rotates refresh tokens once, and a reused one is refused', async () => {
    const first = await f.call<TokenPair>('POST', '/api/auth/token', {
      json: { username: 'operator-user', password: TEST_PASSWORD },
    });
    const refreshed = await f.call<TokenPair>('POST', '/api/auth/refresh', {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(first.body.refreshToken);
    const me = await f.call('GET', '/api/auth/me', { token: refreshed.body.accessToken });
    expect(me.body.actor).toBe('operator-user');
    const reused = await f.call('POST', '/api/auth/refresh', {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(reused.status).toBe(401);
  });

  it('logout revokes the refresh tokens; a disabled user cannot refresh', async () => {
    await f.engine.users.create({ username: 'leaver', password: TEST_PASSWORD, role: 'operator' });
    const a = await f.call<TokenPair>('POST', '/api/auth/token', {
      json: { username: 'leaver', password: TEST_PASSWORD },
    });
    const b = await f.call<TokenPair>('POST', '/api/auth/token', {
      json: { username: 'leaver', password: TEST_PASSWORD },
    });
    const out = await f.call('POST', '/api/auth/logout', { token: a.body.accessToken });
    expect(out.body.revoked).toBe(2);
    expect(
      (await f.call('POST', '/api/auth/refresh', { json: { refreshToken: b.body.refreshToken } })).status,
    ).toBe(401);
    const c = await f.call<TokenPair>('POST', '/api/auth/token', {
      json: { username: 'leaver', password: TEST_PASSWORD },
    });
    await f.engine.users.disable('leaver');
    expect(
      (await f.call('POST', '/api/auth/refresh', { json: { refreshToken: c.body.refreshToken } })).status,
    ).toBe(401);
    expect((await f.engine.audit.list({ action: 'logout', actor: 'leaver' })).length).toBe(1);
  });

  it('refuses expired tokens, tokens signed with another key, and non-bearer schemes', async () => {
    const user = (await f.engine.users.get('admin-user'))!;
    const realKey = new Uint8Array(await readFile(path.join(f.dir, 'data', 'jwt.key')));
    const expired = await issueAccessToken(
      { id: user.id, role: 'admin', username: user.username },
      realKey,
      60,
      new Date(Date.now() - 3_600_000),
    );
    const otherKey = await issueAccessToken({ id: user.id, role: 'admin' }, new Uint8Array(32).fill(7));
    const good = await issueAccessToken({ id: user.id, role: 'admin', username: user.username }, realKey);
    expect((await f.call('GET', '/api/auth/me', { token: good })).status).toBe(200);
    expect((await f.call('GET', '/api/auth/me', { token: expired })).status).toBe(401);
    expect((await f.call('GET', '/api/auth/me', { token: otherKey })).status).toBe(401);
    const basic = await f.call('GET', '/api/auth/me', { headers: { authorization: `Basic ${good}` } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('first admin', () => {
  it('takes SWITCHBOARD_ADMIN_PASSWORD, and is created only once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-admin-'));
    const overrides = {
      dataDir: path.join(dir, 'data'),
      mllpPort: 0,
      httpPort: 0,
      dicomPort: 0,
      silent: true,
    };
    const env = {
      SWITCHBOARD_BIND_ADDRESS: '127.0.0.1',
      SWITCHBOARD_ADMIN_PASSWORD: 'chosen by the installer',
    };
    try {
      const engine = await startEngine(overrides, env);
      expect(engine.firstAdminPassword).toBeNull();
      const base = `http://127.0.0.1:${engine.httpPort}`;
      expect(await signIn(base, 'admin', 'chosen by the installer')).toBeTruthy();
      expect((await engine.audit.list({ action: 'user.change', actor: 'system' })).length).toBe(1);
      await engine.stop();
      const again = await startEngine(overrides, {
        ...env,
        SWITCHBOARD_ADMIN_PASSWORD: 'another password!!',
      });
      const base2 = `http://127.0.0.1:${again.httpPort}`;
      const res = await callApi(base2, 'POST', '/api/auth/token', {
        json: { username: 'admin', password: 'another password!!' },
      });
      expect(res.status).toBe(401);
      expect((await again.audit.list({ action: 'user.change', actor: 'system' })).length).toBe(1);
      await again.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('is generated and printed once by `switchboard start`, and never logged', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-admin-'));
    const env = { SWITCHBOARD_DATA_DIR: path.join(dir, 'data'), SWITCHBOARD_ADMIN_PASSWORD: '' };
    try {
      const first = await startEngineProcess(env);
      const match = /created user "admin" with password\n\n {4}(\S+)\n/.exec(first.output());
      expect(match, first.output()).not.toBeNull();
      const password = match![1]!;
      expect(await signIn(`http://127.0.0.1:${first.httpPort}`, 'admin', password)).toBeTruthy();
      // Only in the banner: no log line carries it.
      const logLines = first
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      expect(logLines.some((l) => l.includes(password))).toBe(false);
      first.child.kill('SIGTERM');
      await first.exited;
      const second = await startEngineProcess(env);
      expect(second.output()).not.toContain(password);
      expect(second.output()).not.toContain('created user "admin"');
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
