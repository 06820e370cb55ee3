/**
 * Administration over the admin API: users (create, list, disable, enable), API tokens (issue, list,
 * revoke) and reading the audit log. Every change is audited, and so is every read of the audit log.
 * Password hashes and token secrets never leave: a new API token is shown once, in the answer that
 * creates it. The last enabled admin cannot be disabled, or nobody could manage users any more.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ApiTokenInfo } from '../../auth/api-tokens.ts';
import { disableUserKeepingAnAdmin } from '../../auth/disable-user.ts';
import { PasswordPolicyError } from '../../auth/password.ts';
import { ROLES } from '../../auth/roles.ts';
import { UsernameTakenError, type User } from '../../auth/users.ts';
import { AUDIT_ACTIONS, type AuditAction, type AuditRecord } from '../../audit/types.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest, conflict, notFound } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';
import { ErrorBody } from '../api-schemas.ts';

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));

const UserBody = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([DateTime, Type.Null()], {
    description: 'set while locked out after failed logins',
  }),
  failedLogins: Type.Integer(),
  createdAt: DateTime,
  lastLoginAt: NullableDateTime,
});
const NewUser = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    role: Role,
  },
  { additionalProperties: false },
);
const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 200 }) });

const TokenBody = Type.Object({
  id: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  createdAt: DateTime,
  expiresAt: NullableDateTime,
  revokedAt: NullableDateTime,
  lastUsedAt: NullableDateTime,
  active: Type.Boolean({ description: 'neither revoked nor expired' }),
});
const NewToken = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'what system holds it' }),
    expiresAt: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
const CreatedToken = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'shown this once; only a hash is kept' }),
  username: Type.String(),
  name: Type.String(),
  expiresAt: NullableDateTime,
});
const TokenQuery = Type.Object(
  { username: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
const TokenParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    action: Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)))),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,18}$', description: 'nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
const AuditItem = Type.Object({
  seq: Type.String(),
  at: DateTime,
  actor: Type.String(),
  actorRole: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  remoteAddress: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  prevHash: Type.String(),
  hash: Type.String(),
});

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function userBody(u: User): Static<typeof UserBody> {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil !== null && u.lockedUntil > new Date() ? u.lockedUntil.toISOString() : null,
    failedLogins: u.failedLogins,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: iso(u.lastLoginAt),
  };
}

function tokenBody(t: ApiTokenInfo, username: string | null, now: Date): Static<typeof TokenBody> {
  return {
    id: t.id,
    username,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    lastUsedAt: iso(t.lastUsedAt),
    active: t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now),
  };
}

function auditItem(r: AuditRecord): Static<typeof AuditItem> {
  return { ...r, at: r.at.toISOString() };
}

export const adminRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Users with role and state (never password hashes)',
        response: { 200: Type.Object({ users: Type.Array(UserBody) }) },
      },
    },
    async () => ({ users: (await ctx.users.list()).map(userBody) }),
  );

  app.post<{ Body: Static<typeof NewUser> }>(
    '/api/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a user',
        body: NewUser,
        response: { 201: UserBody, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      let user: User;
      try {
        user = await ctx.users.create(request.body);
      } catch (err) {
        if (err instanceof PasswordPolicyError || err instanceof RangeError) throw badRequest(err.message);
        if (err instanceof UsernameTakenError) throw conflict(err.message);
        throw err;
      }
      await auditRequest(ctx.audit, request, 'user.change', `user/${user.username}`, {
        op: 'create',
        role: user.role,
      });
      return reply.code(201).send(userBody(user));
    },
  );

  app.post<{ Params: Static<typeof UsernameParams> }>(
    '/api/users/:username/disable',
    {
      schema: {
        tags: ['admin'],
        summary: 'Disable a user: no sign-in, refresh or API token of theirs works any more',
        description: 'The last enabled admin cannot be disabled (409).',
        params: UsernameParams,
        response: { 200: UserBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { username } = request.params;
      const outcome = await disableUserKeepingAnAdmin(ctx.db, username);
      if (outcome === 'not-found') throw notFound(`user ${username}`);
      if (outcome === 'last-admin') throw conflict(`${username} is the last enabled admin`);
      const user = await ctx.users.get(username);
      if (!user) throw notFound(`user ${username}`);
      await auditRequest(ctx.audit, request, 'user.change', `user/${user.username}`, { op: 'disable' });
      return userBody(user);
    },
  );

  app.post<{ Params: Static<typeof UsernameParams> }>(
    '/api/users/:username/enable',
    {
      schema: {
        tags: ['admin'],
        summary: 'Enable a disabled user',
        params: UsernameParams,
        response: { 200: UserBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { username } = request.params;
      const user = (await ctx.users.enable(username)) ? await ctx.users.get(username) : null;
      if (!user) throw notFound(`user ${username}`);
      await auditRequest(ctx.audit, request, 'user.change', `user/${user.username}`, { op: 'enable' });
      return userBody(user);
    },
  );

  app.get<{ Querystring: Static<typeof TokenQuery> }>(
    '/api/tokens',
    {
      schema: {
        tags: ['admin'],
        summary: "API tokens, all or one user's (never the secrets)",
        querystring: TokenQuery,
        response: { 200: Type.Object({ tokens: Type.Array(TokenBody) }), 404: ErrorBody },
      },
    },
    async (request) => {
      const users = await ctx.users.list();
      const names = new Map(users.map((u) => [u.id, u.username]));
      let userId: string | undefined;
      if (request.query.username !== undefined) {
        const user = await ctx.users.get(request.query.username);
        if (!user) throw notFound(`user ${request.query.username}`);
        userId = user.id;
      }
      const now = new Date();
      const tokens = await ctx.apiTokens.list(userId);
      return { tokens: tokens.map((t) => tokenBody(t, names.get(t.userId) ?? null, now)) };
    },
  );

  app.post<{ Body: Static<typeof NewToken> }>(
    '/api/tokens',
    {
      schema: {
        tags: ['admin'],
        summary: 'Issue an API token for a user; the token is in this answer only',
        body: NewToken,
        response: { 201: CreatedToken, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { username, name } = request.body;
      const user = await ctx.users.get(username);
      if (!user) throw notFound(`user ${username}`);
      if (user.disabled) throw conflict(`user ${user.username} is disabled`);
      let expiresAt: Date | null = null;
      if (request.body.expiresAt !== undefined) {
        expiresAt = new Date(request.body.expiresAt);
        if (Number.isNaN(expiresAt.getTime())) throw badRequest('expiresAt is not a date-time');
        if (expiresAt <= new Date()) throw badRequest('expiresAt must be in the future');
      }
      if (name.trim() === '') throw badRequest('an API token needs a name (what system holds it)');
      const created = await ctx.apiTokens.create(user.id, name, expiresAt);
      await auditRequest(ctx.audit, request, 'token.change', `token/${created.id}`, {
        op: 'create',
        username: user.username,
      });
      return reply.code(201).send({
        id: created.id,
        token: created.token,
        username: user.username,
        name: name.trim(),
        expiresAt: iso(created.expiresAt),
      });
    },
  );

  app.delete<{ Params: Static<typeof TokenParams> }>(
    '/api/tokens/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API token (at once, for good)',
        params: TokenParams,
        response: { 200: TokenBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const revoked = await ctx.apiTokens.revoke(id);
      const token = (await ctx.apiTokens.list()).find((t) => t.id === id);
      if (!token) throw notFound(`API token ${id}`);
      if (revoked) {
        await auditRequest(ctx.audit, request, 'token.change', `token/${id}`, { op: 'revoke' });
      }
      const user = await ctx.users.getById(token.userId);
      return tokenBody(token, user?.username ?? null, new Date());
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log, filtered and paged',
        description:
          'Oldest first (order=asc, default) or newest first. Pass nextCursor as cursor for the next ' +
          'page; it is null on the last page. This read is itself audited (audit.read).',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AuditItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const order = q.order ?? 'asc';
      const limit = q.limit ?? 100;
      const from = q.from !== undefined ? new Date(q.from) : undefined;
      const to = q.to !== undefined ? new Date(q.to) : undefined;
      if ((from && Number.isNaN(from.getTime())) || (to && Number.isNaN(to.getTime()))) {
        throw badRequest('from and to must be date-times');
      }
      const records = await ctx.audit.list({
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.action !== undefined ? { action: q.action as AuditAction } : {}),
        ...(q.target !== undefined ? { target: q.target } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(q.cursor !== undefined
          ? order === 'asc'
            ? { afterSeq: q.cursor }
            : { beforeSeq: q.cursor }
          : {}),
        order,
        limit,
      });
      // Logged after the read, so a page never shows its own row.
      await auditRequest(ctx.audit, request, 'audit.read', null, {
        actor: q.actor ?? null,
        action: q.action ?? null,
        target: q.target ?? null,
        from: q.from ?? null,
        to: q.to ?? null,
        order,
        cursor: q.cursor ?? null,
        returned: records.length,
      });
      return {
        items: records.map(auditItem),
        nextCursor: records.length === limit ? records[records.length - 1]!.seq : null,
      };
    },
  );
};
