/**
 * Channels over the admin API: the deployed channels with state and counters, one channel in detail,
 * start / pause / stop, validating and deploying channel YAML, reloading the channel folder; plus the
 * counters over time (GET /api/stats) and the listeners. Counts and configuration only, never message
 * content, so every role that may view channels may call the read routes. Changes are audited.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ChannelFiles, type ChannelProblem } from '../../channels/channel-files.ts';
import { channelDetailView, listChannelViews } from '../../channels/channel-view.ts';
import { HTTP_LISTENER_PREFIX } from '../../channels/process-message.ts';
import { channelSeries, emptyPoint } from '../../store/channel-stats.ts';
import {
  DEFAULT_BUCKET,
  STATS_BUCKETS,
  STATS_WINDOWS,
  statsWindow,
  type StatsBucketName,
  type StatsWindowName,
} from '../../store/stats-window.ts';
import type { AuditDetail } from '../../audit/types.ts';
import type { ListenerState } from '../api-context.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest, notFound } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';
import { ErrorBody } from '../api-schemas.ts';

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const State = Type.Union([Type.Literal('started'), Type.Literal('paused'), Type.Literal('stopped')]);
const Count = Type.Integer({ minimum: 0 });

const Counts = Type.Object({
  received: Count,
  filtered: Count,
  processed: Type.Integer({ minimum: 0, description: 'transformed and queued for delivery' }),
  errored: Count,
});
const DestinationCounts = {
  name: Type.String(),
  type: Type.String(),
  queued: Count,
  sent: Count,
  error: Type.Integer({ minimum: 0, description: 'dead-lettered' }),
};
const ChannelBase = {
  id: Type.String(),
  name: Type.String(),
  state: State,
  listener: Type.String(),
  messageTypes: Type.Array(Type.String()),
  counts: Counts,
  lastMessageAt: NullableDateTime,
};
const ChannelSummary = Type.Object({
  ...ChannelBase,
  destinations: Type.Array(Type.Object(DestinationCounts)),
});
const ChannelDetail = Type.Object({
  ...ChannelBase,
  description: Type.String(),
  enabled: Type.Boolean(),
  file: Type.String({ description: 'file name in the channel folder' }),
  spec: Type.Object(
    {},
    {
      additionalProperties: true,
      description: 'the channel as loaded, defaults filled in; secrets (passwords, tokens, keys) masked',
    },
  ),
  destinations: Type.Array(
    Type.Object({
      ...DestinationCounts,
      enabled: Type.Boolean(),
      queueDepth: Count,
      oldestQueuedAt: NullableDateTime,
      oldestQueuedAgeSeconds: Type.Union([Count, Type.Null()]),
      deadLettered: Count,
    }),
  ),
});
const Problem = Type.Object({
  file: Type.Union([Type.String(), Type.Null()]),
  path: Type.String({ description: 'e.g. destinations[1].port; empty for the whole document' }),
  line: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.String(),
});
const Validation = Type.Object({ ok: Type.Boolean(), problems: Type.Array(Problem) });
const Refused = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
  ok: Type.Literal(false),
  problems: Type.Array(Problem),
});
const Diff = Type.Object({
  added: Type.Array(Type.String()),
  changed: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
});
const Deployed = Type.Object({
  ok: Type.Literal(true),
  created: Type.Boolean(),
  file: Type.String(),
  diff: Diff,
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
type IdParams = Static<typeof IdParams>;

const enumOf = <K extends string>(keys: readonly K[]): TSchema =>
  Type.Union(keys.map((k) => Type.Literal(k)));
const StatsQuery = Type.Object(
  {
    window: Type.Optional(enumOf(Object.keys(STATS_WINDOWS) as StatsWindowName[])),
    bucket: Type.Optional(enumOf(Object.keys(STATS_BUCKETS) as StatsBucketName[])),
  },
  { additionalProperties: false },
);
const Point = Type.Object({
  at: DateTime,
  received: Count,
  filtered: Count,
  processed: Count,
  errored: Count,
  deliveriesSent: Type.Integer({ minimum: 0, description: 'successful delivery attempts' }),
  deliveryErrors: Type.Integer({ minimum: 0, description: 'failed delivery attempts, retries included' }),
});
const Stats = Type.Object({
  window: Type.String(),
  bucket: Type.String(),
  from: DateTime,
  to: DateTime,
  channels: Type.Array(
    Type.Object({
      id: Type.String(),
      deployed: Type.Boolean(),
      points: Type.Array(Point),
    }),
  ),
  totals: Type.Object({
    messages: Type.Record(Type.String(), Type.Integer()),
    deliveries: Type.Record(Type.String(), Type.Integer()),
  }),
});
const Listener = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('mllp'), Type.Literal('http')]),
  host: Type.String(),
  port: Type.Integer(),
  tls: Type.Boolean(),
  listening: Type.Boolean(),
  openConnections: Count,
  lastMessageAt: NullableDateTime,
});

const YAML_BODY =
  'a channel YAML document (content type application/yaml or text/plain), or JSON {"yaml": "..."}';

/** The YAML text of a body that arrived as raw bytes (RAW_BODY_TYPES) or as JSON {yaml}. */
function yamlOf(body: unknown): string {
  if (Buffer.isBuffer(body)) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw badRequest('the channel document is not valid UTF-8');
    }
  }
  if (body !== null && typeof body === 'object' && typeof (body as { yaml?: unknown }).yaml === 'string') {
    return (body as { yaml: string }).yaml;
  }
  throw badRequest(`expected ${YAML_BODY}`);
}

