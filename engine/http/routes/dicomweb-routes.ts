/**
 * DICOMweb (PS3.18) under /dicomweb, behind the API's auth:
 *  - QIDO-RS search of studies, series and instances (application/dicom+json from the index),
 *  - WADO-RS retrieve of a study, series or instance as multipart/related; type="application/dicom"
 *    with the stored Part-10 bytes unchanged, and their metadata (DICOM JSON, absolute BulkDataURIs),
 *  - STOW-RS: each application/dicom part stored through the C-STORE handler (object store, then
 *    index), answered with the Store Instances Response (ReferencedSOPSequence, FailedSOPSequence).
 *  - WADO-RS frames of an instance (PS3.18 10.4, Frames resource), cut from the stored pixel data
 *    (frames.ts): native as application/octet-stream, compressed with the media type of its syntax.
 *  - WADO-RS bulk data at the BulkDataURIs the metadata gives (bulkdata.ts): pixel data as its frames,
 *    other bulk elements as their value bytes.
 * Not served: rendered images, transcoding (a transfer syntax other than the
 * stored one is a 406). Every retrieve is audited as dicom.read on study/, series/ or instance/<uid>,
 * every search as dicom.search with parameter names (never values), every store as dicom.store.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InstanceRecord } from '../../dicom/dicom-index.ts';
import { DicomParseError, parsePart10 } from '../../dicom/parse-part10.ts';
import { acceptedDicomTransferSyntax, acceptsDicomJson } from '../../dicom/web/accept.ts';
import { defaultFrameMedia, isVideoSyntax, negotiateFrameMedia } from '../../dicom/web/frame-media.ts';
import {
  BulkDataError,
  parseBulkDataPath,
  readBulkData,
  type BulkData,
  type BulkDataErrorKind,
} from '../../dicom/web/bulkdata.ts';
import {
  extractFrames,
  FrameError,
  parseFrameList,
  type ExtractedFrames,
  type FrameErrorKind,
} from '../../dicom/web/frames.ts';
import {
  instanceJson,
  instanceUrl,
  seriesJson,
  STOW_FAILURE,
  stowResponseJson,
  studyJson,
  withAbsoluteBulkData,
  type DicomWebUrls,
  type StowOutcome,
} from '../../dicom/web/dicomweb-json.ts';
import {
  decodeMultipart,
  MultipartError,
  multipartStream,
  newBoundary,
  paramValue,
  parseMediaType,
  type OutgoingPart,
} from '../../dicom/web/multipart.ts';
import { parseQidoQuery, QidoQueryError, type QidoLevel } from '../../dicom/web/qido-query.ts';
import { ErrorBody } from '../api-schemas.ts';
import type { ApiContext } from '../api-context.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest, HttpError } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';

type App = Parameters<RouteModule>[0];

const DICOM_JSON = 'application/dicom+json';
/** A STOW-RS request is buffered whole: this is the most it may carry. */
export const STOW_BODY_LIMIT = 512 * 1024 * 1024;
/** Instances of one study or series a retrieve or metadata request answers at most. */
const MAX_RETRIEVE_INSTANCES = 100_000;
/** The calling AE title STOW-RS arrivals carry in the index and in DICOM channel rules (`callingAe`). */
export const STOW_CALLING_AE = 'STOW-RS';

const Uid = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)*$', maxLength: 64, description: 'DICOM UID' });
const StudyParams = Type.Object({ study: Uid });
const SeriesParams = Type.Object({ study: Uid, series: Uid });
const InstanceParams = Type.Object({ study: Uid, series: Uid, instance: Uid });
const FrameParams = Type.Object({
  study: Uid,
  series: Uid,
  instance: Uid,
  frames: Type.String({
    pattern: '^[0-9]+(,[0-9]+)*$',
    maxLength: 100_000,
    description: 'Frame numbers, 1-based, comma separated (e.g. 1,3,5)',
  }),
});

