import type { RouteModule } from './route-module.ts';

/** Channels: list with status and counters, detail, start, pause, stop, deploy, validate; stats and listeners. */
export const channelRoutes: RouteModule = () => {
  // TODO(issue 3): being written.
};
