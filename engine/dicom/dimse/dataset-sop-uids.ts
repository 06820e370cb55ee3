/**
 * The SOP Class UID (0008,0016) and SOP Instance UID (0008,0018) a received dataset names itself,
 * read from its first elements without parsing the rest, so the C-STORE SCP can answer 0xA900
 * ("data set does not match SOP class", PS3.4 B.2.3) before anything is stored. Only the little
 * endian, non-deflated syntaxes are read (implicit VR, explicit VR, and the encapsulated ones, whose
 * dataset is explicit VR little endian up to the pixel data); for the others, or anything this
 * short reader cannot follow (a sequence of undefined length before group 0008 ends), it answers
 * null and the check is left to the full parse at storage.
 */
import { TransferSyntax } from './uids.ts';

export interface DatasetSopUids {
  readonly sopClassUid: string | null;
  readonly sopInstanceUid: string | null;
}

/** Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;

const unreadable = new Set<string>([
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

const uidText = (value: Buffer): string => value.toString('latin1').replace(/[\0 ]+$/, '');

export function datasetSopUids(dataset: Buffer, transferSyntaxUid: string): DatasetSopUids | null {
  if (unreadable.has(transferSyntaxUid)) return null;
  const implicit = transferSyntaxUid === TransferSyntax.ImplicitVRLittleEndian;
  let sopClassUid: string | null = null;
  let sopInstanceUid: string | null = null;
  let at = 0;
  while (at + 8 <= dataset.length) {
    const group = dataset.readUInt16LE(at);
    const element = dataset.readUInt16LE(at + 2);
    if (group > 0x0008 || (group === 0x0008 && element > 0x0018)) break;
    let length: number;
    let valueAt: number;
    if (implicit) {
      length = dataset.readUInt32LE(at + 4);
      valueAt = at + 8;
    } else {
      const vr = dataset.toString('latin1', at + 4, at + 6);
      if (!/^[A-Z]{2}$/.test(vr)) return null;
      if (LONG_VRS.has(vr)) {
        if (at + 12 > dataset.length) return null;
        length = dataset.readUInt32LE(at + 8);
        valueAt = at + 12;
      } else {
        length = dataset.readUInt16LE(at + 6);
        valueAt = at + 8;
      }
    }
    if (length === UNDEFINED_LENGTH || valueAt + length > dataset.length) return null;
    if (group === 0x0008 && element === 0x0016)
      sopClassUid = uidText(dataset.subarray(valueAt, valueAt + length));
    if (group === 0x0008 && element === 0x0018) {
      sopInstanceUid = uidText(dataset.subarray(valueAt, valueAt + length));
    }
    at = valueAt + length;
  }
  return { sopClassUid, sopInstanceUid };
}
