/**
 * Finds the pixel data of a Part-10 object and the Image Pixel attributes that say how to cut it into
 * frames, without decoding anything: a walk over the top-level elements up to Pixel Data (PS3.5 7.1),
 * skipping sequences, and for encapsulated pixel data (PS3.5 A.4) the Basic Offset Table and the
 * fragments as views into the bytes. dcmjs stops before Pixel Data, hence this small reader.
 */
import { inflateRawSync } from 'node:zlib';
import { readMetaSpan } from '../part10-structure.ts';

const EXPLICIT_LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
/** Pixel Data, Float Pixel Data, Double Float Pixel Data (PS3.6): whichever comes first is the image. */
const PIXEL_TAGS = new Set([0x7fe00010, 0x7fe00008, 0x7fe00009]);
/** Sequences nested deeper than this are refused rather than walked (a hostile object could recurse). */
const MAX_DEPTH = 32;

export const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';

/** Image Pixel Module attributes (PS3.3 C.7.6.3) and Number of Frames (C.7.6.6); null when absent. */
export interface ImageAttributes {
  readonly rows: number | null;
  readonly columns: number | null;
  readonly samplesPerPixel: number | null;
  readonly bitsAllocated: number | null;
  readonly numberOfFrames: number | null;
  readonly photometricInterpretation: string | null;
}

export interface Fragment {
  /** Offset of the fragment's Item tag from the first fragment's Item tag (what offset tables count). */
  readonly offset: number;
  readonly value: Buffer;
}

export type PixelData =
  | { readonly kind: 'native'; readonly value: Buffer; readonly bigEndian: boolean }
  | {
      readonly kind: 'encapsulated';
      /** Basic Offset Table: one 32-bit offset per frame, or empty. */
      readonly basicOffsets: readonly number[];
      /** Extended Offset Table (7FE0,0001), when present (PS3.5 A.4, then the BOT is empty). */
      readonly extendedOffsets: readonly number[] | null;
      readonly fragments: readonly Fragment[];
    };

export interface LocatedPixelData {
  readonly transferSyntaxUid: string;
  readonly image: ImageAttributes;
  /** Null when the object has no pixel data (e.g. a structured report). */
  readonly pixelData: PixelData | null;
}

export class PixelDataError extends Error {
  override readonly name = 'PixelDataError';
}

/** Locates the pixel data in a Part-10 object; throws PixelDataError when the bytes do not parse. */
export function locatePixelData(bytes: Uint8Array): LocatedPixelData {
  let data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.byteLength < 132 || data.toString('latin1', 128, 132) !== 'DICM') {
    throw new PixelDataError('not a DICOM Part-10 object (no DICM prefix)');
  }
  const meta = readMetaSpan(data);
  const transferSyntaxUid = meta.transferSyntaxUid;
  if (transferSyntaxUid === null) throw new PixelDataError('the file meta has no Transfer Syntax UID');
  let start = meta.datasetOffset;
  if (transferSyntaxUid === DEFLATED_LE) {
    try {
      data = inflateRawSync(data.subarray(start));
    } catch {
      throw new PixelDataError('the deflated dataset does not inflate');
    }
    start = 0;
  }
  const reader = new Reader(data, transferSyntaxUid === IMPLICIT_LE, transferSyntaxUid === EXPLICIT_BE);
  return { transferSyntaxUid, ...reader.topLevel(start) };
}

class Reader {
  private readonly attrs: Record<keyof ImageAttributes, number | string | null> = {
    rows: null,
    columns: null,
    samplesPerPixel: null,
    bitsAllocated: null,
    numberOfFrames: null,
    photometricInterpretation: null,
  };
  private extendedOffsets: number[] | null = null;

  constructor(
    private readonly data: Buffer,
    private readonly implicit: boolean,
    private readonly bigEndian: boolean,
  ) {}

  private need(offset: number, length: number, what: string): void {
    if (offset + length > this.data.byteLength) {
      throw new PixelDataError(`${what} at offset ${offset} runs past the end of the object`);
    }
  }

  private u16(at: number): number {
    return this.bigEndian ? this.data.readUInt16BE(at) : this.data.readUInt16LE(at);
  }

  private u32(at: number): number {
    return this.bigEndian ? this.data.readUInt32BE(at) : this.data.readUInt32LE(at);
  }

  private tag(at: number): number {
    return ((this.u16(at) << 16) | this.u16(at + 2)) >>> 0;
  }

  /** Element header at `at`: its tag, value length and where the value starts. */
  private header(at: number): { tag: number; length: number; valueAt: number } {
    this.need(at, 8, 'element header');
    const tag = this.tag(at);
    if (this.implicit || tag >>> 16 === 0xfffe) return { tag, length: this.u32(at + 4), valueAt: at + 8 };
    if (EXPLICIT_LONG_VRS.has(this.data.toString('latin1', at + 4, at + 6))) {
      this.need(at, 12, 'element header');
      return { tag, length: this.u32(at + 8), valueAt: at + 12 };
    }
    return { tag, length: this.u16(at + 6), valueAt: at + 8 };
  }

