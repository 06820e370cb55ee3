/**
 * Authentication and authorisation for every route, from route-access.ts. Runs before body parsing,
 * so an unauthenticated caller cannot make the server read (or validate) a large body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import { can } from '../auth/roles.ts';
import { verifyAccessToken } from '../auth/tokens.ts';
import { sendError } from './http-errors.ts';
import type { Principal } from './principal.ts';
import { accessOf, type RouteAccess } from './route-access.ts';

export interface AuthDeps {
  readonly signingKey: Uint8Array;
  readonly apiTokens: ApiTokenStore;
}

const API_TOKEN_PREFIX = 'sb_';

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export async function principalOf(request: FastifyRequest, deps: AuthDeps): Promise<Principal | null> {
  const token = bearerOf(request);
  if (token === null) return null;
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const p = await deps.apiTokens.verify(token);
    return p ? { kind: 'api-token', userId: p.userId, actor: `token:${p.tokenId}`, role: p.role } : null;
  }
  const claims = await verifyAccessToken(token, deps.signingKey);
  if (!claims) return null;
  return {
    kind: 'user',
    userId: claims.userId,
    actor: claims.username ?? `user:${claims.userId}`,
    role: claims.role,
  };
}

/**
 * Registers the checks. Every route must be in ROUTE_ACCESS: a route added without declaring who may
 * call it stops the server from starting, instead of being open by accident.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  const accessByRoute = new Map<string, RouteAccess>();
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const access = accessOf(method, route.url);
      if (access === undefined) {
        throw new Error(`route ${method} ${route.url} is not declared in engine/http/route-access.ts`);
      }
      accessByRoute.set(`${method} ${route.url}`, access);
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no route: the 404 handler answers
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const access = accessByRoute.get(`${method} ${url}`);
    if (access === undefined) return sendError(request, reply, 404, 'not-found', 'no such route');
    const principal = await principalOf(request, deps);
    request.principal = principal;
    if (access === 'public') return;
    if (!principal) {
      return sendError(request, reply, 401, 'unauthorized', 'a valid bearer token is required');
    }
    if (access !== 'authenticated' && !can(principal.role, access)) {
      return sendError(request, reply, 403, 'forbidden', `role ${principal.role} may not ${access}`);
    }
  });
}
