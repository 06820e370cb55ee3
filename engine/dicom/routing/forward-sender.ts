/**
 * `dicom-forward`: a burst of objects to a remote AE over one association of our own C-STORE SCU
 * (listeners/dicom/store-scu.ts: each object in the transfer syntax it is stored in, never
 * transcoded). Failures are told apart as PS3.4 B.2.3 and PS3.7 C.4.2 allow:
 *  - no connection, association rejected or aborted, no answer in time: transient (the peer may be
 *    down or busy), for every object of the burst not yet answered;
 *  - C-STORE status A7xx (Refused: Out of Resources) and 0110 (Processing failure): transient;
 *  - A9xx (Data Set does not match SOP Class), Cxxx (Cannot understand), 0122 (SOP Class not
 *    supported), 0124 (Not authorized), or a presentation context the peer refused: permanent,
 *    the object will not be taken however often it is sent;
 *  - 0000 success and Bxxx warnings: sent (the warning status is recorded as the response).
 */
import { part10DatasetOffset } from '../dimse/part10.ts';
import { NO_CONTEXT_STATUS, StoreScu } from '../../../listeners/dicom/store-scu.ts';
import {
  permanent,
  transient,
  type DicomOutcome,
  type DicomSender,
  type OutgoingDicom,
} from './dicom-sender.ts';

export interface ForwardTarget {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

export interface ForwardSenderOptions {
  readonly target: ForwardTarget;
  /** Our AE title, as calling AE. */
  readonly callingAe: string;
  readonly timeoutMs: number;
}

const hex = (status: number): string => `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;

/** One C-STORE response status as an outcome. */
export function storeStatusOutcome(status: number): DicomOutcome {
  if (status === NO_CONTEXT_STATUS)
    return permanent('the peer accepted no presentation context for this SOP class and transfer syntax');
  if (status === 0) return { ok: true, response: 'status 0x0000' };
  if ((status & 0xf000) === 0xb000) return { ok: true, response: `warning status ${hex(status)}` };
  const failure = `C-STORE failed with status ${hex(status)}`;
  if ((status & 0xff00) === 0xa700 || status === 0x0110) return transient(failure);
  if ((status & 0xff00) === 0xa900 || (status & 0xf000) === 0xc000) return permanent(failure);
  if (status === 0x0122 || status === 0x0124) return permanent(failure);
  return transient(failure);
}

export function createForwardSender(options: ForwardSenderOptions): DicomSender {
  const where = `${options.target.aeTitle}@${options.target.host}:${options.target.port}`;
  return {
    async send(objects: readonly OutgoingDicom[]): Promise<DicomOutcome[]> {
      let scu: StoreScu;
      try {
        scu = await StoreScu.open({
          host: options.target.host,
          port: options.target.port,
          callingAe: options.callingAe,
          calledAe: options.target.aeTitle,
          syntaxes: objects,
          timeoutMs: options.timeoutMs,
        });
      } catch (err) {
        const error = transient(`no association with ${where}: ${(err as Error).message}`);
        return objects.map(() => error);
      }
      const outcomes: DicomOutcome[] = [];
      try {
        for (const o of objects) {
          const dataset = o.part10.subarray(part10DatasetOffset(o.part10));
          const { status } = await scu.store({ ...o, dataset });
          outcomes.push(storeStatusOutcome(status));
        }
      } catch (err) {
        // The association broke: the object in flight and those after it were not taken.
        const error = transient(`association with ${where} broke: ${(err as Error).message}`);
        while (outcomes.length < objects.length) outcomes.push(error);
      } finally {
        await scu.release();
      }
      return outcomes;
    },
  };
}
