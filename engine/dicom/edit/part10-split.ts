/**
 * Splits a Part-10 file (PS3.10 7.1) into the parts the editor treats differently:
 * - the 128-byte preamble and the file meta elements (group 0002, explicit VR LE), kept as bytes;
 * - the dataset HEAD: every top-level element before group 7FE0, which dcmjs parses and rewrites;
 * - the TAIL: top-level elements from group 7FE0 on (Extended Offset Table, Pixel Data, Float
 *   Pixel Data, then e.g. Digital Signatures or trailing padding), kept as raw bytes so pixel data,
 *   encapsulated fragments and their Basic Offset Table go out exactly as they came in.
 * Deflated datasets (PS3.5 A.5) are inflated here and deflated again by `joinPart10`.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DEFLATED_LE, EXPLICIT_BE, IMPLICIT_LE } from './dcmjs-codec.ts';
import { DicomEditError } from './types.ts';

export interface MetaElement {
  /** Uppercase `GGGGEEEE`. */
  readonly tag: string;
  readonly vr: string;
  readonly value: Buffer;
}

export interface TailElement {
  /** Uppercase `GGGGEEEE`. */
  readonly tag: string;
  /** The whole element (header, value, items, delimiters) as received. */
  readonly bytes: Buffer;
}

export interface Part10Parts {
  readonly preamble: Buffer;
  /** Without (0002,0000): its value is recomputed on join. */
  readonly meta: readonly MetaElement[];
  readonly transferSyntaxUid: string;
  /** Inflated when the transfer syntax is deflated. */
  readonly head: Buffer;
  readonly tail: readonly TailElement[];
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

export function splitPart10(file: Buffer): Part10Parts {
  if (file.length < 132 || file.toString('latin1', 128, 132) !== 'DICM') {
    throw new DicomEditError('not a DICOM Part-10 file (no "DICM" after the 128-byte preamble)');
  }
  const meta: MetaElement[] = [];
  let at = 132;
  while (at + 8 <= file.length && file.readUInt16LE(at) === 0x0002) {
    const vr = file.toString('latin1', at + 4, at + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? file.readUInt32LE(at + 8) : file.readUInt16LE(at + 6);
    const valueAt = at + (long ? 12 : 8);
    if (length === UNDEFINED || valueAt + length > file.length) {
      throw new DicomEditError(`file meta element at offset ${at} runs past the end`);
    }
    const tag = hex8(((file.readUInt16LE(at) << 16) | file.readUInt16LE(at + 2)) >>> 0);
    if (tag !== '00020000') meta.push({ tag, vr, value: file.subarray(valueAt, valueAt + length) });
    at = valueAt + length;
  }
  const tsElement = meta.find((e) => e.tag === '00020010');
  if (!tsElement) throw new DicomEditError('file meta has no Transfer Syntax UID (0002,0010)');
  const transferSyntaxUid = tsElement.value.toString('latin1').replace(/[\0 ]+$/, '');
  let dataset = file.subarray(at);
  if (transferSyntaxUid === DEFLATED_LE) {
    try {
      dataset = inflateRawSync(dataset);
    } catch (err) {
      throw new DicomEditError(`deflated dataset does not inflate: ${(err as Error).message}`);
    }
  }
  const walker = new Walker(dataset, transferSyntaxUid === IMPLICIT_LE, transferSyntaxUid === EXPLICIT_BE);
  const tail: TailElement[] = [];
  let split = dataset.length;
  for (let pos = 0; pos < dataset.length;) {
    const tag = walker.tag(pos);
    const end = walker.element(pos);
    if (tag >>> 16 >= 0x7fe0) {
      if (split === dataset.length) split = pos;
      tail.push({ tag: hex8(tag), bytes: dataset.subarray(pos, end) });
    } else if (split !== dataset.length) {
      throw new DicomEditError(`element (${hex8(tag)}) after (${tail[0]!.tag}) is out of tag order`);
    }
    pos = end;
  }
  return { preamble: file.subarray(0, 128), meta, transferSyntaxUid, head: dataset.subarray(0, split), tail };
}

function element(tag: string, vr: string, value: Buffer): Buffer {
  const long = LONG_VRS.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(parseInt(tag.slice(0, 4), 16), 0);
  header.writeUInt16LE(parseInt(tag.slice(4), 16), 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** Even-length UI value padded with NUL (PS3.5 6.2). */
export function uiValue(uid: string): Buffer {
  return Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
}

/** Reassembles a Part-10 file: preamble, "DICM", meta with a fresh group length, then the dataset. */
export function joinPart10(
  preamble: Buffer,
  meta: readonly MetaElement[],
  transferSyntaxUid: string,
  dataset: Buffer,
): Buffer {
  const sorted = [...meta].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const elements = Buffer.concat(sorted.map((e) => element(e.tag, e.vr, e.value)));
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(elements.length, 0);
  const body = transferSyntaxUid === DEFLATED_LE ? deflateRawSync(dataset) : dataset;
  return Buffer.concat([
    preamble,
    Buffer.from('DICM', 'latin1'),
    element('00020000', 'UL', groupLength),
    elements,
    body,
  ]);
}

/** Steps over whole elements; throws DicomEditError for a truncated or malformed one. */
class Walker {
  constructor(
    private readonly data: Buffer,
    private readonly implicit: boolean,
    private readonly bigEndian: boolean,
  ) {}

  private u16(at: number): number {
    return this.bigEndian ? this.data.readUInt16BE(at) : this.data.readUInt16LE(at);
  }

  private u32(at: number): number {
    return this.bigEndian ? this.data.readUInt32BE(at) : this.data.readUInt32LE(at);
  }

  private need(at: number, length: number): void {
    if (at + length > this.data.length) {
      throw new DicomEditError(`dataset is truncated: ${length} bytes needed at offset ${at}`);
    }
  }

  tag(at: number): number {
    this.need(at, 4);
    return ((this.u16(at) << 16) | this.u16(at + 2)) >>> 0;
  }

  /** Returns the offset just past the element starting at `at`. */
  element(at: number): number {
    this.need(at, 8);
    const tag = this.tag(at);
    let length: number;
    let valueAt: number;
    if (this.implicit || tag >>> 16 === 0xfffe) {
      length = this.u32(at + 4);
      valueAt = at + 8;
    } else if (LONG_VRS.has(this.data.toString('latin1', at + 4, at + 6))) {
      this.need(at, 12);
      length = this.u32(at + 8);
      valueAt = at + 12;
    } else {
      length = this.u16(at + 6);
      valueAt = at + 8;
    }
    if (length === UNDEFINED) return this.items(valueAt);
    this.need(valueAt, length);
    return valueAt + length;
  }

  /** Items of an undefined-length sequence or encapsulated pixel data, through the Sequence Delimitation. */
  private items(start: number): number {
    let at = start;
    for (;;) {
      const tag = this.tag(at);
      this.need(at, 8);
      const length = this.u32(at + 4);
      if (tag === SEQUENCE_END) return at + 8;
      if (tag !== ITEM) throw new DicomEditError(`expected an item at offset ${at}, found (${hex8(tag)})`);
      if (length !== UNDEFINED) {
        this.need(at + 8, length);
        at += 8 + length;
        continue;
      }
      at += 8;
      while (this.tag(at) !== ITEM_END) at = this.element(at);
      at += 8;
    }
  }
}
