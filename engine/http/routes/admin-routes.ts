import type { RouteModule } from './route-module.ts';

/** Users, API tokens and the audit log. */
export const adminRoutes: RouteModule = () => {
  // TODO(issue 3): being written.
};
