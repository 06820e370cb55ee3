/**
 * Roles and permissions: one table decides what each role may do. Viewers see counts and statuses,
 * never message content (PHI): they get no permission that exposes payloads.
 */
export type Role = 'admin' | 'analyst' | 'operator' | 'viewer';

export type Permission =
  | 'users.manage'
  | 'channels.view'
  | 'channels.deploy'
  | 'channels.test'
  | 'channels.control'
  | 'queues.operate'
  | 'messages.submit'
  | 'messages.read-content'
  | 'fhir.read'
  | 'stats.view'
  | 'audit.read';

export const ROLES: readonly Role[] = ['admin', 'analyst', 'operator', 'viewer'];

export const PERMISSIONS: readonly Permission[] = [
  'users.manage',
  'channels.view',
  'channels.deploy',
  'channels.test',
  'channels.control',
  'queues.operate',
  'messages.submit',
  'messages.read-content',
  'fhir.read',
  'stats.view',
  'audit.read',
];

/**
 * Analysts validate and test channels against real messages, so they read content. Operators work
 * queues (pause, resume, reprocess, resend) and must see what they resend; the API issue names
 * admin, analyst and operator as the roles that may read clinical (FHIR) data. Viewers never see
 * content. The audit trail is admin-only.
 * channels.control (start, pause, stop a deployed channel) belongs to analysts, who deploy channels,
 * and to operators, who pause and resume flows at 3 a.m. messages.submit (the HTTP listener) is for
 * the systems that send: an API token of a user with any role but viewer.
 */
const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  analyst: new Set<Permission>([
    'channels.view',
    'channels.deploy',
    'channels.test',
    'channels.control',
    'messages.submit',
    'messages.read-content',
    'fhir.read',
    'stats.view',
  ]),
  operator: new Set<Permission>([
    'channels.view',
    'channels.control',
    'queues.operate',
    'messages.submit',
    'messages.read-content',
    'fhir.read',
    'stats.view',
  ]),
  viewer: new Set<Permission>(['channels.view', 'stats.view']),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  // Roles also arrive from token claims and rows: anything unknown gets nothing.
  return isRole(role) && GRANTS[role].has(permission);
}