const DicomJson = Type.Array(Type.Object({}, { additionalProperties: true }), {
  description: 'DICOM JSON (PS3.18 F.2): one dataset per match, tags as 8 hex digits with vr and Value',
});
const Multipart = Type.String({
  description: 'multipart/related; type="application/dicom": one Part-10 object per part, as stored',
});
const StowResponse = Type.Object(
  {},
  { additionalProperties: true, description: 'Store Instances Response (DICOM JSON)' },
);
const QidoQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ description: 'At most 1000' })),
    offset: Type.Optional(Type.String()),
    includefield: Type.Optional(Type.String({ description: 'Tags or keywords, comma separated, or all' })),
    PatientID: Type.Optional(Type.String()),
    PatientName: Type.Optional(Type.String({ description: 'Wildcards * and ?' })),
    StudyDate: Type.Optional(Type.String({ description: 'YYYYMMDD or a range YYYYMMDD-YYYYMMDD' })),
    AccessionNumber: Type.Optional(Type.String()),
    ModalitiesInStudy: Type.Optional(Type.String()),
    Modality: Type.Optional(Type.String()),
    StudyInstanceUID: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 406: ErrorBody };
const BulkDataParams = Type.Object({
  study: Uid,
  series: Uid,
  instance: Uid,
  '*': Type.String({ description: 'tag, or sequence tag / item index / ... / tag, as in a BulkDataURI' }),
});
const FrameParts = Type.String({
  description:
    'multipart/related, one part per frame in the order asked: application/octet-stream (native, ' +
    'transfer-syntax 1.2.840.10008.1.2.1) or the compressed media type of the stored transfer syntax',
});

function queryPairs(request: FastifyRequest): [string, string][] {
  const q = request.url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
}

function urlsOf(request: FastifyRequest): DicomWebUrls {
  return { base: `${request.protocol}://${request.host || '127.0.0.1'}/dicomweb` };
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(DICOM_JSON).send(JSON.stringify(body));
}

function requireJson(request: FastifyRequest): void {
  if (!acceptsDicomJson(request.headers.accept)) {
    throw new HttpError(406, 'not-acceptable', `only ${DICOM_JSON} is served here`);
  }
}

// ---------------------------------------------------------------- QIDO-RS

interface QidoRoute {
  readonly url: string;
  readonly level: QidoLevel;
  readonly summary: string;
  readonly params?: typeof StudyParams | typeof SeriesParams;
}

const QIDO_ROUTES: readonly QidoRoute[] = [
  { url: '/dicomweb/studies', level: 'study', summary: 'QIDO-RS: search studies' },
  { url: '/dicomweb/series', level: 'series', summary: 'QIDO-RS: search series of all studies' },
  { url: '/dicomweb/instances', level: 'instance', summary: 'QIDO-RS: search instances of all studies' },
  {
    url: '/dicomweb/studies/:study/series',
    level: 'series',
    summary: 'QIDO-RS: search the series of a study',
    params: StudyParams,
  },
  {
    url: '/dicomweb/studies/:study/instances',
    level: 'instance',
    summary: 'QIDO-RS: search the instances of a study',
    params: StudyParams,
  },
  {
    url: '/dicomweb/studies/:study/series/:series/instances',
    level: 'instance',
    summary: 'QIDO-RS: search the instances of a series',
    params: SeriesParams,
  },
];

async function runQido(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  route: QidoRoute,
): Promise<FastifyReply> {
  requireJson(request);
  const path = (request.params ?? {}) as { study?: string; series?: string };
  let query;
  try {
    query = parseQidoQuery(route.level, queryPairs(request), {
      ...(path.study !== undefined ? { studyInstanceUid: path.study } : {}),
      ...(path.series !== undefined ? { seriesInstanceUid: path.series } : {}),
    });
  } catch (err) {
    if (err instanceof QidoQueryError) throw badRequest(err.message);
    throw err;
  }
  const urls = urlsOf(request);
  let results: unknown[];
  if (route.level === 'study') {
    results = (await ctx.dicomIndex.findStudies(query.filter)).map((s) => studyJson(urls, s));
  } else if (route.level === 'series') {
    results = (await ctx.dicomIndex.findSeries(query.filter)).map((s) => seriesJson(urls, s));
  } else {
    const instances = await ctx.dicomIndex.findInstances(query.filter);
    const include = query.includeFields;
    results = [];
    for (const i of instances) {
      const stored =
        include === 'all' || include.length > 0 ? await ctx.dicomIndex.instanceJson(i.sopInstanceUid) : null;
      results.push(instanceJson(urls, i, include, stored));
    }
  }
  const target = path.series
    ? `series/${path.series}`
    : path.study
      ? `study/${path.study}`
      : { study: 'studies', series: 'series', instance: 'instances' }[route.level];
  await auditRequest(ctx.audit, request, 'dicom.search', target, {
    level: route.level,
    params: query.names.join(','),
    count: results.length,
  });
  if (query.ignored.length > 0) {
    const names = query.ignored.map((n) => n.slice(0, 64).replace(/[^A-Za-z0-9_.-]/g, '?')).join(', ');
    reply.header('warning', `299 switchboard "ignored query parameters: ${names}"`);
  }
  return sendJson(reply, 200, results);
}

