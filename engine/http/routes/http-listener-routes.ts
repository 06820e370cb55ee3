import type { RouteModule } from './route-module.ts';

/** HTTP listener: POST /api/channels/:id/messages. */
export const httpListenerRoutes: RouteModule = () => {
  // TODO(issue 3): being written.
};
