/** Audit rows for what a caller did over HTTP: who (from the token), from where, what, on which record. */
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditAction, AuditDetail } from '../audit/types.ts';

export async function auditRequest(
  audit: AuditLog,
  request: FastifyRequest,
  action: AuditAction,
  target: string | null,
  detail: AuditDetail = {},
): Promise<void> {
  const p = request.principal;
  await audit.append({
    actor: p?.actor ?? 'anonymous',
    actorRole: p?.role ?? null,
    action,
    target,
    remoteAddress: request.ip ?? null,
    detail,
  });
}
