import type { IngestRequest } from './types.ts';

const ACK_CODES: ReadonlySet<string> = new Set(['AA', 'AE', 'AR']);

/**
 * Checks what the database would otherwise reject mid-transaction. The group-commit ingestor runs it
 * before queueing, so one malformed request is refused alone instead of failing everyone's batch.
 */
export function ingestRequestProblem(req: IngestRequest): string | null {
  if (!Buffer.isBuffer(req.raw)) return 'raw must be a Buffer';
  if (!Buffer.isBuffer(req.ack)) return 'ack must be a Buffer';
  if (typeof req.listener !== 'string' || req.listener === '') return 'listener must be a non-empty string';
  if (!ACK_CODES.has(req.ackCode)) return `ackCode must be AA, AE or AR, not ${String(req.ackCode)}`;
  if (!Number.isFinite(req.dedupWindowSeconds) || req.dedupWindowSeconds < 0) {
    return `dedupWindowSeconds must be a finite number >= 0, not ${String(req.dedupWindowSeconds)}`;
  }
  return null;
}

export function assertIngestRequest(req: IngestRequest): void {
  const problem = ingestRequestProblem(req);
  if (problem !== null) throw new TypeError(`invalid ingest request: ${problem}`);
}
