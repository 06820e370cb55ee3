/**
 * HTTP API tests: a real engine with one user per role, signed in over the real token route.
 * `call` speaks JSON (or raw bytes) with fetch against 127.0.0.1.
 */
import type { Role } from '../../engine/auth/roles.ts';
import { ROLES } from '../../engine/auth/roles.ts';
import { startTestEngine, type EngineFixture, type FixtureOptions } from './engine-fixture.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string | null;
  readonly json?: unknown;
  /** Raw body (e.g. an HL7 message) with its content type. */
  readonly raw?: { readonly body: string | Buffer; readonly contentType: string };
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiFixture extends EngineFixture {
  readonly baseUrl: string;
  /** Access tokens of users `admin-user`, `analyst-user`, `operator-user`, `viewer-user`. */
  readonly tokens: Readonly<Record<Role, string>>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function callApi<T>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    body = options.raw.body;
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '') && text !== '') parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await callApi<{ accessToken: string }>(baseUrl, 'POST', '/api/auth/token', {
    json: { username, password },
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${res.text}`);
  return res.body.accessToken;
}

export async function startApiEngine(options: FixtureOptions = { database: 'pglite' }): Promise<ApiFixture> {
  const fixture = await startTestEngine(options);
  try {
    const baseUrl = `http://127.0.0.1:${fixture.engine.httpPort}`;
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) {
      const username = `${role}-user`;
      await fixture.engine.users.create({ username, password: TEST_PASSWORD, role });
      tokens[role] = await signIn(baseUrl, username, TEST_PASSWORD);
    }
    return {
      ...fixture,
      baseUrl,
      tokens,
      call: (method, path, options) => callApi(baseUrl, method, path, options),
    };
  } catch (err) {
    await fixture.stop();
    throw err;
  }
}
