import type { RouteModule } from './route-module.ts';

/** Messages: search, detail, reprocess, resend. */
export const messageRoutes: RouteModule = () => {
  // TODO(issue 3): being written.
};
