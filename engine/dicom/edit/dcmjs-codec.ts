/**
 * The dcmjs calls the editor needs, behind a narrow type of our own (as engine/dicom/dcmjs-reader.ts
 * does for reading): parse a dataset into dcmjs's by-tag dictionary, write one back, and look tags
 * up in its data dictionary.
 *
 * dcmjs is only ever given the dataset BEFORE Pixel Data (see part10-split.ts): its writer would
 * re-fragment encapsulated pixel data (20 KiB fragments, a new Basic Offset Table), so the pixel
 * element is copied byte for byte by us instead.
 */
import { createRequire } from 'node:module';

/** One element as dcmjs holds it; mutable, since editing is the point. */
export interface EditElement {
  vr: string;
  Value?: unknown[];
  /** dcmjs keeps the undecoded value and writes it back when Value is unchanged. */
  _rawValue?: unknown;
}

/** A dataset (top level or a sequence item): uppercase `GGGGEEEE` -> element. */
export type EditDataset = Record<string, EditElement>;

interface DictEntry {
  readonly tag: string; // '(0010,0010)'
  readonly vr: string;
  readonly vm: string;
  readonly name: string;
}

interface DcmjsDict {
  meta: EditDataset;
  dict: EditDataset;
  write(options?: { allowInvalidVRLength: boolean }): ArrayBuffer;
}

interface DcmjsModule {
  readonly data: {
    readonly DicomMessage: {
      readFile(
        buffer: ArrayBuffer,
        options: {
          ignoreErrors: boolean;
          untilTag: string | null;
          includeUntilTagValue: boolean;
          noCopy: boolean;
          forceStoreRaw: boolean;
        },
      ): DcmjsDict;
    };
    readonly DicomDict: new (meta: EditDataset) => DcmjsDict;
    readonly DicomMetaDictionary: { readonly nameMap: Readonly<Record<string, DictEntry>> };
  };
  readonly log: { setLevel(level: 'silent'): void; getLogger(name: string): { setLevel(l: 'silent'): void } };
}

const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

/** The encoding of the dataset outside pixel fragments (PS3.5 A.4: encapsulated syntaxes are explicit VR LE). */
export function datasetEncoding(transferSyntaxUid: string): string {
  return transferSyntaxUid === IMPLICIT_LE || transferSyntaxUid === EXPLICIT_BE
    ? transferSyntaxUid
    : EXPLICIT_LE;
}

/** A minimal file meta: (0002,0000) and (0002,0010), enough for dcmjs to read or write a dataset. */
function fakeMeta(encoding: string): Buffer {
  const uid = Buffer.from(encoding.length % 2 ? `${encoding}\0` : encoding, 'latin1');
  const ts = Buffer.alloc(8 + uid.length);
  ts.writeUInt16LE(0x0002, 0);
  ts.writeUInt16LE(0x0010, 2);
  ts.write('UI', 4, 'latin1');
  ts.writeUInt16LE(uid.length, 6);
  uid.copy(ts, 8);
  const len = Buffer.alloc(12);
  len.writeUInt16LE(0x0002, 0);
  len.writeUInt16LE(0x0000, 2);
  len.write('UL', 4, 'latin1');
  len.writeUInt16LE(4, 6);
  len.writeUInt32LE(ts.length, 8);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), len, ts]);
}

/** Parses dataset bytes (already inflated; no Pixel Data) in `encoding`. Throws on anything dcmjs rejects. */
export function readDataset(bytes: Buffer, encoding: string): EditDataset {
  const file = Buffer.concat([fakeMeta(encoding), bytes]);
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  return dcmjs.data.DicomMessage.readFile(buffer, {
    ignoreErrors: false,
    untilTag: null,
    includeUntilTagValue: false,
    noCopy: false,
    forceStoreRaw: false,
  }).dict;
}

/** Writes a dataset in `encoding` (the bytes after the file meta dcmjs adds, which is cut off here). */
export function writeDataset(dataset: EditDataset, encoding: string): Buffer {
  const out = new dcmjs.data.DicomDict({ '00020010': { vr: 'UI', Value: [encoding] } });
  out.dict = dataset;
  const file = Buffer.from(out.write({ allowInvalidVRLength: false }));
  // 128 preamble + "DICM" + (0002,0000) UL: tag 4, VR 2, length 2, value 4 -> meta length at 140.
  return file.subarray(144 + file.readUInt32LE(140));
}

export interface DictionaryTag {
  /** Uppercase `GGGGEEEE`. */
  readonly tag: string;
  readonly keyword: string;
  /** dcmjs's VR: a real VR, or `xs` (US/SS), `ox` (OB/OW), `lt`, `up`, `na` when it depends on context. */
  readonly vr: string;
}

let byKeyword: Map<string, DictionaryTag> | null = null;
let byTag: Map<string, DictionaryTag> | null = null;

function load(): void {
  if (byKeyword && byTag) return;
  byKeyword = new Map();
  byTag = new Map();
  for (const entry of Object.values(dcmjs.data.DicomMetaDictionary.nameMap)) {
    const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag);
    if (!m) continue;
    const keyword = entry.name.replace(/^RETIRED_/, '');
    const info: DictionaryTag = { tag: `${m[1]}${m[2]}`.toUpperCase(), keyword, vr: entry.vr };
    byKeyword.set(keyword, info);
    byTag.set(info.tag, info);
  }
}

/** A standard keyword (PS3.6), retired ones included without dcmjs's `RETIRED_` prefix. */
export function tagByKeyword(keyword: string): DictionaryTag | undefined {
  load();
  return byKeyword!.get(keyword);
}

export function tagInfo(tag: string): DictionaryTag | undefined {
  load();
  return byTag!.get(tag);
}

/** Case-insensitive keyword match, for "did you mean" hints. */
export function keywordLike(text: string): string | undefined {
  load();
  const lower = text.toLowerCase();
  for (const k of byKeyword!.keys()) if (k.toLowerCase() === lower) return k;
  return undefined;
}
