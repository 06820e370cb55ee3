/**
 * The role matrix: every route in engine/http/route-access.ts, called without a token, with a bad
 * token, and with each role's token (a signed-in user's access token and an API token). A route's
 * answer must be 401 without a valid token (unless public), 403 for a role without the permission, and
 * neither for a role with it. The expected grants come from the roles table, written out again in
 * engine/auth/roles.test.ts, so a change to either shows up here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, ROLES, type Role } from '../../engine/auth/roles.ts';
import { ROUTE_ACCESS, type RouteAccess } from '../../engine/http/route-access.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';

/** Sample values for path parameters, so allowed calls reach the handler (which may still 400/404). */
const PARAMS: Record<string, string> = {
  ':id': '1',
  ':username': 'nobody-here',
  ':type': 'Patient',
  ':vid': '1',
};

function concretePath(key: string): { method: string; path: string } {
  const [method, url] = key.split(' ') as [string, string];
  let path = url.replace(/:[a-z]+/g, (p) => PARAMS[p] ?? 'x');
  // Channel routes act on a shipped channel; pause rather than stop keeps it routed for later calls.
  if (path.startsWith('/api/channels/1')) path = path.replace('/api/channels/1', '/api/channels/adt');
  if (path.startsWith('/fhir/Patient/1')) path = path.replace('/fhir/Patient/1', '/fhir/Patient/no-such-id');
  return { method, path };
}

/** Status only: streams (SSE) are cut as soon as the headers arrive. */
async function statusOf(
  baseUrl: string,
  method: string,
  path: string,
  token: string | null,
): Promise<number> {
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, signal: controller.signal });
  const status = res.status;
  controller.abort();
  await res.body?.cancel().catch(() => undefined);
  return status;
}

const ENTRIES = Object.entries(ROUTE_ACCESS) as [string, RouteAccess][];

describe('role matrix over every route', () => {
  let f: ApiFixture;
  const apiTokens = {} as Record<Role, string>;

  beforeAll(async () => {
    f = await startApiEngine();
    const { ApiTokenStore } = await import('../../engine/auth/api-tokens.ts');
    const store = new ApiTokenStore(f.engine.db);
    for (const role of ROLES) {
      const user = await f.engine.users.get(`${role}-user`);
      apiTokens[role] = (await store.create(user!.id, `matrix-${role}`)).token;
    }
  }, 60_000);
  afterAll(async () => f?.stop());

  it('covers a real set of routes', () => {
    expect(ENTRIES.length).toBeGreaterThan(30);
  });

  for (const [key, access] of ENTRIES) {
    const { method, path } = concretePath(key);
    it(`${key} (${access})`, async () => {
      const anonymous = await statusOf(f.baseUrl, method, path, null);
      const forged = await statusOf(f.baseUrl, method, path, 'eyJhbGciOiJIUzI1NiJ9.e30.bad-signature');
      if (access === 'public') {
        expect(anonymous).not.toBe(401);
        expect(anonymous).not.toBe(403);
      } else {
        expect(anonymous).toBe(401);
        expect(forged).toBe(401);
      }
      for (const role of ROLES) {
        const allowed = access === 'public' || access === 'authenticated' || can(role, access);
        for (const [kind, token] of [
          ['access token', f.tokens[role]],
          ['API token', apiTokens[role]],
        ] as const) {
          const status = await statusOf(f.baseUrl, method, path, token);
          const label = `${role} with ${kind}: ${status}`;
          if (allowed) {
            expect([401, 403], label).not.toContain(status);
          } else {
            expect(status, label).toBe(403);
          }
        }
      }
    });
  }
});