function registerQido(app: App, ctx: ApiContext): void {
  for (const route of QIDO_ROUTES) {
    app.get(
      route.url,
      {
        schema: {
          tags: ['dicomweb'],
          summary: route.summary,
          ...(route.params ? { params: route.params } : {}),
          querystring: QidoQuery,
          response: { 200: DicomJson, ...ERRORS },
        },
      },
      (request, reply) => runQido(ctx, request, reply, route),
    );
  }
}

// ---------------------------------------------------------------- WADO-RS

type Scope = { study: string; series?: string; instance?: string };

function targetOf(scope: Scope): string {
  if (scope.instance) return `instance/${scope.instance}`;
  if (scope.series) return `series/${scope.series}`;
  return `study/${scope.study}`;
}

async function instancesOf(ctx: ApiContext, scope: Scope): Promise<InstanceRecord[]> {
  return ctx.dicomIndex.findInstances({
    studyInstanceUid: scope.study,
    ...(scope.series ? { seriesInstanceUid: scope.series } : {}),
    ...(scope.instance ? { sopInstanceUid: scope.instance } : {}),
    limit: MAX_RETRIEVE_INSTANCES,
  });
}

async function retrieve(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: Scope,
): Promise<FastifyReply> {
  const wanted = acceptedDicomTransferSyntax(request.headers.accept);
  if (wanted === null) {
    throw new HttpError(406, 'not-acceptable', 'only multipart/related; type="application/dicom" is served');
  }
  const instances = await instancesOf(ctx, scope);
  await auditRequest(ctx.audit, request, 'dicom.read', targetOf(scope), {
    interaction: 'retrieve',
    outcome: instances.length > 0 ? 'found' : 'not-found',
    count: instances.length,
  });
  if (instances.length === 0) throw new HttpError(404, 'not-found', `${targetOf(scope)} not found`);
  if (wanted !== '*' && instances.some((i) => i.transferSyntaxUid !== wanted)) {
    throw new HttpError(
      406,
      'not-acceptable',
      `stored in another transfer syntax than ${wanted.slice(0, 64)}; ask for transfer-syntax=* (no transcoding here)`,
    );
  }
  // The first object is read before answering, so a missing single instance is an error, not a cut stream.
  const first = await readObject(ctx, instances[0]!);
  async function* parts(): AsyncGenerator<OutgoingPart> {
    for (const [n, i] of instances.entries()) {
      const body = n === 0 ? first : await readObject(ctx, i);
      yield {
        contentType: `application/dicom; transfer-syntax=${i.transferSyntaxUid}`,
        headers: {
          'Content-Location': instanceUrl(
            urlsOf(request),
            i.studyInstanceUid,
            i.seriesInstanceUid,
            i.sopInstanceUid,
          ),
        },
        body,
      };
    }
  }
  const boundary = newBoundary();
  return reply
    .code(200)
    .header(
      'content-type',
      `multipart/related; type=${paramValue('application/dicom')}; boundary=${paramValue(boundary)}`,
    )
    .send(multipartStream(boundary, parts()));
}

async function readObject(ctx: ApiContext, i: InstanceRecord): Promise<Buffer> {
  const bytes = await ctx.objects.get(i.objectKey);
  if (bytes === null) throw new Error(`indexed DICOM object ${i.objectKey} is missing from the object store`);
  return bytes;
}

