/**
 * A single-pass reader for the common Part-10 objects: explicit VR little endian (which includes
 * every compressed syntax outside its pixel fragments) and implicit VR little endian, with no
 * SpecificCharacterSet or one of ISO_IR 6, ISO_IR 100, ISO_IR 192. It reads the bytes directly
 * (no dcmjs objects, no copies), building the DICOM JSON as toDicomJson would from dcmjs's values
 * (and the few top-level values the keys need in dcmjs's shape), then goes through the same
 * assembleInstance as the dcmjs path, so the ParsedInstance is identical. It mirrors dcmjs 0.51
 * exactly, quirks included:
 *   - values are split on backslash and trimmed per VR class (AE/CS/LO/SH trim both ends; LT, ST,
 *     TM, UC, UT only the end; DA, DT, AS, UR not at all; a trailing pad byte is dropped from the
 *     last of several values when it makes that value odd; PN drops one trailing space, empty
 *     values and empty component groups);
 *   - DS/IS keep only [0-9.\-+eE] and become Number (NaN possible, null for empty); UI keeps only
 *     digits and dots;
 *   - fixed-size binary values with no bytes read as their default (0, or nothing for AT);
 *   - items are read from a fresh stream, so their strings are decoded as windows-1252 (what
 *     TextDecoder('latin1') is) whatever the top-level character set, until an item sets its own;
 *     empty items are dropped; undefined-length items end where dcmjs's 16-bit-word scan for the
 *     item delimiter says;
 *   - (0008,0005) becomes ISO_IR 192; reading stops at top-level Pixel Data (not inside items);
 *   - implicit VR comes from dcmjs's own dictionary (xs -> US, ox -> OW, other unknown VR strings
 *     -> UN; unknown tags: SQ when undefined length, LO for private creators, else UN).
 * Anything else returns null and the caller uses dcmjs: big endian, deflate, other or multiple
 * character sets, explicit UN for a tag the dictionary knows (dcmjs re-reads it), VRs dcmjs has
 * no class for (OL, OV, SV, garbage) and UV, encapsulated values other than top-level Pixel Data
 * whose offset table does not fall on fragments (or, at the top level, is not empty), fixed-size
 * binary values whose length is not a multiple of their size, item or delimiter tags where an
 * element should be, a meta group without a usable (0002,0000), and any element or item that does
 * not fit where dcmjs would read it. Truncated objects get the same DicomParseError('truncated')
 * as parsePart10 (same check, same message).
 */
import { createRequire } from 'node:module';
import { checkDatasetStructure, readMetaSpan } from './part10-structure.ts';
import type { DcmjsDataset } from './dcmjs-reader.ts';
import {
  BULK_DATA_THRESHOLD,
  type DicomJsonDataset,
  type DicomJsonElement,
  type DicomJsonPersonName,
  type DicomJsonValue,
} from './dicom-json.ts';
import {
  assembleInstance,
  assertPart10Prefix,
  DATASET_KEY_TAGS,
  DicomParseError,
  type ParsedInstance,
} from './parse-part10.ts';

interface DictionaryEntry {
  readonly vr?: string;
}

interface DcmjsDictionaryModule {
  readonly data: { readonly DicomMetaDictionary: { readonly dictionary: Record<string, DictionaryEntry> } };
}

const dictionary = (createRequire(import.meta.url)('dcmjs') as DcmjsDictionaryModule).data.DicomMetaDictionary
  .dictionary;

const IMPLICIT_LE = '1.2.840.10008.1.2';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const PIXEL_DATA = 0x7fe00010;
const SPECIFIC_CHARACTER_SET = 0x00080005;
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const SEQUENCE_END = 0xfffee0dd;

