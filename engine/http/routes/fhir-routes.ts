import type { RouteModule } from './route-module.ts';

/** FHIR R4 read API. */
export const fhirRoutes: RouteModule = () => {
  // TODO(issue 3): being written.
};
