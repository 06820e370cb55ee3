/**
 * `switchboard users`, `tokens` and `audit verify` as operators run them: real child processes on a temp
 * data folder with the embedded database. The test opens the same database between commands (never
 * while one runs) to check what they did.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenStore, UserStore } from '../engine/auth/index.ts';
import { openDatabase } from '../engine/db/open.ts';
import type { SqlClient } from '../engine/db/sql.ts';
import { REPO_ROOT } from './support/engine-fixture.ts';
import { runCliToEnd, startEngineProcess, type EngineProcess } from './support/engine-process.ts';

const SHIPPED_CHANNELS = path.join(REPO_ROOT, 'channels');

describe('switchboard users / tokens / audit', () => {
  let dir = '';
  let env: Record<string, string> = {};
  // Started at once, checked last: its start-up overlaps the other tests (it has a data folder of its own).
  let engine: Promise<EngineProcess> | undefined;
  let engineEnv: Record<string, string> = {};
  let token = '';
  let tokenId = '';

  const cli = (args: readonly string[], extra: Record<string, string> = env) => runCliToEnd(args, extra);

  async function withDb<T>(fn: (db: SqlClient) => Promise<T>): Promise<T> {
    const db = await openDatabase({ databaseUrl: null, dataDir: env.SWITCHBOARD_DATA_DIR! });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-cli-admin-'));
    env = { SWITCHBOARD_DATA_DIR: path.join(dir, 'data') };
    engineEnv = {
      SWITCHBOARD_DATA_DIR: path.join(dir, 'engine-data'),
      SWITCHBOARD_CHANNELS_DIR: SHIPPED_CHANNELS,
    };
    engine = startEngineProcess(engineEnv);
    // Unhandled until the last test awaits it; a failed start is reported there.
    engine.catch(() => undefined);
  });

  afterAll(async () => {
    const running = await engine?.catch(() => undefined);
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('users add --password-stdin creates the user; users list shows it without any hash', async () => {
    const add = await runCliToEnd(
      ['users', 'add', 'Alice', '--role', 'analyst', '--password-stdin', '--actor', 'ops-test'],
      env,
      'correct horse battery staple\n',
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe('user alice added (analyst)\n');

    const list = await cli(['users', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^USERNAME +ROLE +DISABLED +LOCKED UNTIL +LAST LOGIN$/m);
    expect(list.stdout).toMatch(/^alice +analyst +no +- +-$/m);
    expect(list.stdout).not.toMatch(/argon2/i);

    const json = await cli(['users', 'list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toMatch(/argon2|hash/i);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ username: 'alice', role: 'analyst', disabled: false, lockedUntil: null }),
    ]);

    await withDb(async (db) => {
      const users = new UserStore(db);
      expect((await users.authenticate('alice', 'correct horse battery staple')).ok).toBe(true);
    });
  }, 60_000);

  it('users add without --password-stdin prints a generated password once, and it works', async () => {
    const add = await cli(['users', 'add', 'bob', '--role', 'operator']);
    expect(add.code, add.stderr).toBe(0);
    const match = /^password for bob: (\S+)$/m.exec(add.stdout);
    expect(match, add.stdout).not.toBeNull();
    const password = match![1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(add.stdout.split(password)).toHaveLength(2);
    expect(add.stderr).not.toContain(password);
    await withDb(async (db) => {
      expect((await new UserStore(db).authenticate('bob', password)).ok).toBe(true);
    });
  }, 60_000);

  it('a duplicate user, an unknown role and disabling an unknown user fail clearly', async () => {
    const dup = await cli(['users', 'add', 'ALICE', '--role', 'viewer']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('user alice already exists');
    expect(dup.stdout).not.toContain('password for');

    const role = await cli(['users', 'add', 'carol', '--role', 'superuser']);
    expect(role.code).toBe(1);
    expect(role.stderr).toContain("argument 'superuser' is invalid");

    const nobody = await cli(['users', 'disable', 'nobody']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user nobody');
  }, 60_000);

  it('tokens create prints an sb_ token once; it verifies until tokens revoke', async () => {
    const created = await cli(['tokens', 'create', 'bob', '--name', 'lis-interface', '--expires-days', '30']);
    expect(created.code, created.stderr).toBe(0);
    const tokens = created.stdout.match(/\bsb_[0-9a-f]+_[A-Za-z0-9_-]+/g) ?? [];
    expect(tokens).toHaveLength(1);
    token = tokens[0]!;
    tokenId = token.split('_')[1]!;
    expect(created.stdout).toContain(`token ${tokenId} for bob created, expires `);
    await withDb(async (db) => {
      expect(await new ApiTokenStore(db).verify(token)).toMatchObject({ username: 'bob', role: 'operator' });
      // The audit log names the token by id, never with its secret.
      const { rows } = await db.query<{ text: string }>(
        'SELECT row_to_json(a)::text AS text FROM audit_log a',
      );
      expect(rows.map((r) => r.text).join('\n')).toContain(tokenId);
      expect(rows.map((r) => r.text).join('\n')).not.toContain(token.slice(`sb_${tokenId}_`.length));
    });

    const revoked = await cli(['tokens', 'revoke', tokenId]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`token ${tokenId} revoked\n`);
    await withDb(async (db) => {
      expect(await new ApiTokenStore(db).verify(token)).toBeNull();
    });

    const again = await cli(['tokens', 'revoke', tokenId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no active token ${tokenId}`);
  }, 30_000);

  it('users disable disables the user (and an unexpired token of it stops verifying)', async () => {
    const fresh = await cli(['tokens', 'create', 'alice', '--name', 'ris']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const aliceToken = /\bsb_[0-9a-f]+_[A-Za-z0-9_-]+/.exec(fresh.stdout)![0];

    const disable = await cli(['users', 'disable', 'alice']);
    expect(disable.code, disable.stderr).toBe(0);
    expect(disable.stdout).toBe('user alice disabled\n');
    const list = await cli(['users', 'list']);
    expect(list.stdout).toMatch(/^alice +analyst +yes /m);
    await withDb(async (db) => {
      expect(await new ApiTokenStore(db).verify(aliceToken)).toBeNull();
    });
  }, 30_000);

  it('every change is in the audit log, and audit verify finds the chain intact', async () => {
    const rows = await withDb(async (db) => {
      const r = await db.query<{ actor: string; change: string }>(
        `SELECT actor, detail->>'change' AS change FROM audit_log WHERE action = 'config.change' ORDER BY seq`,
      );
      return r.rows;
    });
    expect(rows.map((r) => r.change)).toEqual([
      'user.add',
      'user.add',
      'token.create',
      'token.revoke',
      'token.create',
      'user.disable',
    ]);
    expect(rows[0]!.actor).toBe('ops-test');
    expect(rows[1]!.actor).toMatch(/^cli:./);

    const verify = await cli(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toBe(`audit log intact: ${rows.length} rows\n`);
  }, 60_000);

  it('audit verify exits 1 naming the row edited behind the trigger', async () => {
    await withDb(async (db) => {
      await db.exec(
        `ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3; ALTER TABLE audit_log ENABLE TRIGGER USER`,
      );
    });
    const verify = await cli(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^audit log TAMPERED at row 3: \S/);
  }, 60_000);

  it('refuses while an engine holds the data folder: stop the engine first, or use DATABASE_URL', async () => {
    const running = await engine!;
    const r = await cli(['users', 'list'], engineEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `data folder ${engineEnv.SWITCHBOARD_DATA_DIR} is in use by process ${running.child.pid}: stop the engine first, or use DATABASE_URL`,
    );
    expect(r.stdout).toBe('');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 60_000);
});