async function metadata(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: Scope,
): Promise<FastifyReply> {
  requireJson(request);
  const instances = await instancesOf(ctx, scope);
  await auditRequest(ctx.audit, request, 'dicom.read', targetOf(scope), {
    interaction: 'metadata',
    outcome: instances.length > 0 ? 'found' : 'not-found',
    count: instances.length,
  });
  if (instances.length === 0) throw new HttpError(404, 'not-found', `${targetOf(scope)} not found`);
  const urls = urlsOf(request);
  const out = [];
  for (const i of instances) {
    const stored = await ctx.dicomIndex.instanceJson(i.sopInstanceUid);
    if (stored === null) continue; // removed between the two queries
    out.push(
      withAbsoluteBulkData(
        stored,
        instanceUrl(urls, i.studyInstanceUid, i.seriesInstanceUid, i.sopInstanceUid),
      ),
    );
  }
  return sendJson(reply, 200, out);
}

/** HTTP status of each reason a frame or bulk data retrieve cannot be answered. */
const STORED_DATA_ERROR_STATUS = {
  'bad-request': [400, 'bad-request'],
  // The target resource (the frames, the bulk data element) does not exist for this instance.
  'no-pixel-data': [404, 'not-found'],
  'not-found': [404, 'not-found'],
  unsupported: [501, 'not-implemented'],
  'invalid-object': [500, 'invalid-stored-object'],
} as const satisfies Record<FrameErrorKind | BulkDataErrorKind, readonly [number, string]>;

async function retrieveFrames(
  ctx: ApiContext,
  request: FastifyRequest<{ Params: Static<typeof FrameParams> }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { frames: list, ...scope } = request.params;
  let wanted: number[];
  try {
    wanted = parseFrameList(list);
  } catch (err) {
    if (err instanceof FrameError) throw badRequest(err.message);
    throw err;
  }
  const [instance] = await instancesOf(ctx, scope);
  await auditRequest(ctx.audit, request, 'dicom.read', targetOf(scope), {
    interaction: 'frames',
    outcome: instance ? 'found' : 'not-found',
    count: wanted.length,
  });
  if (!instance) throw new HttpError(404, 'not-found', `${targetOf(scope)} not found`);
  if (isVideoSyntax(instance.transferSyntaxUid)) {
    throw new HttpError(
      501,
      'not-implemented',
      'frames of a video stream cannot be cut without decoding; retrieve the instance',
    );
  }
  let extracted: ExtractedFrames;
  try {
    extracted = extractFrames(await readObject(ctx, instance), wanted);
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
    const [status, code] = STORED_DATA_ERROR_STATUS[err.kind];
    if (err.kind === 'invalid-object') {
      ctx.logger.error('stored DICOM object has unreadable pixel data', {
        sopInstanceUid: instance.sopInstanceUid,
      });
    }
    throw new HttpError(status, code, err.message);
  }
  return sendStoredParts(request, reply, { ...extracted, parts: extracted.frames }, 'frames');
}

/** Frames or bulk data as multipart/related, in the media type they are stored in (no transcoding). */
function sendStoredParts(
  request: FastifyRequest,
  reply: FastifyReply,
  data: {
    readonly transferSyntaxUid: string;
    readonly encapsulated: boolean;
    readonly parts: readonly Buffer[];
  },
  what: 'frames' | 'bulk data',
): FastifyReply {
  const served = defaultFrameMedia(data.transferSyntaxUid, data.encapsulated);
  const media = negotiateFrameMedia(request.headers.accept, served);
  if (media === null) {
    throw new HttpError(
      406,
      'not-acceptable',
      `${what} is served as multipart/related; type="${served.type}"; transfer-syntax=${served.transferSyntaxUid} (no transcoding here)`,
    );
  }
  const boundary = newBoundary();
  const contentType = `${media.type}; transfer-syntax=${media.transferSyntaxUid}`;
  async function* parts(): AsyncGenerator<OutgoingPart> {
    for (const body of data.parts) yield { contentType, body };
  }
  return reply
    .code(200)
    .header(
      'content-type',
      `multipart/related; type=${paramValue(media.type)}; boundary=${paramValue(boundary)}`,
    )
    .send(multipartStream(boundary, parts()));
}

