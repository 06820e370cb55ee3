export type * from './types.ts';
export { AUDIT_ACTIONS } from './types.ts';
export { AuditLog } from './audit-log.ts';
export { GENESIS_HASH } from './chain.ts';
