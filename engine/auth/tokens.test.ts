import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { loadOrCreateSigningKey } from './signing-key.ts';
import { issueAccessToken, verifyAccessToken } from './tokens.ts';

const key = new Uint8Array(32).fill(7);
const user = { id: '42', role: 'operator' as const };

describe('access tokens', () => {
  it('round-trips sub, role, iat, exp and a jti', async () => {
    const now = new Date('2026-01-01T10:00:00Z');
    const token = await issueAccessToken(user, key, 900, now);
    const claims = await verifyAccessToken(token, key, new Date(now.getTime() + 60_000));
    expect(claims).toMatchObject({ userId: '42', role: 'operator' });
    expect(claims?.issuedAt).toEqual(now);
    expect(claims?.expiresAt).toEqual(new Date(now.getTime() + 900_000));
    expect(claims?.jti).toMatch(/^[0-9a-f-]{36}$/);
    const other = await verifyAccessToken(await issueAccessToken(user, key, 900, now), key, now);
    expect(other?.jti).not.toBe(claims?.jti);
  });

  it('rejects an expired token', async () => {
    const now = new Date('2026-01-01T10:00:00Z');
    const token = await issueAccessToken(user, key, 900, now);
    expect(await verifyAccessToken(token, key, new Date(now.getTime() + 899_000))).not.toBeNull();
    expect(await verifyAccessToken(token, key, new Date(now.getTime() + 901_000))).toBeNull();
  });

  it('rejects a tampered payload, a wrong key and an unsigned token', async () => {
    const token = await issueAccessToken(user, key);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(await verifyAccessToken(`${header}.${forged}.${signature}`, key)).toBeNull();
    expect(await verifyAccessToken(token, new Uint8Array(32).fill(8))).toBeNull();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await verifyAccessToken(`${none}.${payload}.`, key)).toBeNull();
    expect(await verifyAccessToken('not a jwt', key)).toBeNull();
  });

  it('rejects a validly signed token with an unknown role or another issuer', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, issuer: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('1')
        .setIssuer(issuer)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .setJti('x')
        .sign(key);
    expect(await verifyAccessToken(await sign({ role: 'root' }, 'switchboard'), key)).toBeNull();
    expect(await verifyAccessToken(await sign({ role: 'admin' }, 'elsewhere'), key)).toBeNull();
    expect(await verifyAccessToken(await sign({ role: 'admin' }, 'switchboard'), key)).not.toBeNull();
  });
});

describe('loadOrCreateSigningKey', () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it('creates a 32-byte key with mode 0600 once, then reads the same key', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-key-'));
    const first = await loadOrCreateSigningKey(dir, {});
    expect(first.length).toBe(32);
    expect((await stat(path.join(dir, 'jwt.key'))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSigningKey(dir, {})).toEqual(first);
    expect(new Uint8Array(await readFile(path.join(dir, 'jwt.key')))).toEqual(first);
  });

  it('prefers SWITCHBOARD_JWT_SECRET and refuses a short one', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-key-'));
    const secret = 'x'.repeat(40);
    expect(
      Buffer.from(await loadOrCreateSigningKey(dir, { SWITCHBOARD_JWT_SECRET: secret })).toString(),
    ).toBe(secret);
    await expect(loadOrCreateSigningKey(dir, { SWITCHBOARD_JWT_SECRET: 'short' })).rejects.toThrow(
      /at least 32 bytes/,
    );
  });

  it('refuses a key file of the wrong length', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-key-'));
    await writeFile(path.join(dir, 'jwt.key'), 'too short');
    await expect(loadOrCreateSigningKey(dir, {})).rejects.toThrow(/exactly 32 bytes/);
  });
});
