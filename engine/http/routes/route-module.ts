import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';

/** A group of routes: registers them on the server. Every route must be in route-access.ts. */
export type RouteModule = (app: FastifyInstance, ctx: ApiContext) => void;
