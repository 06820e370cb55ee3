/**
 * The engine's HTTP server: operations endpoints, the admin API, the HTTP listener and the FHIR read
 * API, all behind the one access table (route-access.ts). The OpenAPI document is generated from the
 * same TypeBox schemas that validate requests (@fastify/swagger).
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context.ts';
import { registerAuth } from './auth-hook.ts';
import { HttpError, sendError } from './http-errors.ts';
import { accessOf } from './route-access.ts';
import { ROUTE_MODULES } from './routes/index.ts';
import './principal.ts';

/** Bodies that are raw bytes to us: HL7 v2 (kept byte for byte), channel YAML, DICOMweb STOW-RS multipart. */
const RAW_BODY_TYPES = [
  'text/plain',
  'x-application/hl7-v2+er7',
  'application/hl7-v2',
  'application/yaml',
  'multipart/related',
];

export async function createHttpServer(ctx: ApiContext): Promise<FastifyInstance> {
  const maxBody = Math.max(1024 * 1024, ...ctx.config.mllp.map((l) => l.maxMessageBytes));
  const app = Fastify({ logger: false, bodyLimit: maxBody, exposeHeadRoutes: false });

  registerAuth(app, { signingKey: ctx.signingKey, apiTokens: ctx.apiTokens });
  app.addHook('onRoute', (route) => {
    // What the access table says goes into the OpenAPI document too.
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    const access = method ? accessOf(method, route.url) : undefined;
    if (access === undefined) return;
    route.schema = {
      ...route.schema,
      security: access === 'public' ? [] : [{ bearer: [] }],
      'x-switchboard-access': access,
    } as typeof route.schema;
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Switchboard API',
        version: '1',
        description:
          'Admin API, HTTP listener and FHIR R4 read API of the Switchboard integration engine. ' +
          'x-switchboard-access on each operation names the permission it needs (engine/auth/roles.ts).',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from POST /api/auth/token, or an API token (sb_...)',
          },
        },
      },
    },
  });

  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(RAW_BODY_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) return sendError(request, reply, error.status, error.code, error.message);
    if (error.validation) return sendError(request, reply, 400, 'bad-request', error.message);
    const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) {
      ctx.logger.error('HTTP handler failed', { route: request.routeOptions.url, error: String(error) });
      return sendError(request, reply, 500, 'internal', 'internal error');
    }
    return sendError(request, reply, status, error.code ?? 'bad-request', error.message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'not-found', `no route ${request.method} ${request.url.split('?')[0]}`),
  );

  for (const register of ROUTE_MODULES) register(app, ctx);
  app.get('/api/openapi.json', { schema: { tags: ['operations'], summary: 'This OpenAPI document' } }, () =>
    app.swagger(),
  );
  await app.ready();
  return app;
}