/** VRs dcmjs has a class for (its VRinstances), less UV (its explicit length differs from the structure check). */
const KNOWN_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OW', 'PN', 'SH',
  'SL', 'SQ', 'SS', 'ST', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT',
]); // prettier-ignore
/** The explicit VR field (first byte << 8 | second byte) to the VR, for the VRs above. */
const VR_BY_CODE: ReadonlyMap<number, string> = new Map(
  [...KNOWN_VRS].map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]),
);
/** Of those, the ones with a 2-byte reserved field and a 32-bit length in explicit VR (dcmjs and the structure check agree). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const OPAQUE_VRS = new Set(['OB', 'OD', 'OF', 'OW', 'UN']);
/** SpecificCharacterSet values (after dcmjs's normalisation) decoded with windows-1252 or UTF-8. */
const CHARSETS: ReadonlyMap<string, 'latin1' | 'utf8'> = new Map([
  ['', 'latin1'],
  ['iso-ir-6', 'latin1'],
  ['iso-ir-100', 'latin1'],
  ['iso-ir-192', 'utf8'],
]);

const LATIN1 = new TextDecoder('latin1'); // windows-1252, as dcmjs's default decoder
const UTF8 = new TextDecoder('utf-8');

/** Thrown inside the walk for anything the fast path does not do exactly like dcmjs. */
class NotFast extends Error {}
const notFast = (): never => {
  throw new NotFast();
};

type Element = { vr: string; Value: unknown[] };
type Dataset = Record<string, Element>;

interface FileRead {
  /** The file meta and the top-level dataset as dcmjs-shaped elements (for the keys). */
  readonly meta: DcmjsDataset;
  readonly dict: DcmjsDataset;
  /** The dataset as toDicomJson would give it from `dict` (nested items included). */
  readonly json: DicomJsonDataset;
  /** Offset of top-level Pixel Data, or -1. */
  readonly pixelAt: number;
}

interface DatasetRead {
  readonly raw: Dataset;
  readonly json: DicomJsonDataset;
  readonly pixelAt: number;
}

/**
 * The dataset as parsePart10 would return it, or null when dcmjs must read it (see above).
 * Throws DicomParseError 'not-part10' or 'truncated' like parsePart10; 'unreadable' and
 * 'missing-uid' come from the shared assembleInstance or from the dcmjs fallback.
 */
export function readPart10Fast(bytes: Uint8Array): ParsedInstance | null {
  assertPart10Prefix(bytes);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const span = readMetaSpan(bytes);
  const ts = span.transferSyntaxUid;
  if (ts === null || ts === BIG_ENDIAN || ts === DEFLATED) return null;
  let read: FileRead;
  try {
    read = new Reader(buf, ts).file(span.datasetOffset, ts);
  } catch {
    // NotFast, or a read out of range (RangeError), or anything unforeseen: the same check
    // parsePart10 makes first, so a cut object fails the same way; else dcmjs decides.
    truncatedCheck(bytes, span.datasetOffset, ts);
    return null;
  }
  // Nothing after top-level Pixel Data is read, but it must be whole (fragments included).
  if (read.pixelAt >= 0) truncatedCheck(bytes, read.pixelAt, ts);
  return assembleInstance(read.meta, read.dict, read.pixelAt >= 0, bytes.byteLength, read.json);
}

function truncatedCheck(bytes: Uint8Array, offset: number, ts: string): void {
  const problem = checkDatasetStructure(bytes, offset, ts);
  if (problem) throw new DicomParseError('truncated', `DICOM dataset is not whole: ${problem.message}`);
}

/** Top-level elements assembleInstance reads for the keys; the rest only become DICOM JSON. */
let keyTagSet: ReadonlySet<string> | undefined;
const keyTags = {
  has: (key: string): boolean => (keyTagSet ??= new Set(DATASET_KEY_TAGS)).has(key),
};

const tagKey = (tag: number): string => tag.toString(16).toUpperCase().padStart(8, '0');

const tagKeys = new Map<number, string>();
function keyOf(tag: number): string {
  let key = tagKeys.get(tag);
  if (key === undefined) {
    key = tagKey(tag);
    if (tagKeys.size < 65536) tagKeys.set(tag, key);
  }
  return key;
}

