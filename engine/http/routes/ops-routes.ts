/**
 * Operations: GET /metrics (Prometheus text, scraped with an API token) and GET /api/events (the
 * console's live stream, Server-Sent Events). Both are fed by engine events; the metrics registry is
 * this server's (so one per engine), and every open stream is ended when the server closes.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../auth/roles.ts';
import type { EngineEvent } from '../../events/engine-events.ts';
import { eventForViewer, parseEventTypes, sseComment, sseMessage } from '../../events/event-view.ts';
import { EngineMetrics } from '../../metrics/engine-metrics.ts';
import { queuedDeliveryCounts } from '../../metrics/queued-deliveries.ts';
import type { ApiContext } from '../api-context.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';
import { ErrorBody } from '../api-schemas.ts';

/** Comment lines keep idle streams open through proxies that time out silent connections. */
export const HEARTBEAT_MS = 15_000;
/** A subscriber this far behind (bytes not yet taken by its socket) is cut off; it reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const EventsQuery = Type.Object({
  types: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Comma-separated event types to receive (message.received, message.processed, delivery.attempted, channel.state); all when absent',
    }),
  ),
});

function createMetrics(ctx: ApiContext): EngineMetrics {
  return new EngineMetrics({
    events: ctx.events,
    dispatcherPending: () => ctx.dispatcher.pending,
    listeners: () => ctx.listeners(),
    channels: () => ctx.channels.status(),
    queuedDeliveries: () => queuedDeliveryCounts(ctx.db),
    onCollectError: (metric, err) => ctx.logger.warn('metric not collected', { metric, error: String(err) }),
  });
}

/** Open streams by their end function, so closing the server ends them all. */
type OpenStreams = Set<() => void>;

function openStream(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  streams: OpenStreams,
  types: ReturnType<typeof parseEventTypes>,
): void {
  const readsContent = request.principal !== null && can(request.principal.role, 'messages.read-content');
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });

  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    ctx.events.off('event', onEvent);
    clearInterval(heartbeat);
    streams.delete(end);
    res.end();
  };
  const send = (text: string): void => {
    if (ended) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      ctx.logger.warn('event stream subscriber too slow; closing its stream', {
        actor: request.principal?.actor,
      });
      end();
      return;
    }
    res.write(text);
  };
  const onEvent = (event: EngineEvent): void => {
    if (types.has(event.type)) send(sseMessage(event.type, eventForViewer(event, readsContent)));
  };
  const heartbeat = setInterval(() => send(sseComment('heartbeat')), HEARTBEAT_MS);
  heartbeat.unref();
  ctx.events.on('event', onEvent);
  streams.add(end);
  res.on('close', end);
  res.on('error', end); // a reset connection: nothing to tell the client
  // Written once subscribed: a client that has read it will see every event from then on.
  res.write(sseComment('switchboard events'));
}

export const opsRoutes: RouteModule = (app, ctx) => {
  const metrics = createMetrics(ctx);
  const streams: OpenStreams = new Set();
  // preClose runs before the server waits for open connections: a stream never ends on its own.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => metrics.close());

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Counters, gauges and histograms of this engine, prefixed switchboard_; process metrics included. ' +
          'Scrape with an API token as bearer. No label carries patient data.',
        response: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: Type.String() } },
          },
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (_request, reply) => {
      const text = await metrics.scrape();
      return reply.type(metrics.contentType).send(text);
    },
  );

  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/api/events',
    {
      schema: {
        tags: ['operations'],
        summary: 'Live engine events (Server-Sent Events)',
        description:
          'A text/event-stream of message.received, message.processed, delivery.attempted and channel.state ' +
          'events (`event:` the type, `data:` JSON), with a comment line every 15 s. Roles without ' +
          'messages.read-content get events without controlId and error.',
        querystring: EventsQuery,
        response: {
          200: {
            description: 'Server-Sent Events',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      let types: ReturnType<typeof parseEventTypes>;
      try {
        types = parseEventTypes(request.query.types);
      } catch (err) {
        throw badRequest((err as Error).message);
      }
      const p = request.principal;
      if (p !== null && can(p.role, 'messages.read-content')) {
        // The stream carries control ids and error texts that may quote content.
        await auditRequest(ctx.audit, request, 'message.read', 'events', {
          stream: true,
          types: [...types].join(','),
        });
      }
      openStream(ctx, request, reply, streams, types);
    },
  );
};
