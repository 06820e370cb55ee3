import type { RouteModule } from './route-module.ts';

/** Prometheus metrics and the live event stream. */
export const opsRoutes: RouteModule = () => {
  // TODO(issue 3): being written.
};
