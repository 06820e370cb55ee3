/**
 * What a DICOM channel destination does with a burst of objects ready to go (read from the object
 * store and edited): forward them to a remote AE, or store them in our own archive. One outcome per
 * object, in order; the queue (dicom-delivery-queue.ts) owns retries and the dead-letter.
 */
import type { DeliveryOutcome } from '../../destinations/types.ts';

export interface OutgoingDicom {
  /** The Part-10 object to send (as stored, or as edited for this destination). */
  readonly part10: Buffer;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** The SOPInstanceUID of the instance as received (before any edit). */
  readonly sourceSopInstanceUid: string;
}

export type DicomOutcome = DeliveryOutcome;

export interface DicomSender {
  send(objects: readonly OutgoingDicom[]): Promise<DicomOutcome[]>;
}

export const transient = (error: string): DicomOutcome => ({ ok: false, error, errorClass: 'transient' });
export const permanent = (error: string): DicomOutcome => ({ ok: false, error, errorClass: 'permanent' });
