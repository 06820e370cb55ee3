/**
 * One log line per DICOM listener event worth a line: every refusal, abort and failed operation
 * (warn, or error for a C-STORE that failed to store), and accepted associations that refused some
 * proposed SOP classes (info). Ids and codes only: AE titles, addresses, statuses as hex, reason
 * codes and SOP class UIDs; never identifiers, patient data or dataset bytes. Error detail (which
 * may quote content) goes at debug. Successful operations are only counted (dicom-metrics.ts).
 */
import type { Logger } from '../../engine/log/logger.ts';
import type { DicomServerEvent } from './types.ts';

export const hexStatus = (status: number): string =>
  `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;

export function logDicomEvent(logger: Logger, event: DicomServerEvent): void {
  switch (event.type) {
    case 'association-rejected':
      logger.warn('DICOM association rejected', {
        reason: event.reason,
        callingAe: event.callingAe,
        calledAe: event.calledAe,
        remote: event.remoteAddress,
      });
      return;
    case 'association-accepted': {
      const { abstractSyntax, transferSyntax } = event.rejectedContexts;
      if (abstractSyntax.length + transferSyntax.length === 0) return;
      logger.info('DICOM association accepted with presentation contexts refused', {
        callingAe: event.callingAe,
        remote: event.remoteAddress,
        abstractSyntaxNotSupported: abstractSyntax,
        transferSyntaxesNotSupported: transferSyntax,
      });
      return;
    }
    case 'association-aborted':
      logger.warn('DICOM association aborted', {
        code: event.code,
        accepted: event.accepted,
        incompleteStore: event.incompleteStore,
        callingAe: event.callingAe,
        remote: event.remoteAddress,
      });
      logger.debug('DICOM association aborted: detail', { message: event.message });
      return;
    case 'store-failed':
      logger.error('DICOM C-STORE failed', {
        status: hexStatus(event.status),
        reason: event.reason,
        callingAe: event.callingAe,
        remote: event.remoteAddress,
      });
      if (event.error !== undefined) {
        logger.debug('DICOM C-STORE failed: detail', { error: String(event.error) });
      }
      return;
    case 'find-failed':
    case 'retrieve-failed': {
      const operation = event.type === 'find-failed' ? 'C-FIND' : `C-${event.kind.toUpperCase()}`;
      logger.warn(`DICOM ${operation} failed`, {
        status: hexStatus(event.status),
        reason: event.reason,
        callingAe: event.callingAe,
        remote: event.remoteAddress,
      });
      if (event.error !== undefined) {
        logger.debug(`DICOM ${operation} failed: detail`, { error: String(event.error) });
      }
      return;
    }
    case 'server-error':
      logger.error('DICOM listener error', { message: event.message });
      return;
    case 'operation-completed':
      return;
  }
}
