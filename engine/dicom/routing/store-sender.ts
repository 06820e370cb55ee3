/**
 * `dicom-store`: the (edited) object stored in our own archive as an instance of its own, through
 * the C-STORE handler (object store, then index), so C-FIND and QIDO-RS find it. The handler given
 * here has no routing: copies are never routed again, by this channel or any other, so two channels
 * cannot feed each other in a loop. An object still carrying the SOPInstanceUID it was made from is
 * refused (permanent): it would overwrite the instance as received.
 */
import { DicomParseError } from '../parse-part10.ts';
import type { StoredInstanceInfo } from '../store-instance.ts';
import {
  permanent,
  transient,
  type DicomOutcome,
  type DicomSender,
  type OutgoingDicom,
} from './dicom-sender.ts';

export interface StoreSenderOptions {
  /** The C-STORE handler without a routing hook. */
  readonly store: (bytes: Buffer, info: StoredInstanceInfo) => Promise<void>;
  /** Recorded as the copy's calling AE: our own AE title. */
  readonly aeTitle: string;
}

export function createStoreSender(options: StoreSenderOptions): DicomSender {
  return {
    async send(objects: readonly OutgoingDicom[]): Promise<DicomOutcome[]> {
      const outcomes: DicomOutcome[] = [];
      for (const o of objects) {
        if (o.sopInstanceUid === o.sourceSopInstanceUid) {
          outcomes.push(
            permanent(
              'the object still has the SOPInstanceUID of the instance it was made from: a dicom-store ' +
                'destination needs transformers that give it new UIDs (deidentify, or tagEdits setting SOPInstanceUID)',
            ),
          );
          continue;
        }
        try {
          await options.store(o.part10, { callingAe: options.aeTitle, sopInstanceUid: o.sopInstanceUid });
          outcomes.push({ ok: true, response: `stored as ${o.sopInstanceUid}` });
        } catch (err) {
          const message = `storing the copy failed: ${(err as Error).message}`;
          outcomes.push(err instanceof DicomParseError ? permanent(message) : transient(message));
        }
      }
      return outcomes;
    },
  };
}