async function retrieveBulkData(
  ctx: ApiContext,
  request: FastifyRequest<{ Params: Static<typeof BulkDataParams> }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { '*': pathText, ...scope } = request.params;
  let data: BulkData;
  try {
    const path = parseBulkDataPath(pathText);
    const [instance] = await instancesOf(ctx, scope);
    await auditRequest(ctx.audit, request, 'dicom.read', targetOf(scope), {
      interaction: 'bulkdata',
      outcome: instance ? 'found' : 'not-found',
      path: path.join('/'),
    });
    if (!instance) throw new HttpError(404, 'not-found', `${targetOf(scope)} not found`);
    if (path.length === 1 && path[0]!.startsWith('7FE0') && isVideoSyntax(instance.transferSyntaxUid)) {
      throw new HttpError(
        501,
        'not-implemented',
        'the pixel data of a video stream is served by retrieving the instance',
      );
    }
    data = readBulkData(await readObject(ctx, instance), path);
  } catch (err) {
    if (!(err instanceof BulkDataError)) throw err;
    const [status, code] = STORED_DATA_ERROR_STATUS[err.kind];
    if (err.kind === 'invalid-object')
      ctx.logger.error('stored DICOM object has unreadable bulk data', { sopInstanceUid: scope.instance });
    throw new HttpError(status, code, err.message);
  }
  return sendStoredParts(request, reply, data, 'bulk data');
}

function registerWado(app: App, ctx: ApiContext): void {
  app.get<{ Params: Static<typeof BulkDataParams> }>(
    '/dicomweb/studies/:study/series/:series/instances/:instance/bulkdata/*',
    {
      schema: {
        tags: ['dicomweb'],
        summary: 'WADO-RS: a bulk data element of an instance, at the BulkDataURI its metadata gives',
        description:
          'Pixel Data as its frames (native: one little endian part; encapsulated: one part per frame, ' +
          'as stored), any other bulk element as its value bytes. Audited (dicom.read).',
        params: BulkDataParams,
        response: { 200: FrameParts, ...ERRORS, 500: ErrorBody, 501: ErrorBody },
      },
    },
    (request, reply) => retrieveBulkData(ctx, request, reply),
  );
  app.get<{ Params: Static<typeof FrameParams> }>(
    '/dicomweb/studies/:study/series/:series/instances/:instance/frames/:frames',
    {
      schema: {
        tags: ['dicomweb'],
        summary: 'WADO-RS: frames of an instance (multipart/related, one part per frame, as stored)',
        params: FrameParams,
        response: { 200: FrameParts, ...ERRORS, 500: ErrorBody, 501: ErrorBody },
      },
    },
    (request, reply) => retrieveFrames(ctx, request, reply),
  );
  const levels = [
    { url: '/dicomweb/studies/:study', what: 'a study', params: StudyParams },
    { url: '/dicomweb/studies/:study/series/:series', what: 'a series', params: SeriesParams },
    {
      url: '/dicomweb/studies/:study/series/:series/instances/:instance',
      what: 'an instance',
      params: InstanceParams,
    },
  ] as const;
  for (const level of levels) {
    app.get<{ Params: Static<typeof InstanceParams> }>(
      level.url,
      {
        schema: {
          tags: ['dicomweb'],
          summary: `WADO-RS: retrieve ${level.what} (multipart/related of the stored Part-10 objects)`,
          params: level.params,
          response: { 200: Multipart, ...ERRORS },
        },
      },
      (request, reply) => retrieve(ctx, request, reply, request.params),
    );
    app.get<{ Params: Static<typeof InstanceParams> }>(
      `${level.url}/metadata`,
      {
        schema: {
          tags: ['dicomweb'],
          summary: `WADO-RS: metadata of ${level.what} (DICOM JSON, BulkDataURIs absolute)`,
          params: level.params,
          response: { 200: DicomJson, ...ERRORS },
        },
      },
      (request, reply) => metadata(ctx, request, reply, request.params),
    );
  }
}

// ---------------------------------------------------------------- STOW-RS