/** The dictionary VR as dcmjs resolves it (null: tag not in the dictionary). Cached per tag. */
const dictionaryVrs = new Map<number, string | null>();
function dictionaryVr(tag: number): string | null {
  let vr = dictionaryVrs.get(tag);
  if (vr === undefined) {
    const key = tagKey(tag);
    const entry = dictionary[`(${key.slice(0, 4)},${key.slice(4)})`];
    vr = entry ? (entry.vr ?? '') : null;
    if (dictionaryVrs.size < 65536) dictionaryVrs.set(tag, vr);
  }
  return vr;
}

/** dcmjs's createByTypeString on a dictionary VR: its own classes, else ox -> OW, xs -> US, UN. */
function resolveVr(type: string): string {
  if (KNOWN_VRS.has(type) || type === 'UV') return type;
  if (type === 'ox') return 'OW';
  if (type === 'xs') return 'US';
  return 'UN';
}

function implicitVr(tag: number, length: number): string {
  const known = dictionaryVr(tag);
  if (known !== null) return resolveVr(known);
  if (length === UNDEFINED) return 'SQ';
  if (tag === PIXEL_DATA) return 'OW';
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (group % 2 === 1 && element < 0x100 && element > 0) return 'LO';
  return 'UN';
}

/** dcmjs's dropPadByte: the last of several values loses one pad character if that makes it even. */
function dropPad(values: string[], pad: string): string[] {
  if (values.length > 1) {
    const last = values[values.length - 1]!;
    if (last.length % 2 !== 0 && last.endsWith(pad)) values[values.length - 1] = last.slice(0, -1);
  }
  return values;
}

/** dcmjs's DS/IS formatNumber. */
function formatNumber(s: string): number | null {
  const v = s.trim().replace(/[^0-9.\\\-+e]/gi, '');
  return v === '' ? null : Number(v);
}

/** dcmjs's UI formatting: only digits and dots stay. */
function uidChars(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) return s.replace(/[^0-9.]/g, '');
  }
  return s;
}

function personNames(s: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const v of s.split('\\')) {
    if (v === '') continue;
    const c = v.split('=');
    const pn: Record<string, string> = {};
    if (c[0]) pn.Alphabetic = c[0];
    if (c[1]) pn.Ideographic = c[1];
    if (c[2]) pn.Phonetic = c[2];
    out.push(pn);
  }
  return out;
}

const clean = (s: string): string => (s.includes('\0') ? s.replace(/\0/g, '') : s);

/** toDicomJson's convertElement on a value this reader made (SQ items are already DICOM JSON). */
function toJson(vr: string, values: unknown[], prefix: string, key: string): DicomJsonElement {
  if (vr === 'SQ') return values.length > 0 ? { vr, Value: values as DicomJsonDataset[] } : { vr };
  if (OPAQUE_VRS.has(vr)) {
    const chunks = values as Buffer[];
    let length = 0;
    for (const c of chunks) length += c.byteLength;
    if (length === 0) return { vr };
    if (length > BULK_DATA_THRESHOLD) return { vr, BulkDataURI: `bulkdata/${prefix}${key}` };
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    return { vr, InlineBinary: data.toString('base64') };
  }
  const out: DicomJsonValue[] = new Array<DicomJsonValue>(values.length);
  let any = false;
  for (let i = 0; i < values.length; i++) {
    const v = convertValue(vr, values[i]);
    if (v !== null) any = true;
    out[i] = v;
  }
  return any ? { vr, Value: out } : { vr };
}

/** toDicomJson's convertValue for the values this reader makes (no bigint, DS/IS already numbers). */
function convertValue(vr: string, value: unknown): DicomJsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : clean(value) || null;
  if (typeof value === 'number') {
    if (vr === 'AT') return value.toString(16).toUpperCase().padStart(8, '0');
    return Number.isFinite(value) ? value : null;
  }
  // PN: only non-empty groups are set.
  const pn = value as DicomJsonPersonName;
  const out: DicomJsonPersonName = {};
  if (pn.Alphabetic !== undefined) out.Alphabetic = clean(pn.Alphabetic);
  if (pn.Ideographic !== undefined) out.Ideographic = clean(pn.Ideographic);
  if (pn.Phonetic !== undefined) out.Phonetic = clean(pn.Phonetic);
  return pn.Alphabetic !== undefined || pn.Ideographic !== undefined || pn.Phonetic !== undefined
    ? out
    : null;
}

