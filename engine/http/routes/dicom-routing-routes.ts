/**
 * DICOM routing over HTTP: the DICOM channels with their queue counters, the deliveries (newest
 * first, by channel and status, paged by id), and retrying a dead-lettered delivery (audited like the
 * HL7 resend). Deliveries name studies and instances by UID, which identify a patient's images, so
 * listing them needs messages.read-content and is audited as dicom.read.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  DICOM_DELIVERY_STATUSES,
  isDicomDeliveryId,
  type DicomDelivery,
} from '../../dicom/routing/dicom-delivery-store.ts';
import { ErrorBody } from '../api-schemas.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest, conflict, notFound } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Status = Type.Union(DICOM_DELIVERY_STATUSES.map((s) => Type.Literal(s)));
const Counters = Type.Object({
  queued: Type.Integer(),
  sent: Type.Integer(),
  dead: Type.Integer({ description: 'dead-lettered (status error)' }),
});

const ChannelList = Type.Object({
  channels: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      enabled: Type.Boolean(),
      file: Type.String({ description: 'file name in channels/dicom/' }),
      counters: Counters,
      destinations: Type.Array(
        Type.Object({
          name: Type.String(),
          type: Type.Union([Type.Literal('dicom-forward'), Type.Literal('dicom-store')]),
          enabled: Type.Boolean(),
          ae: Nullable(Type.String({ description: 'dicom-forward: the remote AE title' })),
          counters: Counters,
        }),
      ),
    }),
  ),
});

const Delivery = Type.Object({
  id: Type.String({ description: 'bigint as a decimal string' }),
  channelId: Type.String(),
  destination: Type.String(),
  sopInstanceUid: Type.String(),
  studyInstanceUid: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  nextAttemptAt: DateTime,
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  sentAt: Nullable(DateTime),
});
const DeliveryQuery = Type.Object({
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(Status),
  cursor: Type.Optional(Type.String({ maxLength: 20, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const DeliveryPage = Type.Object({
  deliveries: Type.Array(Delivery),
  nextCursor: Nullable(Type.String({ description: 'pass as cursor for the next (older) page' })),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
const RetryResult = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  destination: Type.String(),
  status: Type.Literal('queued'),
});

function toJson(d: DicomDelivery): Static<typeof Delivery> {
  return {
    id: d.id,
    channelId: d.channelId,
    destination: d.destination,
    sopInstanceUid: d.sopInstanceUid,
    studyInstanceUid: d.studyInstanceUid,
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    nextAttemptAt: d.nextAttemptAt.toISOString(),
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
  };
}

export const dicomRoutingRoutes: RouteModule = (app, ctx) => {
  const routing = ctx.dicomRouting;

  app.get(
    '/api/dicom/channels',
    {
      schema: {
        tags: ['dicom'],
        summary: 'DICOM channels (channels/dicom/) with queued, sent and dead-lettered counts',
        response: { 200: ChannelList },
      },
    },
    async () => {
      const counts = await routing.deliveries.counts();
      const count = (channelId: string, destination?: string) => {
        const c = { queued: 0, sent: 0, dead: 0 };
        for (const r of counts) {
          if (r.channelId !== channelId || (destination !== undefined && r.destination !== destination))
            continue;
          c[r.status === 'error' ? 'dead' : r.status] += r.count;
        }
        return c;
      };
      return {
        channels: routing.channels.map((c) => ({
          id: c.id,
          name: c.name,
          enabled: c.enabled,
          file: c.file.split(/[\\/]/).pop() ?? c.file,
          counters: count(c.id),
          destinations: c.destinations.map((d) => ({
            name: d.name,
            type: d.type,
            enabled: d.enabled,
            ae: d.type === 'dicom-forward' ? d.ae : null,
            counters: count(c.id, d.name),
          })),
        })),
      };
    },
  );

  app.get<{ Querystring: Static<typeof DeliveryQuery> }>(
    '/api/dicom/deliveries',
    {
      schema: {
        tags: ['dicom'],
        summary: 'DICOM channel deliveries, newest first',
        description: 'Filter by channel and status; page with cursor. Audited (dicom.read).',
        querystring: DeliveryQuery,
        response: { 200: DeliveryPage, 400: ErrorBody },
      },
    },
    async (request) => {
      const { channel, status, cursor } = request.query;
      if (cursor !== undefined && !isDicomDeliveryId(cursor)) throw badRequest('cursor is not a delivery id');
      const limit = request.query.limit ?? 100;
      const rows = await routing.deliveries.list({
        ...(channel !== undefined ? { channelId: channel } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(cursor !== undefined ? { before: cursor } : {}),
        limit,
      });
      await auditRequest(ctx.audit, request, 'dicom.read', 'dicom/deliveries', {
        channel: channel ?? null,
        status: status ?? null,
        deliveries: rows.length,
      });
      return {
        deliveries: rows.map(toJson),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/dicom/deliveries/:id/retry',
    {
      schema: {
        tags: ['dicom'],
        summary: 'Queue a dead-lettered DICOM delivery again, due now',
        description:
          'It gets one more attempt; if that fails it is dead-lettered again. 409 when it is not ' +
          'dead-lettered, or its channel or destination is not configured and enabled. Audited (delivery.resend).',
        params: IdParams,
        response: { 200: RetryResult, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const delivery = await routing.deliveries.get(id);
      if (!delivery) throw notFound(`DICOM delivery ${id}`);
      if (!routing.sends(delivery.channelId, delivery.destination))
        throw conflict(
          `DICOM delivery ${delivery.id}: destination ${delivery.destination} of channel ${delivery.channelId} is not configured or not enabled`,
        );
      if (!(await routing.deliveries.requeue(delivery.id)))
        throw conflict(
          `DICOM delivery ${delivery.id} is ${delivery.status}: only dead-lettered deliveries are retried`,
        );
      routing.kick(delivery.channelId, delivery.destination);
      await auditRequest(ctx.audit, request, 'delivery.resend', `dicom-delivery/${delivery.id}`, {
        channel: delivery.channelId,
        destination: delivery.destination,
      });
      return {
        id: delivery.id,
        channelId: delivery.channelId,
        destination: delivery.destination,
        status: 'queued' as const,
      };
    },
  );
};
