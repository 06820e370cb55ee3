/**
 * Sign-in: POST /api/auth/token exchanges a username and password for a short-lived access token and
 * a one-use refresh token; POST /api/auth/refresh rotates the refresh token (a disabled user is
 * stopped here); logout revokes every refresh token of the caller. Every login and failed login is
 * audited. A failed login answers one 401 whatever the reason, so usernames cannot be probed.
 */
import { Type, type Static } from '@sinclair/typebox';
import { can, PERMISSIONS } from '../../auth/roles.ts';
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from '../../auth/tokens.ts';
import type { User } from '../../auth/users.ts';
import type { ApiContext } from '../api-context.ts';
import { auditRequest } from '../audit-request.ts';
import { HttpError } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';
import { ErrorBody } from '../api-schemas.ts';

const Credentials = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const Refresh = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
const TokenPair = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds' }),
  refreshToken: Type.String(),
  refreshExpiresAt: Type.String({ format: 'date-time' }),
  username: Type.String(),
  role: Type.String(),
});
const Me = Type.Object({
  actor: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('api-token')]),
  role: Type.String(),
  permissions: Type.Array(Type.String()),
});

async function tokenPair(ctx: ApiContext, user: User): Promise<Static<typeof TokenPair>> {
  const accessToken = await issueAccessToken(
    { id: user.id, role: user.role, username: user.username },
    ctx.signingKey,
  );
  const refresh = await ctx.refreshTokens.issue(user.id);
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt.toISOString(),
    username: user.username,
    role: user.role,
  };
}

export const authRoutes: RouteModule = (app, ctx) => {
  app.post<{ Body: Static<typeof Credentials> }>(
    '/api/auth/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in: access token and refresh token for a username and password',
        body: Credentials,
        response: { 200: TokenPair, 401: ErrorBody },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const result = await ctx.users.authenticate(username, password);
      if (!result.ok) {
        request.principal = null;
        await ctx.audit.append({
          actor: username.slice(0, 200).toLowerCase(),
          action: 'login.failed',
          remoteAddress: request.ip,
          detail: { reason: result.reason },
        });
        ctx.logger.warn('login failed', { reason: result.reason, remote: request.ip });
        throw new HttpError(401, 'unauthorized', 'unknown user, wrong password, or account locked');
      }
      const pair = await tokenPair(ctx, result.user);
      await ctx.audit.append({
        actor: result.user.username,
        actorRole: result.user.role,
        action: 'login',
        remoteAddress: request.ip,
        detail: { method: 'password' },
      });
      return pair;
    },
  );

  app.post<{ Body: Static<typeof Refresh> }>(
    '/api/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'New access token for a refresh token (which is used up and replaced)',
        body: Refresh,
        response: { 200: TokenPair, 401: ErrorBody },
      },
    },
    async (request) => {
      const rotated = await ctx.refreshTokens.rotate(request.body.refreshToken);
      const user = rotated ? await ctx.users.getById(rotated.userId) : null;
      if (!rotated || !user || user.disabled) {
        throw new HttpError(401, 'unauthorized', 'refresh token is not valid');
      }
      const accessToken = await issueAccessToken(
        { id: user.id, role: user.role, username: user.username },
        ctx.signingKey,
      );
      await ctx.audit.append({
        actor: user.username,
        actorRole: user.role,
        action: 'login',
        remoteAddress: request.ip,
        detail: { method: 'refresh' },
      });
      return {
        accessToken,
        tokenType: 'Bearer' as const,
        expiresIn: ACCESS_TOKEN_TTL_SECONDS,
        refreshToken: rotated.refresh.token,
        refreshExpiresAt: rotated.refresh.expiresAt.toISOString(),
        username: user.username,
        role: user.role,
      };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: "Revoke the caller's refresh tokens (access tokens expire on their own)",
        response: { 200: Type.Object({ revoked: Type.Integer() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const revoked = p && p.kind === 'user' ? await ctx.refreshTokens.revokeAll(p.userId) : 0;
      await auditRequest(ctx.audit, request, 'logout', null, { revoked });
      return { revoked };
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the token belongs to and what it may do',
        response: { 200: Me },
      },
    },
    async (request) => {
      const p = request.principal;
      if (!p) throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
      return {
        actor: p.actor,
        kind: p.kind,
        role: p.role,
        permissions: PERMISSIONS.filter((perm) => can(p.role, perm)),
      };
    },
  );
};
