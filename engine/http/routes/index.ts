import { adminRoutes } from './admin-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { channelRoutes } from './channel-routes.ts';
import { dicomwebRoutes } from './dicomweb-routes.ts';
import { dicomOrdersRoutes } from './dicom-orders-routes.ts';
import { dicomRoutingRoutes } from './dicom-routing-routes.ts';
import { fhirRoutes } from './fhir-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { hmsRoutes } from './hms-routes.ts';
import { httpListenerRoutes } from './http-listener-routes.ts';
import { messageRoutes } from './message-routes.ts';
import { opsRoutes } from './ops-routes.ts';
import type { RouteModule } from './route-module.ts';

/** Every route group the server registers, each in its own file. */
export const ROUTE_MODULES: readonly RouteModule[] = [
  healthRoutes,
  authRoutes,
  opsRoutes,
  channelRoutes,
  httpListenerRoutes,
  messageRoutes,
  adminRoutes,
  fhirRoutes,
  hmsRoutes,
  dicomOrdersRoutes,
  dicomRoutingRoutes,
  dicomwebRoutes,
];
