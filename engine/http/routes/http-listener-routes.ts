/**
 * The HTTP listener: POST /api/channels/{id}/messages takes one HL7 v2 message (or an FHS/BHS batch)
 * for one channel and answers with its acknowledgment, as an MLLP listener would. It goes through the
 * same ingest path (group commit, dedup, ACK only after the commit, rejects stored for review); what
 * differs is who takes the message: only the channel named in the path, never the others sharing its
 * MLLP listener. The message is stored with listener `http:<channel id>`, which is what routes it to
 * that channel alone (engine/channels/process-message.ts).
 *
 * The answer is HTTP 200 whatever the ACK code (AA, AE, AR: the ACK says what happened, as
 * HL7-over-HTTP senders expect), 503 when nothing could be stored (the sender must resend), and a
 * JSON error for requests that carry no message at all (unknown channel, empty or oversized body).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import { httpListenerId } from '../../channels/process-message.ts';
import { matchesMessageType } from '../../channels/filters.ts';
import { bufferCharset } from '../../hl7/input.ts';
import { ingestHl7Frame } from '../../ingest/batch-ingest.ts';
import type { Hl7IngestDeps } from '../../ingest/hl7-ingest.ts';
import type { IngestRequest, IngestResult } from '../../store/types.ts';
import type { ApiContext } from '../api-context.ts';
import { badRequest, HttpError, notFound, sendError } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';
import { ErrorBody } from '../api-schemas.ts';

/** What senders may declare the body as; the server hands these over as raw bytes (http-server.ts). */
const HL7_MEDIA_TYPES = ['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain'] as const;
const ACK_MEDIA_TYPE = 'x-application/hl7-v2+er7';
export const MESSAGE_ID_HEADER = 'x-switchboard-message-id';
export const ACK_CODE_HEADER = 'x-switchboard-ack-code';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const Hl7Body = {
  description: 'One HL7 v2 message in ER7 (pipe) encoding, or a batch (FHS/BHS); kept byte for byte',
};
const AckBody = {
  description:
    'The acknowledgment (a batch of ACKs for a batch). Headers: X-Switchboard-Message-Id (stored ' +
    'message ids, comma-separated for a batch) and X-Switchboard-Ack-Code (MSA-1 of each ACK).',
  headers: {
    'X-Switchboard-Message-Id': { type: 'string', description: 'Stored message id(s)' },
    'X-Switchboard-Ack-Code': { type: 'string', description: 'MSA-1 of each acknowledgment' },
  },
  content: { [ACK_MEDIA_TYPE]: { schema: { type: 'string' } } },
};

/** Lets ingest take messages for one channel: it must be routed (not stopped) and take the type. */
function channelIngest(
  ctx: ApiContext,
  channelId: string,
): { deps: Hl7IngestDeps; stored: IngestResult[]; storeFailed: () => boolean } {
  const stored: IngestResult[] = [];
  let failed = false;
  const deps: Hl7IngestDeps = {
    ...ctx.ingest,
    accepts: (_listener, messageType, triggerEvent) => {
      const channel = ctx.channels.routed().find((c) => c.spec.id === channelId);
      return !!channel && matchesMessageType(channel.spec.source.messageTypes, messageType, triggerEvent);
    },
    ingest: async (request: IngestRequest) => {
      try {
        const result = await ctx.ingest.ingest(request);
        stored.push(result);
        return result;
      } catch (err) {
        failed = true;
        throw err;
      }
    },
  };
  return { deps, stored, storeFailed: () => failed };
}

/** MSA-1 of every acknowledgment in the answer, in order. */
function ackCodes(ack: Buffer): string[] {
  const codes: string[] = [];
  for (const segment of ack.toString('latin1').split(/\r\n|\r|\n/)) {
    if (segment.startsWith('MSA') && segment.length > 3) codes.push(segment.split(segment[3]!)[1] ?? '');
  }
  return codes;
}

/**
 * The charset to label the ACK with: the message's, unless the ACK holds non-ASCII bytes, which
 * ingest always writes as UTF-8 (a header value echoed from the message).
 */
