/**
 * Messages: search (GET /api/messages), one message in full (GET /api/messages/:id), reprocess one or
 * many, and resend a delivery. Search and detail read through engine/store/message-search.ts and
 * message-detail.ts. Every call that returns message data writes an audit row: searches name the
 * filters used, never their values (a patient identifier is PHI); each detail read names the message.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { decodeHl7Bytes, parsedView, payloadView } from '../../store/content-view.ts';
import { MessageDetails, type MessageDetail } from '../../store/message-detail.ts';
import { MESSAGE_STATUSES } from '../../store/types.ts';
import {
  InvalidCursorError,
  MessageSearch,
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MAX_LIMIT,
  type MessageSearchFilter,
  type MessageSummary,
} from '../../store/message-search.ts';
import type { MessageStatus } from '../../store/types.ts';
import type { ApiContext } from '../api-context.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest, conflict, notFound } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';
import { ErrorBody } from '../api-schemas.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Id = Type.String({ description: 'bigint as a decimal string' });

const IdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });

const StatusEnum = Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s)));
const Text = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 200, description }));

const SearchQuery = Type.Object({
  channel: Text('a channel recorded a result for the message (any run)'),
  listener: Text('listener id (mllp:2575) or name (mllp)'),
  status: Type.Optional(StatusEnum),
  messageType: Text('MSH-9.1, e.g. ADT'),
  trigger: Text('MSH-9.2, e.g. A01'),
  controlId: Text('MSH-10, exact'),
  patientId: Text('any PID-3 repetition ID (CX.1), exact'),
  authority: Text('with patientId: its assigning authority (CX.4.1)'),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'received at or after (inclusive)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'received before (exclusive)' })),
  q: Text(
    'substring of the raw message (ASCII letters case-insensitive). Not indexed: scans raw content newest first, ' +
      'bounded by the other filters and the page size. Combine it with other filters on a large store.',
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: SEARCH_DEFAULT_LIMIT }),
  ),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the last page' }),
  ),
});
type SearchQuery = Static<typeof SearchQuery>;

/** Query parameter name -> filter name in the audit row (cursor and limit are paging, not filters). */
const FILTER_PARAMS = [
  'channel',
  'listener',
  'status',
  'messageType',
  'trigger',
  'controlId',
  'patientId',
  'authority',
  'from',
  'to',
  'q',
] as const;
const KNOWN_PARAMS: ReadonlySet<string> = new Set([...FILTER_PARAMS, 'limit', 'cursor']);

const ChannelState = Type.Object({ channelId: Type.String(), status: Type.String() });
const Summary = Type.Object({
  id: Id,
  receivedAt: DateTime,
  listener: Type.String(),
  remoteAddress: Nullable(Type.String()),
  messageType: Nullable(Type.String()),
  triggerEvent: Nullable(Type.String()),
  controlId: Nullable(Type.String()),
  sendingApplication: Nullable(Type.String()),
  sendingFacility: Nullable(Type.String()),
  status: Type.String(),
  ackCode: Type.String(),
  duplicateOf: Nullable(Id),
  processingRuns: Type.Integer(),
  channels: Type.Array(ChannelState, { description: 'results of the latest run, by channel id' }),
});
const SearchPage = Type.Object({
  items: Type.Array(Summary),
  nextCursor: Nullable(Type.String()),
});

const Content = Type.Object({
  encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
  data: Type.String(),
});
const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: DateTime,
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
  response: Nullable(Type.String()),
});
const DeliveryBody = Type.Object({
  id: Id,
  run: Type.Integer(),
  channelId: Type.String(),
  destination: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  nextAttemptAt: DateTime,
  lastError: Nullable(Type.String()),
  contentType: Type.String(),
  payload: Content,
  createdAt: DateTime,
  sentAt: Nullable(DateTime),
  response: Nullable(Type.String()),
  attemptLog: Type.Array(Attempt),
});
const Segment = Type.Object({
  name: Type.String(),
  fields: Type.Array(Type.String(), {
    description: 'fields[n] is field n as on the wire; fields[0] the name',
  }),
});
const Detail = Type.Object({
  ...Summary.properties,
  rawCharset: Type.Union([Type.Literal('utf8'), Type.Literal('latin1')]),
  raw: Type.String({
    description: 'decoded per MSH-18 (8859/x: Latin-1), else UTF-8 when valid, else Latin-1',
  }),
  rawBase64: Type.String({ description: 'the exact bytes received' }),
  parsed: Nullable(Type.Object({ segments: Type.Array(Segment) })),
  parseError: Nullable(Type.String()),
  ack: Type.String(),
  ackBase64: Type.String(),
  error: Nullable(Type.String()),
  channelResults: Type.Array(
    Type.Object({
      channelId: Type.String(),
      status: Type.String(),
      error: Nullable(Type.String()),
      detail: Nullable(Type.String()),
    }),
  ),
  deliveries: Type.Array(DeliveryBody),
});