class Reader {
  private readonly implicit: boolean;

  constructor(
    private readonly buf: Buffer,
    ts: string,
  ) {
    this.implicit = ts === IMPLICIT_LE;
  }

  file(datasetOffset: number, spanTs: string): FileRead {
    const buf = this.buf;
    // dcmjs: the first element must be (0002,0000) UL; the meta is the group length after it.
    if (buf.byteLength < 144) notFast();
    if (buf.readUInt32LE(132) !== 0x00000002 || buf.toString('latin1', 136, 138) !== 'UL') notFast();
    if (buf.readUInt16LE(138) !== 4) notFast();
    const metaEnd = 144 + buf.readUInt32LE(140);
    if (metaEnd !== datasetOffset || metaEnd > buf.byteLength) notFast();
    const metaReader = new Reader(buf, '');
    const meta = metaReader.dataset(144, metaEnd, false, '', true).raw;
    const ts = meta[keyOf(0x00020010)]?.Value[0];
    if (ts !== spanTs) notFast();
    const { raw, json, pixelAt } = this.dataset(datasetOffset, buf.byteLength, true, '', false);
    return { meta, dict: raw, json, pixelAt };
  }

  /**
   * Elements from `start` filling exactly up to `end` (top level: or up to Pixel Data), as
   * DICOM JSON and (all of them with `allRaw`, else only the top-level key tags) as dcmjs-shaped
   * elements; `prefix` is the BulkDataURI path to this dataset.
   */
  private dataset(start: number, end: number, top: boolean, prefix: string, allRaw: boolean): DatasetRead {
    const buf = this.buf;
    const raw: Dataset = {};
    const json: DicomJsonDataset = {};
    let utf8 = false;
    let at = start;
    while (at < end) {
      if (at + 8 > end) notFast();
      const group = buf.readUInt16LE(at);
      const tag = ((group << 16) | buf.readUInt16LE(at + 2)) >>> 0;
      if (group === 0xfffe) notFast();
      if (top && tag === PIXEL_DATA) return { raw, json, pixelAt: at };
      const key = keyOf(tag);
      let vr: string;
      let length: number;
      let valueAt: number;
      if (this.implicit) {
        length = buf.readUInt32LE(at + 4);
        valueAt = at + 8;
        vr = implicitVr(tag, length);
      } else {
        vr = VR_BY_CODE.get((buf[at + 4]! << 8) | buf[at + 5]!) ?? notFast();
        if (vr === 'UN' && dictionaryVr(tag)) notFast();
        if (LONG_VRS.has(vr)) {
          if (at + 12 > end) notFast();
          length = buf.readUInt32LE(at + 8);
          valueAt = at + 12;
        } else {
          length = buf.readUInt16LE(at + 6);
          valueAt = at + 8;
        }
      }
      let value: unknown[];
      if (vr === 'SQ') {
        const sq = this.sequence(valueAt, length, end, `${prefix}${key}/`);
        value = sq.items;
        at = sq.next;
      } else if (length === UNDEFINED) {
        if (!OPAQUE_VRS.has(vr)) notFast();
        const fragments = this.fragments(valueAt, end, top);
        value = fragments.values;
        at = fragments.next;
      } else {
        if (valueAt + length > end) notFast();
        value = this.value(vr, valueAt, length, utf8);
        at = valueAt + length;
      }
      if (tag === SPECIFIC_CHARACTER_SET) {
        // dcmjs: the first value picks the decoder for the rest of this dataset; more than one throws.
        if (value.length !== 1) notFast();
        const coding = CHARSETS.get(String(value[0]).replace(/[_ ]/g, '-').toLowerCase());
        if (coding === undefined) notFast();
        utf8 = coding === 'utf8';
        value = ['ISO_IR 192'];
      }
      if (allRaw || (top && keyTags.has(key))) raw[key] = { vr, Value: value };
      // toDicomJson drops group lengths (gggg0000).
      if ((tag & 0xffff) !== 0) json[key] = toJson(vr, value, prefix, key);
    }
    if (at !== end) notFast();
    return { raw, json, pixelAt: -1 };
  }