function refused(code: string, message: string, problems: ChannelProblem[]): Static<typeof Refused> {
  return { error: { code, message }, ok: false, problems };
}

export const channelRoutes: RouteModule = (app, ctx) => {
  const files = new ChannelFiles({
    config: ctx.config,
    channels: ctx.channels,
    reload: () => ctx.reloadChannels(),
  });
  let lastHttpMessageAt: Date | null = null;
  ctx.events.on('event', (e) => {
    if (e.type === 'message.received' && e.listener.startsWith(HTTP_LISTENER_PREFIX)) {
      lastHttpMessageAt = new Date(e.at);
    }
  });

  app.get(
    '/api/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'Deployed channels with state, destinations and message counters',
        description:
          'Counters are over all stored messages: received, filtered, processed and errored from each ' +
          "message's latest run; per destination, deliveries queued, sent and dead-lettered (error).",
        response: { 200: Type.Object({ channels: Type.Array(ChannelSummary) }) },
      },
    },
    async () => ({ channels: await listChannelViews(ctx.db, ctx.channels) }),
  );

  app.get<{ Params: IdParams }>(
    '/api/channels/:id',
    {
      schema: {
        tags: ['channels'],
        summary: 'One channel: counters, spec (secrets masked) and destination queues',
        params: IdParams,
        response: { 200: ChannelDetail, 404: ErrorBody },
      },
    },
    async (request) => {
      const detail = await channelDetailView(ctx.db, ctx.channels, request.params.id);
      if (!detail) throw notFound(`channel ${request.params.id}`);
      return detail;
    },
  );

  const stateAction = (action: 'start' | 'pause' | 'stop', summary: string): void => {
    app.post<{ Params: IdParams }>(
      `/api/channels/:id/${action}`,
      {
        schema: {
          tags: ['channels'],
          summary,
          params: IdParams,
          response: { 200: Type.Object({ id: Type.String(), state: State }), 404: ErrorBody },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!ctx.channels.status().some((c) => c.id === id)) throw notFound(`channel ${id}`);
        await ctx.channels[action](id);
        const state = ctx.channels.status().find((c) => c.id === id)?.state ?? 'stopped';
        await auditRequest(ctx.audit, request, 'channel.state', `channel/${id}`, { action, state });
        ctx.logger.info('channel state changed over the API', { channel: id, action, state });
        return { id, state };
      },
    );
  };
  stateAction('start', 'Start a channel: routed to, deliveries sent');
  stateAction('pause', 'Pause a channel: still routed to and queued, nothing sent');
  stateAction(
    'stop',
    'Stop a channel: not routed to (its message types are rejected unless another takes them)',
  );

  app.post(
    '/api/channels/validate',
    {
      schema: {
        tags: ['channels'],
        summary: 'Validate a channel document as the loader would; writes nothing',
        description: `Body: ${YAML_BODY}.`,
        response: { 200: Validation, 400: ErrorBody },
      },
    },
    async (request) => {
      const { problems } = files.validate(yamlOf(request.body));
      return { ok: problems.length === 0, problems };
    },
  );

  app.put<{ Params: IdParams }>(
    '/api/channels/:id',
    {
      schema: {
        tags: ['channels'],
        summary: 'Create or replace a channel from its YAML and deploy it',
        description:
          `Body: ${YAML_BODY}; its id must be the one in the URL. Written to the channel folder, then ` +
          'the folder is reloaded; when the reload is refused the folder is put back as it was and the ' +
          'running channels do not change (422 with the problems).',
        params: IdParams,
        response: { 200: Deployed, 201: Deployed, 400: ErrorBody, 409: Refused, 422: Refused },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await files.deploy(id, yamlOf(request.body));
      await auditDeploy(request, 'channel.deploy', `channel/${id}`, outcome);
      if (!outcome.ok) {
        const status = outcome.conflict ? 409 : 422;
        const code = outcome.conflict ? 'conflict' : 'invalid-channel';
        const message = outcome.conflict
          ? (outcome.problems[0]?.message ?? 'conflict')
          : `channel ${id} not deployed: ${outcome.problems.length} problem(s)`;
        return reply.code(status).send(refused(code, message, outcome.problems));
      }
      return reply.code(outcome.created ? 201 : 200).send(outcome);
    },
  );

  app.post(
    '/api/channels/deploy',
    {
      schema: {
        tags: ['channels'],
        summary: 'Reload the channel folder and deploy what changed',
        description: 'Any problem in any file refuses the whole reload; the running channels stay (422).',
        response: { 200: Type.Object({ ok: Type.Literal(true), diff: Diff }), 422: Refused },
      },
    },
    async (request, reply) => {
      const outcome = await files.reload();
      await auditDeploy(request, 'config.change', 'channels', outcome);
      if (!outcome.ok) {
        const message = `channel reload refused: ${outcome.problems.length} problem(s)`;
        return reply.code(422).send(refused('invalid-channels', message, outcome.problems));
      }
      return outcome;
    },
  );

  async function auditDeploy(
    request: FastifyRequest,
    action: 'channel.deploy' | 'config.change',
    target: string,
    outcome: Awaited<ReturnType<ChannelFiles['reload']>>,
  ): Promise<void> {
    const detail: AuditDetail = outcome.ok
      ? {
          ok: true,
          added: outcome.diff.added.join(','),
          changed: outcome.diff.changed.join(','),
          removed: outcome.diff.removed.join(','),
        }
      : { ok: false, problems: outcome.problems.length };
    await auditRequest(ctx.audit, request, action, target, detail);
  }

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/stats',
    {
      schema: {
        tags: ['stats'],
        summary: 'Counters per channel over time, and message and delivery totals',
        description:
          'window 1h, 24h or 7d (default 24h); bucket 1m, 5m, 15m, 1h, 6h or 1d (default by window). ' +
          'Buckets are aligned to the epoch (UTC) and the last one holds now. Channel counts are channel ' +
          'results by time (every run); delivery counts are delivery attempts by time.',
        querystring: StatsQuery,
        response: { 200: Stats, 400: ErrorBody },
      },
    },
    async (request) => {
      const windowName = (request.query.window ?? '24h') as StatsWindowName;
      const bucketName = (request.query.bucket ?? DEFAULT_BUCKET[windowName]) as StatsBucketName;
      const w = statsWindow(windowName, bucketName);
      if ('error' in w) throw badRequest(w.error);
      const [series, totals] = await Promise.all([channelSeries(ctx.db, w), ctx.store.counts()]);
      const deployed = new Set(ctx.channels.status().map((c) => c.id));
      const ids = [...new Set([...deployed, ...series.keys()])].sort();
      const startMs = w.start.getTime();
      return {
        window: windowName,
        bucket: bucketName,
        from: w.start.toISOString(),
        to: new Date(startMs + w.buckets * w.bucketMs).toISOString(),
        channels: ids.map((id) => {
          const points = series.get(id) ?? Array.from({ length: w.buckets }, emptyPoint);
          return {
            id,
            deployed: deployed.has(id),
            points: points.map((p, i) => ({ at: new Date(startMs + i * w.bucketMs).toISOString(), ...p })),
          };
        }),
        totals: { messages: totals.byStatus, deliveries: totals.deliveriesByStatus },
      };
    },
  );

  app.get(
    '/api/listeners',
    {
      schema: {
        tags: ['stats'],
        summary: 'Listeners (MLLP and the HTTP listener) with state, open connections and last message',
        description:
          "The HTTP listener is this server: its port is the one this request came in on; its last message is the last one posted to a channel's messages route.",
        response: { 200: Type.Object({ listeners: Type.Array(Listener) }) },
      },
    },
    async (request) => {
      const connections = await new Promise<number>((resolve) =>
        app.server.getConnections((err, n) => resolve(err ? 0 : n)),
      );
      const http: ListenerState = {
        name: 'http',
        kind: 'http',
        host: ctx.config.http.host,
        port: request.socket.localPort ?? ctx.config.http.port,
        tls: false,
        listening: app.server.listening,
        openConnections: connections,
        lastMessageAt: lastHttpMessageAt,
      };
      return {
        listeners: [...ctx.listeners(), http].map((l) => ({
          ...l,
          lastMessageAt: l.lastMessageAt?.toISOString() ?? null,
        })),
      };
    },
  );
};
