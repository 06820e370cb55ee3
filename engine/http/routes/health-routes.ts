import { Type } from '@sinclair/typebox';
import type { RouteModule } from './route-module.ts';

const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]),
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
});

/** /health: the process answers. /ready: store, dispatcher and listeners can take traffic. */
export const healthRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Store, dispatcher and listeners are ready',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_req, reply) => {
      const result = await ctx.ready();
      return reply
        .code(result.ready ? 200 : 503)
        .send({ status: result.ready ? 'ready' : 'not ready', ...result });
    },
  );
};