  /**
   * A sequence value: its items as DICOM JSON (empty items dropped, as dcmjs does) and the offset
   * after it. `prefix` is the BulkDataURI path to the sequence element.
   */
  private sequence(
    valueAt: number,
    length: number,
    end: number,
    prefix: string,
  ): { items: DicomJsonDataset[]; next: number } {
    const buf = this.buf;
    const items: DicomJsonDataset[] = [];
    if (length === 0) return { items, next: valueAt };
    const undefinedLength = length === UNDEFINED;
    const stop = undefinedLength ? end : valueAt + length;
    if (stop > end) notFast();
    let at = valueAt;
    for (;;) {
      if (at + 8 > stop) notFast();
      const tag = ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
      const itemLength = buf.readUInt32LE(at + 4);
      if (tag === SEQUENCE_END && undefinedLength) return { items, next: at + 8 };
      if (tag !== ITEM) notFast();
      const contentAt = at + 8;
      if (itemLength === UNDEFINED) {
        const delimiterAt = this.scanItemEnd(contentAt, stop);
        if (delimiterAt > contentAt) {
          items.push(this.dataset(contentAt, delimiterAt, false, `${prefix}${items.length}/`, false).json);
        }
        at = delimiterAt + 8;
      } else {
        if (contentAt + itemLength > stop) notFast();
        if (itemLength > 0) {
          items.push(
            this.dataset(contentAt, contentAt + itemLength, false, `${prefix}${items.length}/`, false).json,
          );
        }
        at = contentAt + itemLength;
      }
      if (!undefinedLength && at === stop) return { items, next: at };
    }
  }

  /**
   * An encapsulated binary value other than top-level Pixel Data (e.g. icon pixel data in an item):
   * dcmjs gives its fragments, grouped by frame when there is a basic offset table; toDicomJson
   * joins them. With a table, only when its offsets fall on fragments (else dcmjs regroups bytes)
   * and not at the top level (there dcmjs hands frames of several fragments as arrays, which
   * toDicomJson skips).
   */
  private fragments(start: number, end: number, top: boolean): { values: Buffer[]; next: number } {
    const buf = this.buf;
    if (start + 8 > end || buf.readUInt32LE(start) !== 0xe000fffe) notFast();
    const tableLength = buf.readUInt32LE(start + 4);
    const first = start + 8 + tableLength;
    if (first > end || tableLength % 4 !== 0 || (top && tableLength > 0)) notFast();
    const offsets: number[] = [];
    for (let o = start + 8; o < first; o += 4) offsets.push(buf.readUInt32LE(o));
    const values: Buffer[] = [];
    let at = first;
    let nextOffset = 0;
    for (;;) {
      if (at + 8 > end) notFast();
      const tag = ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
      const length = buf.readUInt32LE(at + 4);
      if (tag === SEQUENCE_END) {
        if (length !== 0 || nextOffset < offsets.length) notFast();
        return { values, next: at + 8 };
      }
      if (tag !== ITEM || at + 8 + length > end) notFast();
      if (nextOffset < offsets.length && offsets[nextOffset] === at - first) nextOffset++;
      else if (nextOffset === 0 && offsets.length > 0) notFast();
      values.push(buf.subarray(at + 8, at + 8 + length));
      at += 8 + length;
    }
  }

  /**
   * Where dcmjs's SequenceOfItems ends an undefined-length item: it scans 16-bit words for
   * (FFFE,E00D) with length 0, counting nested undefined-length items. Only the consistent cases.
   */
  private scanItemEnd(start: number, end: number): number {
    const buf = this.buf;
    let depth = 0;
    let at = start;
    for (;;) {
      if (at + 2 > end) notFast();
      if (buf.readUInt16LE(at) !== 0xfffe) {
        at += 2;
        continue;
      }
      if (at + 8 > end) notFast();
      const element = buf.readUInt16LE(at + 2);
      const length = buf.readUInt32LE(at + 4);
      if (element === 0xe00d) {
        if (length !== 0) notFast(); // dcmjs miscounts these
        if (--depth < 0) return at;
        at += 4;
      } else if (element === 0xe000) {
        if (length === UNDEFINED) depth++;
        at += 4;
      } else {
        at += 2;
      }
    }
  }