const ReprocessOutcome = Type.Union([
  Type.Literal('queued'),
  Type.Literal('not-found'),
  Type.Literal('conflict'),
]);
const ReprocessResult = Type.Object({ id: Type.String(), outcome: ReprocessOutcome, message: Type.String() });
const BulkReprocess = Type.Object(
  { ids: Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
const BulkResult = Type.Object({ queued: Type.Integer(), results: Type.Array(ReprocessResult) });
const ResendResult = Type.Object({
  id: Id,
  messageId: Id,
  channelId: Type.String(),
  destination: Type.String(),
  status: Type.Literal('queued'),
});

function summaryBody(s: MessageSummary) {
  return {
    ...s,
    receivedAt: s.receivedAt.toISOString(),
    channels: s.channels.map((c) => ({ channelId: c.channelId, status: c.status })),
  };
}

function detailBody(d: MessageDetail): Static<typeof Detail> {
  const raw = decodeHl7Bytes(d.raw);
  const parsed = parsedView(d.raw);
  return {
    ...summaryBody(d.summary),
    rawCharset: raw.charset,
    raw: raw.text,
    rawBase64: d.raw.toString('base64'),
    parsed: parsed.ok
      ? { segments: parsed.segments.map((s) => ({ name: s.name, fields: [...s.fields] })) }
      : null,
    parseError: parsed.ok ? null : parsed.error,
    ack: decodeHl7Bytes(d.ack).text,
    ackBase64: d.ack.toString('base64'),
    error: d.error,
    channelResults: d.channelResults.map((r) => ({ ...r })),
    deliveries: d.deliveries.map((x) => ({
      id: x.id,
      run: x.run,
      channelId: x.channelId,
      destination: x.destination,
      status: x.status,
      attempts: x.attempts,
      maxAttempts: x.maxAttempts,
      nextAttemptAt: x.nextAttemptAt.toISOString(),
      lastError: x.lastError,
      contentType: x.contentType,
      payload: payloadView(x.payload, x.contentType),
      createdAt: x.createdAt.toISOString(),
      sentAt: x.sentAt?.toISOString() ?? null,
      response: x.response,
      attemptLog: x.attemptLog.map((a) => ({ ...a, at: a.at.toISOString() })),
    })),
  };
}

/**
 * Unknown query parameters are refused rather than dropped: a misspelt filter (patientID) would
 * otherwise answer every message as if it matched.
 */
function assertKnownParams(request: FastifyRequest): void {
  const search = new URL(request.url, 'http://localhost').searchParams;
  const unknown = [...new Set(search.keys())].filter((k) => !KNOWN_PARAMS.has(k));
  if (unknown.length > 0) throw badRequest(`unknown query parameter(s): ${unknown.join(', ')}`);
}

function searchFilter(q: SearchQuery): MessageSearchFilter {
  const date = (value: string | undefined, name: string): Date | undefined => {
    if (value === undefined) return undefined;
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) throw badRequest(`${name} is not an ISO timestamp`);
    return d;
  };
  if (q.authority !== undefined && q.patientId === undefined) {
    throw badRequest('authority narrows patientId: give patientId too');
  }
  return {
    ...(q.channel !== undefined ? { channel: q.channel } : {}),
    ...(q.listener !== undefined ? { listener: q.listener } : {}),
    ...(q.status !== undefined ? { status: q.status as MessageStatus } : {}),
    ...(q.messageType !== undefined ? { messageType: q.messageType } : {}),
    ...(q.trigger !== undefined ? { triggerEvent: q.trigger } : {}),
    ...(q.controlId !== undefined ? { controlId: q.controlId } : {}),
    ...(q.patientId !== undefined ? { patientId: q.patientId } : {}),
    ...(q.authority !== undefined ? { authority: q.authority } : {}),
    ...(q.from !== undefined ? { from: date(q.from, 'from') } : {}),
    ...(q.to !== undefined ? { to: date(q.to, 'to') } : {}),
    ...(q.q !== undefined ? { text: q.q } : {}),
  };
}

type Reprocessed = Static<typeof ReprocessResult>;

/** ctx.reprocess, told apart into queued / unknown message / not in a reprocessable status. */
async function reprocessOne(ctx: ApiContext, id: string): Promise<Reprocessed> {
  const result = await ctx.reprocess(id);
  if (result.ok) return { id, outcome: 'queued', message: result.message };
  const exists = (await ctx.store.get(id)) !== null;
  return exists
    ? { id, outcome: 'conflict', message: result.message }
    : { id, outcome: 'not-found', message: `message ${id} not found` };
}

export const messageRoutes: RouteModule = (app, ctx) => {
  const search = new MessageSearch(ctx.db);
  const details = new MessageDetails(ctx.db);

  app.get<{ Querystring: SearchQuery }>(
    '/api/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Search messages, newest first (no content; keyset-paginated with nextCursor)',
        description:
          'Every filter but q is an index lookup. q reads raw content: it scans newest first until a page ' +
          'is full, over the rows the other filters leave. Audited (message.search) with the names of the ' +
          'filters used, not their values.',
        querystring: SearchQuery,
        response: { 200: SearchPage, 400: ErrorBody },
      },
    },
    async (request) => {
      assertKnownParams(request);
      const q = request.query;
      const filter = searchFilter(q);
      let page;
      try {
        page = await search.search(filter, {
          limit: q.limit ?? SEARCH_DEFAULT_LIMIT,
          cursor: q.cursor ?? null,
        });
      } catch (err) {
        if (err instanceof InvalidCursorError) throw badRequest(err.message);
        throw err;
      }
      await auditRequest(ctx.audit, request, 'message.search', null, {
        filters: FILTER_PARAMS.filter((name) => q[name] !== undefined).join(','),
        page: q.cursor === undefined ? 'first' : 'next',
        results: page.items.length,
      });
      return { items: page.items.map(summaryBody), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'One message: raw and parsed content, ACK, channel results, deliveries with attempts',
        description: 'Audited (message.read, target message/<id>).',
        params: IdParams,
        response: { 200: Detail, 404: ErrorBody },
      },
    },
    async (request) => {
      const detail = await details.read(request.params.id);
      if (!detail) throw notFound(`message ${request.params.id}`);
      await auditRequest(ctx.audit, request, 'message.read', `message/${detail.summary.id}`);
      return detailBody(detail);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/messages/:id/reprocess',
    {
      schema: {
        tags: ['messages'],
        summary: 'Put a processed, filtered or error message back through its channels',
        params: IdParams,
        response: { 200: ReprocessResult, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const result = await reprocessOne(ctx, id);
      if (result.outcome === 'not-found') throw notFound(`message ${id}`);
      await auditRequest(ctx.audit, request, 'message.reprocess', `message/${id}`, {
        outcome: result.outcome,
      });
      if (result.outcome === 'conflict') throw conflict(result.message);
      return result;
    },
  );

  app.post<{ Body: Static<typeof BulkReprocess> }>(
    '/api/messages/reprocess',
    {
      schema: {
        tags: ['messages'],
        summary: 'Reprocess up to 1000 messages; an outcome per id (one audit row per message)',
        body: BulkReprocess,
        response: { 200: BulkResult, 400: ErrorBody },
      },
    },
    async (request) => {
      const results: Reprocessed[] = [];
      for (const id of new Set(request.body.ids)) {
        const result = await reprocessOne(ctx, id);
        results.push(result);
        if (result.outcome !== 'not-found') {
          await auditRequest(ctx.audit, request, 'message.reprocess', `message/${id}`, {
            outcome: result.outcome,
            bulk: true,
          });
        }
      }
      return { queued: results.filter((r) => r.outcome === 'queued').length, results };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/deliveries/:id/resend',
    {
      schema: {
        tags: ['messages'],
        summary: 'Queue a sent or dead-lettered delivery again, due now',
        params: IdParams,
        response: { 200: ResendResult, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const delivery = await details.delivery(id);
      if (!delivery) throw notFound(`delivery ${id}`);
      if (!(await ctx.store.requeueDelivery(delivery.id))) {
        throw conflict(`delivery ${delivery.id} is still queued`);
      }
      ctx.channels.kickQueues(delivery.channelId, [delivery.destination]);
      await auditRequest(ctx.audit, request, 'delivery.resend', `delivery/${delivery.id}`, {
        messageId: delivery.messageId,
        channel: delivery.channelId,
        destination: delivery.destination,
      });
      return {
        id: delivery.id,
        messageId: delivery.messageId,
        channelId: delivery.channelId,
        destination: delivery.destination,
        status: 'queued' as const,
      };
    },
  );
};
