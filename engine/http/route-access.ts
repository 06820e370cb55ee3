/**
 * The one place every HTTP route declares who may call it. The server refuses to start with a route
 * missing from this table, and test/http/role-matrix.int.test.ts calls every entry with every role:
 * 401 without a token, 403 with a role that lacks the permission, anything else with one that has it.
 *
 *  public         - no token (health probes, the OpenAPI document, logging in, FHIR metadata)
 *  authenticated  - any valid token, whatever its role
 *  a Permission   - a token whose role has it (engine/auth/roles.ts)
 */
import type { Permission } from '../auth/roles.ts';

export type RouteAccess = 'public' | 'authenticated' | Permission;

export const ROUTE_ACCESS = {
  // Operations
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'stats.view',
  'GET /api/openapi.json': 'public',

  // Sign-in
  'POST /api/auth/token': 'public',
  'POST /api/auth/refresh': 'public',
  'POST /api/auth/logout': 'authenticated',
  'GET /api/auth/me': 'authenticated',

  // Live events (content-bearing fields are filtered by role inside the stream)
  'GET /api/events': 'stats.view',

  // Channels
  'GET /api/channels': 'channels.view',
  'GET /api/channels/:id': 'channels.view',
  'POST /api/channels/:id/start': 'channels.control',
  'POST /api/channels/:id/pause': 'channels.control',
  'POST /api/channels/:id/stop': 'channels.control',
  'PUT /api/channels/:id': 'channels.deploy',
  'POST /api/channels/validate': 'channels.deploy',
  'POST /api/channels/deploy': 'channels.deploy',
  // HTTP listener: a channel source like MLLP, same durability, answers with the ACK.
  'POST /api/channels/:id/messages': 'messages.submit',

  // Messages
  'GET /api/messages': 'messages.read-content',
  'GET /api/messages/:id': 'messages.read-content',
  'POST /api/messages/:id/reprocess': 'queues.operate',
  'POST /api/messages/reprocess': 'queues.operate',
  'POST /api/deliveries/:id/resend': 'queues.operate',

  // Counters and listeners: no content, every role
  'GET /api/stats': 'stats.view',
  'GET /api/listeners': 'stats.view',

  // Administration
  'GET /api/users': 'users.manage',
  'POST /api/users': 'users.manage',
  'POST /api/users/:username/disable': 'users.manage',
  'POST /api/users/:username/enable': 'users.manage',
  'GET /api/tokens': 'users.manage',
  'POST /api/tokens': 'users.manage',
  'DELETE /api/tokens/:id': 'users.manage',
  'GET /api/audit': 'audit.read',

  // FHIR R4 read API. metadata is public as FHIR and SMART clients expect (it holds no patient data).
  'GET /fhir/metadata': 'public',
  'GET /fhir/:type': 'fhir.read',
  'GET /fhir/:type/:id': 'fhir.read',
  'GET /fhir/:type/:id/_history': 'fhir.read',
  'GET /fhir/:type/:id/_history/:vid': 'fhir.read',

  // HMS records: who is in which bed is patient data.
  'GET /api/hms/bed-board': 'messages.read-content',

  // DICOMweb (PS3.18): images and their metadata are clinical data, readable with fhir.read like the
  // FHIR API; storing (STOW-RS) is sending data in, like the HTTP listener.
  'GET /dicomweb/studies': 'fhir.read',
  'GET /dicomweb/series': 'fhir.read',
  'GET /dicomweb/instances': 'fhir.read',
  'GET /dicomweb/studies/:study/series': 'fhir.read',
  'GET /dicomweb/studies/:study/instances': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series/instances': 'fhir.read',
  'GET /dicomweb/studies/:study': 'fhir.read',
  'GET /dicomweb/studies/:study/metadata': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series/metadata': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series/instances/:instance': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series/instances/:instance/metadata': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series/instances/:instance/frames/:frames': 'fhir.read',
  'GET /dicomweb/studies/:study/series/:series/instances/:instance/bulkdata/*': 'fhir.read',
  'POST /dicomweb/studies': 'messages.submit',
  'POST /dicomweb/studies/:study': 'messages.submit',

  // DICOM studies no order claims: which patient had which study is patient data.
  'GET /api/dicom/unmatched-studies': 'messages.read-content',

  // DICOM channels: their definitions and counters are like the HL7 channels' (no patient data), the
  // deliveries name studies and instances by UID (identifying), retrying one is queue work.
  'GET /api/dicom/channels': 'channels.view',
  'GET /api/dicom/deliveries': 'messages.read-content',
  'POST /api/dicom/deliveries/:id/retry': 'queues.operate',
} as const satisfies Record<string, RouteAccess>;

export type RouteKey = keyof typeof ROUTE_ACCESS;

export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}

export function accessOf(method: string, url: string): RouteAccess | undefined {
  return (ROUTE_ACCESS as Record<string, RouteAccess>)[routeKey(method, url)];
}
