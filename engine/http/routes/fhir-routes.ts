/**
 * FHIR R4 read API over the engine's FHIR store: metadata (public), read, vread, instance history
 * and type search. Answers application/fhir+json (application/json to a client that asks only for
 * that), errors as OperationOutcome. Every read, vread and history call is audited as fhir.read on
 * `Type/id`, every search as fhir.search with the parameter names (never values) and result count.
 * What is supported is in engine/fhir/search-params.ts and the CapabilityStatement built from it.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageLinks } from '../../fhir/bundle-paging.ts';
import { capabilityStatement } from '../../fhir/capability-statement.ts';
import { negotiateFhirJson } from '../../fhir/content-negotiation.ts';
import { FhirSearchError, parseSearch, wantsLenient } from '../../fhir/fhir-search.ts';
import { parseHistoryQuery } from '../../fhir/history-query.ts';
import {
  etagOf,
  historyBundle,
  lastModifiedOf,
  matchesEtag,
  searchsetBundle,
  warningOutcome,
} from '../../fhir/read-bundles.ts';
import {
  readCurrentVersion,
  readHistoryPage,
  readVersion,
  type StoredVersion,
} from '../../fhir/resource-versions.ts';
import { FHIR_ID, supportedType, type SupportedType } from '../../fhir/search-params.ts';
import { runSearch } from '../../fhir/search-sql.ts';
import type { ApiContext } from '../api-context.ts';
import { auditRequest } from '../audit-request.ts';
import { badRequest, HttpError } from '../http-errors.ts';
import type { RouteModule } from './route-module.ts';

const OperationOutcome = Type.Object(
  {
    resourceType: Type.Literal('OperationOutcome'),
    issue: Type.Array(
      Type.Object({
        severity: Type.String(),
        code: Type.String(),
        diagnostics: Type.Optional(Type.String()),
      }),
    ),
  },
  { description: 'FHIR OperationOutcome' },
);
const Resource = Type.Object(
  {
    resourceType: Type.String(),
    id: Type.Optional(Type.String()),
    meta: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true, description: 'A FHIR R4 resource (JSON)' },
);
const Bundle = Type.Object(
  {
    resourceType: Type.Literal('Bundle'),
    id: Type.String(),
    meta: Type.Object({ lastUpdated: Type.String() }),
    type: Type.Union([Type.Literal('searchset'), Type.Literal('history')]),
    total: Type.Optional(Type.Integer()),
    link: Type.Array(Type.Object({ relation: Type.String(), url: Type.String() })),
    entry: Type.Array(
      Type.Object({
        fullUrl: Type.String(),
        resource: Type.Optional(Resource),
        search: Type.Optional(Type.Object({ mode: Type.String() })),
        request: Type.Optional(Type.Object({ method: Type.String(), url: Type.String() })),
        response: Type.Optional(
          Type.Object({ status: Type.String(), etag: Type.String(), lastModified: Type.String() }),
        ),
      }),
    ),
  },
  { description: 'FHIR Bundle (searchset or history)' },
);
const Values = Type.Union([Type.String(), Type.Array(Type.String())]);
const SearchQuery = Type.Object({
  identifier: Type.Optional(Values),
  patient: Type.Optional(Values),
  subject: Type.Optional(Values),
  encounter: Type.Optional(Values),
  _id: Type.Optional(Values),
  _lastUpdated: Type.Optional(Values),
  _count: Type.Optional(Type.String()),
  _total: Type.Optional(Type.String()),
  _cursor: Type.Optional(Type.String({ description: 'Continuation token from a next link' })),
  _format: Type.Optional(Type.String()),
});
const HistoryQuery = Type.Object({
  _count: Type.Optional(Type.String()),
  _since: Type.Optional(Type.String()),
  _cursor: Type.Optional(Type.String({ description: 'Continuation token from a next link' })),
  _format: Type.Optional(Type.String()),
});
const TypeParams = Type.Object({ type: Type.String({ maxLength: 64 }) });
const InstanceParams = Type.Object({
  type: Type.String({ maxLength: 64 }),
  id: Type.String({ maxLength: 200 }),
});
const VersionParams = Type.Object({
  type: Type.String({ maxLength: 64 }),
  id: Type.String({ maxLength: 200 }),
  vid: Type.String({ maxLength: 20 }),
});
const ERRORS = { 400: OperationOutcome, 401: OperationOutcome, 403: OperationOutcome, 404: OperationOutcome };
const FHIR = { errorFormat: 'fhir' as const };
const VERSION_ID = /^[1-9]\d{0,8}$/;

/** The query string as ordered name/value pairs: repeats and order matter to FHIR search. */
function queryPairs(request: FastifyRequest): [string, string][] {
  const q = request.url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
}

