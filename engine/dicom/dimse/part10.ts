/**
 * Wraps a dataset received over DIMSE, byte for byte in its negotiated transfer syntax, into a DICOM
 * Part-10 file (PS3.10 7.1): 128-byte preamble, "DICM", and a File Meta Information group (always
 * Explicit VR Little Endian) naming the SOP class and instance, the transfer syntax and us. The
 * dataset is not parsed or re-encoded, so a deflated or compressed object stays exactly as sent.
 */
import { isUid } from './uids.ts';

/** Switchboard's implementation class UID (a 2.25 UUID-derived root, PS3.5 B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.208470519184391263424370462702474036481';
export const IMPLEMENTATION_VERSION_NAME = 'SWITCHBOARD_1';

export interface FileMeta {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** The calling AE title, as (0002,0016) Source Application Entity Title. */
  readonly sourceAeTitle?: string;
}

function element(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const longForm = vr === 'OB';
  const head = Buffer.alloc(longForm ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, 'latin1');
  if (longForm) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** UI values are padded with NUL, text values (AE, SH) with a space, to an even length. */
function padded(text: string, pad: '\0' | ' '): Buffer {
  return Buffer.from(text.length % 2 === 0 ? text : text + pad, 'latin1');
}

function uid(name: string, value: string): Buffer {
  if (!isUid(value)) throw new RangeError(`${name} is not a valid UID`);
  return padded(value, '\0');
}

export function encodeFileMeta(meta: FileMeta): Buffer {
  const elements = [
    element(0x0002, 0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 0x0002, 'UI', uid('SOP class UID', meta.sopClassUid)),
    element(0x0002, 0x0003, 'UI', uid('SOP instance UID', meta.sopInstanceUid)),
    element(0x0002, 0x0010, 'UI', uid('transfer syntax UID', meta.transferSyntaxUid)),
    element(0x0002, 0x0012, 'UI', padded(IMPLEMENTATION_CLASS_UID, '\0')),
    element(0x0002, 0x0013, 'SH', padded(IMPLEMENTATION_VERSION_NAME, ' ')),
  ];
  const ae = meta.sourceAeTitle?.trim();
  if (ae) elements.push(element(0x0002, 0x0016, 'AE', padded(ae.slice(0, 16), ' ')));
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length, 0);
  return Buffer.concat([element(0x0002, 0x0000, 'UL', groupLength), body]);
}

/** Preamble + "DICM" + meta group: what goes in front of the dataset. */
export function part10Header(meta: FileMeta): Buffer {
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, encodeFileMeta(meta)]);
}

/**
 * Where the dataset starts in a Part-10 file: after the meta group, whose length (0002,0000) is the
 * first element. Throws if the file has no "DICM" prefix or no group length.
 */
export function part10DatasetOffset(file: Buffer): number {
  if (file.length < 144 || file.toString('latin1', 128, 132) !== 'DICM')
    throw new Error('not a Part-10 file');
  if (
    file.readUInt16LE(132) !== 0x0002 ||
    file.readUInt16LE(134) !== 0x0000 ||
    file.toString('latin1', 136, 138) !== 'UL'
  ) {
    throw new Error('Part-10 file without a File Meta Information group length');
  }
  return 144 + file.readUInt32LE(140);
}