  /** One non-sequence value as dcmjs's _readTag gives it. */
  private value(vr: string, at: number, length: number, utf8: boolean): unknown[] {
    const buf = this.buf;
    switch (vr) {
      case 'AE':
        return dropPad(this.ascii(at, length).trim().split('\\'), ' ');
      case 'AS':
        return length === 0 ? [''] : dropPad(this.ascii(at, length).split('\\'), ' ');
      case 'CS':
        return dropPad(this.ascii(at, length).split('\\'), ' ').map((s) => s.trim());
      case 'DA':
      case 'DT':
        return dropPad(this.ascii(at, length).split('\\'), ' ');
      case 'DS':
      case 'IS':
        return dropPad(this.ascii(at, length).split('\\'), ' ').map(formatNumber);
      case 'TM':
        return dropPad(this.ascii(at, length).trimEnd().split('\\'), ' ');
      case 'UR':
        return this.ascii(at, length).split('\\');
      case 'UI': {
        const n = length > 0 && buf[at + length - 1] === 0 ? length - 1 : length;
        return this.ascii(at, n).split('\\').map(uidChars);
      }
      case 'LO':
      case 'SH':
        return dropPad(this.text(at, length, utf8).trim().split('\\'), ' ');
      case 'ST':
        return dropPad(this.text(at, length, utf8).trimEnd().split('\\'), ' ');
      case 'UC':
      case 'UT':
        return this.text(at, length, utf8).trimEnd().split('\\');
      case 'LT':
        return [this.text(at, length, utf8).trimEnd()];
      case 'PN': {
        const s = this.text(at, length, utf8);
        return personNames(s.length > 0 && s.endsWith(' ') ? s.slice(0, -1) : s);
      }
      case 'US':
      case 'SS':
      case 'UL':
      case 'SL':
      case 'FL':
      case 'FD':
      case 'AT':
        return this.fixed(vr, at, length);
      default:
        if (OPAQUE_VRS.has(vr)) return [buf.subarray(at, at + length)];
        return notFast();
    }
  }

  /** Fixed-size binary values: no bytes is the default value; a partial value is not for us. */
  private fixed(vr: string, at: number, length: number): unknown[] {
    const buf = this.buf;
    const size = vr === 'FD' ? 8 : vr === 'US' || vr === 'SS' ? 2 : 4;
    if (length === 0) return [vr === 'AT' ? undefined : 0];
    if (length % size !== 0) notFast();
    const out: number[] = [];
    const stop = at + length;
    for (let o = at; o < stop; o += size) {
      if (vr === 'US') out.push(buf.readUInt16LE(o));
      else if (vr === 'SS') out.push(buf.readInt16LE(o));
      else if (vr === 'UL') out.push(buf.readUInt32LE(o));
      else if (vr === 'SL') out.push(buf.readInt32LE(o));
      else if (vr === 'FL') out.push(buf.readFloatLE(o));
      else if (vr === 'FD') out.push(buf.readDoubleLE(o));
      else out.push(((buf.readUInt16LE(o) << 16) | buf.readUInt16LE(o + 2)) >>> 0); // AT
    }
    return out;
  }

  /** dcmjs readAsciiString: one char per byte. */
  private ascii(at: number, length: number): string {
    return this.buf.toString('latin1', at, at + length);
  }

  /** dcmjs readEncodedString: TextDecoder, windows-1252 or UTF-8; plain ASCII either way. */
  private text(at: number, length: number, utf8: boolean): string {
    const buf = this.buf;
    const stop = at + length;
    for (let i = at; i < stop; i++) {
      if (buf[i]! >= 0x80) return (utf8 ? UTF8 : LATIN1).decode(buf.subarray(at, stop));
    }
    return buf.toString('latin1', at, stop);
  }
}