function ackCharset(message: Buffer, ack: Buffer): string {
  if (ack.some((b) => b > 0x7f)) return 'utf-8';
  const bom = message.length >= 3 && message[0] === 0xef && message[1] === 0xbb && message[2] === 0xbf;
  return bufferCharset(bom ? message.subarray(3) : message) === 'latin1' ? 'iso-8859-1' : 'utf-8';
}

function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The most a channel's message may be: its MLLP listener's limit (the server's body limit is the largest). */
function limitOf(ctx: ApiContext, listener: string): number | null {
  return ctx.config.mllp.find((l) => l.name === listener)?.maxMessageBytes ?? null;
}

/** No bytes, or only line breaks and spaces: nothing to store or review. */
function isBlank(body: Buffer): boolean {
  return body.every((b) => b === 0x0d || b === 0x0a || b === 0x20 || b === 0x09);
}

function tooLarge(message: string): HttpError {
  return new HttpError(413, 'payload-too-large', message);
}

export const httpListenerRoutes: RouteModule = (app, ctx) => {
  app.post<{ Params: Static<typeof Params> }>(
    '/api/channels/:id/messages',
    {
      schema: {
        tags: ['http listener'],
        summary: 'Send an HL7 v2 message to one channel; answers with its ACK once it is stored',
        description:
          'Same durability as the MLLP listeners: the ACK is sent only after the message is committed; ' +
          'a resend within the dedup window gets the original ACK; malformed or unaccepted messages are ' +
          'stored and answered AR. HTTP 200 for every ACK code (the ACK says what happened); 503 (with ' +
          'an AE) when the message could not be stored and must be resent.',
        params: Params,
        body: { content: Object.fromEntries(HL7_MEDIA_TYPES.map((t) => [t, { schema: Hl7Body }])) },
        response: {
          200: AckBody,
          400: ErrorBody,
          404: ErrorBody,
          413: ErrorBody,
          415: ErrorBody,
          503: AckBody,
        },
      },
      errorHandler(error: FastifyError, request, reply) {
        // Refused by the server's body limit before the handler ran: say so plainly, in JSON.
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          const e = tooLarge(`the message is larger than the limit of ${app.initialConfig.bodyLimit} bytes`);
          return sendError(request, reply, e.status, e.code, e.message);
        }
        throw error;
      },
    },
    async (request, reply) => {
      const channelId = request.params.id;
      const channel = ctx.channels.status().find((c) => c.id === channelId);
      if (!channel) throw notFound(`channel "${channelId}"`);
      const body = request.body;
      if (body === undefined || body === null || (Buffer.isBuffer(body) && isBlank(body))) {
        throw badRequest('the request body is empty: send one HL7 v2 message');
      }
      if (!Buffer.isBuffer(body) || !(HL7_MEDIA_TYPES as readonly string[]).includes(mediaTypeOf(request))) {
        throw new HttpError(
          415,
          'unsupported-media-type',
          `send the message as ${HL7_MEDIA_TYPES.join(', ')}`,
        );
      }
      const frame = body;
      const limit = limitOf(ctx, channel.listener);
      if (limit !== null && frame.length > limit) {
        throw tooLarge(
          `the message is ${frame.length} bytes; channel "${channelId}" takes at most ${limit} ` +
            `(maxMessageBytes of listener "${channel.listener}")`,
        );
      }

      const { deps, stored, storeFailed } = channelIngest(ctx, channelId);
      const listenerId = httpListenerId(channelId);
      const acks = await ingestHl7Frame(
        frame,
        { listener: listenerId, listenerId, remoteAddress: request.ip ?? null, ackMode: 'original' },
        deps,
      );
      const ack = Buffer.concat(acks);
      if (stored.length > 0) reply.header(MESSAGE_ID_HEADER, stored.map((r) => r.messageId).join(', '));
      return reply
        .code(storeFailed() && stored.length === 0 ? 503 : 200)
        .header(ACK_CODE_HEADER, ackCodes(ack).join(', '))
        .type(`${ACK_MEDIA_TYPE}; charset=${ackCharset(frame, ack)}`)
        .send(ack);
    },
  );
};
