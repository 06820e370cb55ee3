import type { MllpConnectionInfo, MllpServerHooks } from '../../listeners/mllp/server.ts';
import { buildAck, salvageHeader } from '../hl7/ack.ts';
import type { Logger } from '../log/logger.ts';
import { nextAckControlId, type Hl7IngestDeps } from './hl7-ingest.ts';

function nak(
  deps: Pick<Hl7IngestDeps, 'ackSendingApplication' | 'ackSendingFacility'>,
  code: 'AR' | 'AE',
  err: Parameters<typeof buildAck>[3],
  frame?: Buffer,
): Buffer {
  const header = frame ? salvageHeader(frame.subarray(0, 4096)) : null;
  const text = buildAck(
    header,
    code,
    {
      controlId: nextAckControlId(),
      timestamp: new Date(),
      sendingApplication: deps.ackSendingApplication,
      sendingFacility: deps.ackSendingFacility,
    },
    err,
  );
  return Buffer.from(text, 'utf8');
}

/** NAKs the MLLP server sends on its own: oversized frames (then it closes) and handler crashes. */
export function createMllpHooks(deps: Hl7IngestDeps, logger: Logger): MllpServerHooks {
  return {
    onOversize(conn: MllpConnectionInfo, bytes: number) {
      logger.warn('oversized MLLP frame refused; closing connection', {
        listener: conn.listener,
        remote: conn.remoteAddress,
        bytes,
      });
      return [
        nak(deps, 'AR', {
          code: 'MESSAGE_TOO_LARGE',
          detail: `frame exceeds the limit (${bytes} bytes so far)`,
          location: null,
        }),
      ];
    },
    onHandlerError(conn: MllpConnectionInfo, err: unknown, frame: Buffer) {
      logger.error('MLLP handler failed', {
        listener: conn.listener,
        remote: conn.remoteAddress,
        error: String(err),
      });
      return [
        nak(
          deps,
          'AE',
          { code: 'STORE_UNAVAILABLE', detail: 'internal error; resend', location: null },
          frame,
        ),
      ];
    },
  };
}