  topLevel(start: number): { image: ImageAttributes; pixelData: PixelData | null } {
    let at = start;
    let pixelData: PixelData | null = null;
    while (at < this.data.byteLength) {
      const { tag, length, valueAt } = this.header(at);
      if (PIXEL_TAGS.has(tag)) {
        pixelData = length === UNDEFINED ? this.encapsulated(valueAt) : this.native(valueAt, length);
        break; // every attribute needed sorts before Pixel Data (PS3.5 7.1: ascending tag order)
      }
      if (length === UNDEFINED) at = this.skipItems(valueAt, 0);
      else {
        this.need(valueAt, length, `value of (${hex(tag)})`);
        this.record(tag, valueAt, length);
        at = valueAt + length;
      }
    }
    return { image: this.attrs as unknown as ImageAttributes, pixelData };
  }

  private record(tag: number, at: number, length: number): void {
    const us = (): number | null => (length >= 2 ? this.u16(at) : null);
    const text = (): string =>
      this.data
        .toString('latin1', at, at + length)
        .replace(/[\0 ]+$/, '')
        .trim();
    if (tag === 0x00280002) this.attrs.samplesPerPixel = us();
    else if (tag === 0x00280004) this.attrs.photometricInterpretation = text();
    else if (tag === 0x00280010) this.attrs.rows = us();
    else if (tag === 0x00280011) this.attrs.columns = us();
    else if (tag === 0x00280100) this.attrs.bitsAllocated = us();
    else if (tag === 0x00280008) {
      const s = text();
      if (!/^[+]?[0-9]{1,9}$/.test(s))
        throw new PixelDataError(`Number of Frames "${s.slice(0, 16)}" is not a number`);
      this.attrs.numberOfFrames = Number(s);
    } else if (tag === 0x7fe00001) {
      // Extended Offset Table: 64-bit offsets (OV), always little endian since it only comes with
      // encapsulated syntaxes.
      const offsets: number[] = [];
      for (let p = at; p + 8 <= at + length; p += 8) {
        const v = this.data.readBigUInt64LE(p);
        if (v > BigInt(Number.MAX_SAFE_INTEGER))
          throw new PixelDataError('Extended Offset Table value too large');
        offsets.push(Number(v));
      }
      this.extendedOffsets = offsets;
    }
  }

  private native(at: number, length: number): PixelData {
    this.need(at, length, 'Pixel Data value');
    return { kind: 'native', value: this.data.subarray(at, at + length), bigEndian: this.bigEndian };
  }

  /** PS3.5 A.4: an item holding the Basic Offset Table, then one item per fragment, then the delimiter. */
  private encapsulated(at: number): PixelData {
    const items: { at: number; value: Buffer }[] = [];
    let p = at;
    for (;;) {
      this.need(p, 8, 'pixel data item');
      const tag = this.tag(p);
      const length = this.u32(p + 4);
      if (tag === SEQUENCE_END) break;
      if (tag !== ITEM || length === UNDEFINED) {
        throw new PixelDataError(`encapsulated pixel data has a malformed item at offset ${p}`);
      }
      this.need(p + 8, length, 'pixel data fragment');
      items.push({ at: p, value: this.data.subarray(p + 8, p + 8 + length) });
      p += 8 + length;
    }
    const [table, ...rest] = items;
    if (table === undefined)
      throw new PixelDataError('encapsulated pixel data has no Basic Offset Table item');
    if (table.value.byteLength % 4 !== 0)
      throw new PixelDataError('Basic Offset Table length is not a multiple of 4');
    const basicOffsets: number[] = [];
    for (let q = 0; q < table.value.byteLength; q += 4) basicOffsets.push(table.value.readUInt32LE(q));
    const first = rest[0]?.at ?? 0;
    return {
      kind: 'encapsulated',
      basicOffsets,
      extendedOffsets: this.extendedOffsets,
      fragments: rest.map((f) => ({ offset: f.at - first, value: f.value })),
    };
  }

  /** Skips the items of an undefined-length sequence; returns the offset past its delimiter. */
  private skipItems(at: number, depth: number): number {
    if (depth > MAX_DEPTH) throw new PixelDataError(`sequences nested deeper than ${MAX_DEPTH}`);
    let p = at;
    for (;;) {
      this.need(p, 8, 'item header');
      const tag = this.tag(p);
      const length = this.u32(p + 4);
      if (tag === SEQUENCE_END) return p + 8;
      if (tag !== ITEM) throw new PixelDataError(`expected an item at offset ${p}, found (${hex(tag)})`);
      if (length !== UNDEFINED) {
        this.need(p + 8, length, 'item');
        p += 8 + length;
        continue;
      }
      p += 8;
      for (;;) {
        const h = this.header(p);
        if (h.tag === ITEM_END) {
          p = h.valueAt;
          break;
        }
        if (h.length === UNDEFINED) p = this.skipItems(h.valueAt, depth + 1);
        else {
          this.need(h.valueAt, h.length, `value of (${hex(h.tag)})`);
          p = h.valueAt + h.length;
        }
      }
    }
  }
}

const hex = (tag: number): string => {
  const s = tag.toString(16).toUpperCase().padStart(8, '0');
  return `${s.slice(0, 4)},${s.slice(4)}`;
};