async function storePart(
  ctx: ApiContext,
  body: Buffer,
  partType: string | undefined,
  study: string | undefined,
): Promise<StowOutcome> {
  const unknown = {
    sopClassUid: null,
    sopInstanceUid: null,
    studyInstanceUid: null,
    seriesInstanceUid: null,
  };
  if (partType !== undefined && partType !== 'application/dicom') {
    return { ...unknown, failure: STOW_FAILURE.cannotUnderstand };
  }
  let keys;
  try {
    keys = parsePart10(body).keys;
  } catch (err) {
    if (err instanceof DicomParseError) return { ...unknown, failure: STOW_FAILURE.cannotUnderstand };
    throw err;
  }
  const outcome = {
    sopClassUid: keys.sopClassUid,
    sopInstanceUid: keys.sopInstanceUid,
    studyInstanceUid: keys.studyInstanceUid,
    seriesInstanceUid: keys.seriesInstanceUid,
  };
  if (study !== undefined && keys.studyInstanceUid !== study) {
    return { ...outcome, failure: STOW_FAILURE.studyMismatch };
  }
  try {
    await ctx.storeDicom(body, { callingAe: STOW_CALLING_AE, sopInstanceUid: keys.sopInstanceUid });
    return { ...outcome, failure: null };
  } catch (err) {
    ctx.logger.error('STOW-RS store failed', { error: err instanceof Error ? err.name : 'unknown' });
    ctx.logger.debug('STOW-RS store failure detail', { error: String(err) });
    return { ...outcome, failure: STOW_FAILURE.processing };
  }
}

async function stow(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  study: string | undefined,
): Promise<FastifyReply> {
  requireJson(request);
  const type = parseMediaType(request.headers['content-type']);
  const partType = type?.params.type?.toLowerCase();
  if (type?.essence !== 'multipart/related' || (partType !== undefined && partType !== 'application/dicom')) {
    throw new HttpError(415, 'unsupported-media-type', 'send multipart/related; type="application/dicom"');
  }
  if (!Buffer.isBuffer(request.body)) throw badRequest('empty body');
  let parts;
  try {
    parts = decodeMultipart(request.body, type.params.boundary ?? '');
  } catch (err) {
    if (err instanceof MultipartError) throw badRequest(err.message);
    throw err;
  }
  if (parts.length === 0) throw badRequest('no parts in the multipart body');
  const outcomes: StowOutcome[] = [];
  for (const part of parts) outcomes.push(await storePart(ctx, part.body, part.contentType?.essence, study));
  const stored = outcomes.filter((o) => o.failure === null);
  const studies = new Set(stored.map((o) => o.studyInstanceUid));
  await auditRequest(
    ctx.audit,
    request,
    'dicom.store',
    studies.size === 1 ? `study/${[...studies][0]}` : study ? `study/${study}` : null,
    {
      interaction: 'stow',
      stored: stored.length,
      failed: outcomes.length - stored.length,
      studies: studies.size,
    },
  );
  const status = stored.length === outcomes.length ? 200 : stored.length > 0 ? 202 : 409;
  return sendJson(reply, status, stowResponseJson(urlsOf(request), outcomes));
}

function registerStow(app: App, ctx: ApiContext): void {
  const schema = {
    tags: ['dicomweb'],
    response: { 200: StowResponse, 202: StowResponse, 409: StowResponse, ...ERRORS, 415: ErrorBody },
  };
  app.post(
    '/dicomweb/studies',
    {
      bodyLimit: STOW_BODY_LIMIT,
      schema: {
        ...schema,
        summary: 'STOW-RS: store instances (multipart/related; type="application/dicom")',
      },
    },
    (request, reply) => stow(ctx, request, reply, undefined),
  );
  app.post<{ Params: Static<typeof StudyParams> }>(
    '/dicomweb/studies/:study',
    {
      bodyLimit: STOW_BODY_LIMIT,
      schema: {
        ...schema,
        params: StudyParams,
        summary: 'STOW-RS: store instances of this study (others fail with 0xA900)',
      },
    },
    (request, reply) => stow(ctx, request, reply, request.params.study),
  );
}

/** DICOMweb: QIDO-RS, WADO-RS, STOW-RS (see the file comment). */
export const dicomwebRoutes: RouteModule = (app, ctx) => {
  registerQido(app, ctx);
  registerWado(app, ctx);
  registerStow(app, ctx);
};
