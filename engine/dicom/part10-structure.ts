/**
 * A structural walk over a Part-10 dataset: every element, item and delimiter must fit in the
 * bytes received. dcmjs stops at Pixel Data (so a file cut inside the pixels looks whole to it) and
 * reads a string cut short without complaint; this catches both, without decoding any value.
 * Deflated datasets are inflated first (a cut deflate stream fails there).
 */
import { inflateRawSync } from 'node:zlib';

const EXPLICIT_LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;

export interface StructureProblem {
  readonly offset: number;
  readonly message: string;
}

/**
 * Returns null when the dataset starting at `datasetOffset` is whole, or the first problem found.
 * `transferSyntaxUid` decides the encoding; anything not implicit VR or big endian is explicit VR
 * little endian (as all compressed syntaxes are outside their pixel fragments).
 */
export function checkDatasetStructure(
  bytes: Uint8Array,
  datasetOffset: number,
  transferSyntaxUid: string,
): StructureProblem | null {
  let data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start = datasetOffset;
  if (transferSyntaxUid === '1.2.840.10008.1.2.1.99') {
    try {
      data = inflateRawSync(data.subarray(datasetOffset));
    } catch (err) {
      return {
        offset: datasetOffset,
        message: `deflated dataset does not inflate: ${(err as Error).message}`,
      };
    }
    start = 0;
  }
  const walker = new Walker(
    data,
    transferSyntaxUid === '1.2.840.10008.1.2',
    transferSyntaxUid === '1.2.840.10008.1.2.2',
  );
  try {
    walker.elements(start, data.byteLength, false);
    return null;
  } catch (err) {
    if (err instanceof Truncated) return { offset: err.offset, message: err.message };
    throw err;
  }
}

export interface MetaSpan {
  /** Offset of the dataset: just past the group 0002 elements after "DICM". */
  readonly datasetOffset: number;
  readonly transferSyntaxUid: string | null;
}

/** Walks the file meta elements (always explicit VR little endian) from offset 132. */
export function readMetaSpan(bytes: Uint8Array): MetaSpan {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 132;
  let transferSyntaxUid: string | null = null;
  while (at + 8 <= data.byteLength && data.readUInt16LE(at) === 0x0002) {
    const vr = data.toString('latin1', at + 4, at + 6);
    const long = EXPLICIT_LONG_VRS.has(vr);
    if (long && at + 12 > data.byteLength) break;
    const length = long ? data.readUInt32LE(at + 8) : data.readUInt16LE(at + 6);
    const valueAt = at + (long ? 12 : 8);
    if (data.readUInt16LE(at + 2) === 0x0010 && valueAt + length <= data.byteLength) {
      transferSyntaxUid = data.toString('latin1', valueAt, valueAt + length).replace(/[\0 ]+$/, '');
    }
    at = valueAt + length;
  }
  return { datasetOffset: at, transferSyntaxUid };
}

class Truncated extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

class Walker {
  constructor(
    private readonly data: Buffer,
    private readonly implicit: boolean,
    private readonly bigEndian: boolean,
  ) {}

  private need(offset: number, length: number, end: number, what: string): void {
    if (offset + length > end) throw new Truncated(offset, `${what} at offset ${offset} runs past the end`);
  }

  private u16(offset: number): number {
    return this.bigEndian ? this.data.readUInt16BE(offset) : this.data.readUInt16LE(offset);
  }

  private u32(offset: number): number {
    return this.bigEndian ? this.data.readUInt32BE(offset) : this.data.readUInt32LE(offset);
  }

  private tag(offset: number): number {
    return ((this.u16(offset) << 16) | this.u16(offset + 2)) >>> 0;
  }

  /** Walks elements from offset; inside an undefined-length item, until its Item Delimitation. */
  elements(offset: number, end: number, inItem: boolean): number {
    let at = offset;
    while (at < end) {
      this.need(at, 8, end, 'element header');
      const tag = this.tag(at);
      if (tag === ITEM_END) {
        if (!inItem) throw new Truncated(at, `item delimitation outside an item at offset ${at}`);
        return at + 8;
      }
      let length: number;
      let valueAt: number;
      if (this.implicit || tag >>> 16 === 0xfffe) {
        length = this.u32(at + 4);
        valueAt = at + 8;
      } else {
        const vr = this.data.toString('latin1', at + 4, at + 6);
        if (EXPLICIT_LONG_VRS.has(vr)) {
          this.need(at, 12, end, 'element header');
          length = this.u32(at + 8);
          valueAt = at + 12;
        } else {
          length = this.u16(at + 6);
          valueAt = at + 8;
        }
      }
      if (length === UNDEFINED) {
        at = this.items(valueAt, end);
      } else {
        this.need(valueAt, length, end, `value of (${hex(tag)})`);
        at = valueAt + length;
      }
    }
    if (inItem) throw new Truncated(end, 'undefined-length item has no item delimitation');
    return at;
  }

  /** Items of an undefined-length sequence (or pixel fragments), up to the Sequence Delimitation. */
  private items(offset: number, end: number): number {
    let at = offset;
    for (;;) {
      this.need(at, 8, end, 'item header');
      const tag = this.tag(at);
      const length = this.u32(at + 4);
      if (tag === SEQUENCE_END) return at + 8;
      if (tag !== ITEM) throw new Truncated(at, `expected an item at offset ${at}, found (${hex(tag)})`);
      if (length === UNDEFINED) at = this.elements(at + 8, end, true);
      else {
        this.need(at + 8, length, end, 'item');
        at = at + 8 + length;
      }
    }
  }
}

const hex = (tag: number): string => {
  const s = tag.toString(16).toUpperCase().padStart(8, '0');
  return `${s.slice(0, 4)},${s.slice(4)}`;
};
