import Fastify, { type FastifyInstance } from 'fastify';

export interface HealthSource {
  /** Store, dispatcher and listeners up: the node can take traffic. */
  ready(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

/**
 * The engine's HTTP server. This issue: /health (process up) and /ready (store, dispatcher and
 * listeners ready). The admin API and console mount here later.
 */
export function createHttpServer(health: HealthSource): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const result = await health.ready();
    return reply
      .code(result.ready ? 200 : 503)
      .send({ status: result.ready ? 'ready' : 'not ready', ...result });
  });
  return app;
}