/** This server's FHIR base as the client addressed it: links and fullUrls are absolute. */
function baseOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host || '127.0.0.1'}/fhir`;
}

function negotiate(request: FastifyRequest, reply: FastifyReply): void {
  const format = queryPairs(request).find(([k]) => k === '_format')?.[1];
  const accept = request.headers.accept;
  const type = negotiateFhirJson(accept, format);
  if (type === null) {
    throw new HttpError(
      406,
      'not-acceptable',
      'only JSON is served: application/fhir+json or application/json',
    );
  }
  reply.type(type);
}

function typeOrNotFound(type: string): SupportedType {
  const t = supportedType(type);
  if (!t)
    throw new HttpError(404, 'not-found', `resource type ${type} is not supported here (see /fhir/metadata)`);
  return t;
}

/** An id no resource can have; `_history`/`_search` at type level are interactions we do not offer. */
function checkId(type: SupportedType, id: string): void {
  if (id.startsWith('_'))
    throw badRequest(`${type.type}/${id} is not supported (read-only: read, vread, history, search)`);
  if (!FHIR_ID.test(id)) throw new HttpError(404, 'not-found', `${type.type}/${id.slice(0, 70)} not found`);
}

function versionHeaders(reply: FastifyReply, v: StoredVersion): void {
  reply.header('etag', etagOf(v.versionId)).header('last-modified', lastModifiedOf(v));
}

function fhirSearchErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FhirSearchError) throw badRequest(err.message);
    throw err;
  }
}

function outcomeOf(v: StoredVersion | null): string {
  return v === null ? 'not-found' : v.deleted ? 'gone' : 'found';
}

function found(v: StoredVersion | null, what: string): StoredVersion {
  if (!v) throw new HttpError(404, 'not-found', `${what} not found`);
  if (v.deleted) throw new HttpError(410, 'gone', `${what} was deleted`);
  return v;
}

function registerMetadata(app: Parameters<RouteModule>[0]): void {
  const date = new Date().toISOString();
  app.get(
    '/fhir/metadata',
    {
      config: FHIR,
      schema: {
        tags: ['fhir'],
        summary: 'CapabilityStatement: the types, interactions and search parameters served',
        response: { 200: Resource, 406: OperationOutcome },
      },
    },
    async (request, reply) => {
      negotiate(request, reply);
      return capabilityStatement({ base: baseOf(request), date });
    },
  );
}

function registerInstanceRoutes(app: Parameters<RouteModule>[0], ctx: ApiContext): void {
  app.get<{ Params: Static<typeof InstanceParams> }>(
    '/fhir/:type/:id',
    {
      config: FHIR,
      schema: {
        tags: ['fhir'],
        summary: 'Read the current version of a resource (ETag, Last-Modified; If-None-Match gives 304)',
        params: InstanceParams,
        response: { 200: Resource, ...ERRORS, 406: OperationOutcome, 410: OperationOutcome },
      },
    },
    async (request, reply) => {
      negotiate(request, reply);
      const type = typeOrNotFound(request.params.type);
      const { id } = request.params;
      checkId(type, id);
      const v = await readCurrentVersion(ctx.db, type.type, id);
      await auditRequest(ctx.audit, request, 'fhir.read', `${type.type}/${id}`, {
        interaction: 'read',
        outcome: outcomeOf(v),
        ...(v ? { versionId: v.versionId } : {}),
      });
      const current = found(v, `${type.type}/${id}`);
      versionHeaders(reply, current);
      if (matchesEtag(request.headers['if-none-match'], current.versionId)) return reply.code(304).send();
      return current.resource;
    },
  );

  app.get<{ Params: Static<typeof VersionParams> }>(
    '/fhir/:type/:id/_history/:vid',
    {
      config: FHIR,
      schema: {
        tags: ['fhir'],
        summary: 'Read one version of a resource (vread)',
        params: VersionParams,
        response: { 200: Resource, ...ERRORS, 406: OperationOutcome, 410: OperationOutcome },
      },
    },
    async (request, reply) => {
      negotiate(request, reply);
      const type = typeOrNotFound(request.params.type);
      const { id, vid } = request.params;
      checkId(type, id);
      const what = `${type.type}/${id}/_history/${vid.slice(0, 20)}`;
      if (!VERSION_ID.test(vid)) throw new HttpError(404, 'not-found', `${what} not found`);
      const v = await readVersion(ctx.db, type.type, id, Number(vid));
      await auditRequest(ctx.audit, request, 'fhir.read', `${type.type}/${id}`, {
        interaction: 'vread',
        versionId: Number(vid),
        outcome: outcomeOf(v),
      });
      const version = found(v, what);
      versionHeaders(reply, version);
      return version.resource;
    },
  );

  app.get<{ Params: Static<typeof InstanceParams> }>(
    '/fhir/:type/:id/_history',
    {
      config: FHIR,
      schema: {
        tags: ['fhir'],
        summary: 'Every version of a resource, newest first (history Bundle, paged with _count)',
        params: InstanceParams,
        querystring: HistoryQuery,
        response: { 200: Bundle, ...ERRORS, 406: OperationOutcome },
      },
    },
    async (request, reply) => {
      negotiate(request, reply);
      const type = typeOrNotFound(request.params.type);
      const { id } = request.params;
      checkId(type, id);
      const query = fhirSearchErrors(() =>
        parseHistoryQuery(queryPairs(request), { lenient: wantsLenient(request.headers.prefer) }),
      );
      const page = await readHistoryPage(ctx.db, type.type, id, query);
      await auditRequest(ctx.audit, request, 'fhir.read', `${type.type}/${id}`, {
        interaction: 'history',
        outcome: page.exists ? 'found' : 'not-found',
        count: page.versions.length,
      });
      if (!page.exists) throw new HttpError(404, 'not-found', `${type.type}/${id} not found`);
      const last = page.versions.at(-1);
      const base = baseOf(request);
      const links = pageLinks(
        base,
        `${type.type}/${id}/_history`,
        query.params,
        page.more && last ? { kind: 'history', beforeVersion: last.versionId } : null,
      );
      return historyBundle(base, page.versions, links, page.total);
    },
  );
}

function registerSearch(app: Parameters<RouteModule>[0], ctx: ApiContext): void {
  app.get<{ Params: Static<typeof TypeParams> }>(
    '/fhir/:type',
    {
      config: FHIR,
      schema: {
        tags: ['fhir'],
        summary:
          'Search a resource type (identifier, patient, subject, encounter, _id, _lastUpdated; _count, _total); ' +
          'strict unless Prefer: handling=lenient',
        params: TypeParams,
        querystring: SearchQuery,
        response: { 200: Bundle, ...ERRORS, 406: OperationOutcome },
      },
    },
    async (request, reply) => {
      negotiate(request, reply);
      const type = typeOrNotFound(request.params.type);
      const base = baseOf(request);
      const lenient = wantsLenient(request.headers.prefer);
      const search = fhirSearchErrors(() => parseSearch(type, queryPairs(request), { lenient, base }));
      const result = await runSearch(ctx.db, search);
      await auditRequest(ctx.audit, request, 'fhir.search', type.type, {
        params: search.names.join(','),
        count: result.matches.length,
        ...(result.total !== null ? { total: result.total } : {}),
        ...(search.ignored.length > 0 ? { ignored: search.ignored.length } : {}),
      });
      if (lenient) reply.header('preference-applied', 'handling=lenient');
      const last = result.matches.at(-1);
      const links = pageLinks(
        base,
        type.type,
        search.params,
        result.more && last ? { kind: 'search', afterId: last.id } : null,
      );
      const outcome = search.ignored.length > 0 ? warningOutcome(search.ignored) : null;
      return searchsetBundle(base, result.matches, links, result.total, outcome);
    },
  );
}

/** FHIR R4 read API (see the file comment). */
export const fhirRoutes: RouteModule = (app, ctx) => {
  registerMetadata(app);
  registerInstanceRoutes(app, ctx);
  registerSearch(app, ctx);
};
