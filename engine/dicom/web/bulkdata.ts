/**
 * WADO-RS bulk data (PS3.18 10.4, the BulkDataURIs our metadata gives: `<instance>/bulkdata/<path>`,
 * see engine/dicom/dicom-json.ts). A path is a tag, or sequence tag / item index / ... / tag, as the
 * metadata wrote it. Pixel Data is cut by the frames reader (frames.ts): native pixel data as one
 * little endian octet-stream part, encapsulated as one part per frame in its syntax's media type;
 * any other bulk element is its value bytes as stored, through dcmjs.
 */
import { readPart10, type DcmjsDataset, type DcmjsElement } from '../dcmjs-reader.ts';
import { BINARY_VRS } from '../dicom-json.ts';
import { extractFrames, FrameError } from './frames.ts';

export type BulkDataErrorKind = 'bad-request' | 'not-found' | 'unsupported' | 'invalid-object';

export class BulkDataError extends Error {
  override readonly name = 'BulkDataError';
  constructor(
    readonly kind: BulkDataErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface BulkData {
  readonly transferSyntaxUid: string;
  /** True for encapsulated pixel data: one part per frame, compressed as stored. */
  readonly encapsulated: boolean;
  readonly parts: readonly Buffer[];
}

const TAG = /^[0-9A-F]{8}$/;
const INDEX = /^(0|[1-9][0-9]{0,5})$/;
const MAX_STEPS = 2 * 32 + 1;
/** Pixel Data, Float Pixel Data, Double Float Pixel Data: the top-level image, read by frames.ts. */
const PIXEL_TAGS = new Set(['7FE00010', '7FE00008', '7FE00009']);

/** "00420011" or "00540016/0/00181072": tags (hex, either case) and item indexes (from 0) alternating. */
export function parseBulkDataPath(text: string): string[] {
  const steps = text.split('/').map((s, i) => (i % 2 === 0 ? s.toUpperCase() : s));
  const ok =
    steps.length % 2 === 1 &&
    steps.length <= MAX_STEPS &&
    steps.every((s, i) => (i % 2 === 0 ? TAG.test(s) : INDEX.test(s)));
  if (!ok) {
    throw new BulkDataError(
      'bad-request',
      `bulk data path ${JSON.stringify(text.slice(0, 100))} is not tag[/item/tag...] (tags as 8 hex digits, items from 0)`,
    );
  }
  return steps;
}

export function readBulkData(part10: Uint8Array, path: readonly string[]): BulkData {
  if (path.length === 1 && PIXEL_TAGS.has(path[0]!)) return pixelData(part10);
  let file;
  try {
    file = readPart10(part10);
  } catch (err) {
    throw new BulkDataError('invalid-object', `the stored object cannot be read: ${(err as Error).message}`);
  }
  const transferSyntaxUid = file.meta['00020010']?.Value?.[0];
  const element = elementAt(file.dict, path);
  if (element === null || !BINARY_VRS.has(element.vr)) {
    throw new BulkDataError('not-found', `the instance has no bulk data element at ${path.join('/')}`);
  }
  const parts: Buffer[] = [];
  for (const v of element.Value ?? []) {
    if (v instanceof ArrayBuffer) parts.push(Buffer.from(v));
    else if (ArrayBuffer.isView(v)) parts.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
  return {
    transferSyntaxUid: typeof transferSyntaxUid === 'string' ? transferSyntaxUid : '',
    encapsulated: false,
    parts: [Buffer.concat(parts)],
  };
}

function elementAt(dataset: DcmjsDataset, path: readonly string[]): DcmjsElement | null {
  let element = dataset[path[0]!] ?? null;
  for (let i = 1; i < path.length && element !== null; i += 2) {
    const item = element.Value?.[Number(path[i])];
    if (typeof item !== 'object' || item === null || item instanceof ArrayBuffer || ArrayBuffer.isView(item))
      return null;
    element = (item as DcmjsDataset)[path[i + 1]!] ?? null;
  }
  return element;
}

function pixelData(part10: Uint8Array): BulkData {
  try {
    const extracted = extractFrames(part10, 'all');
    return {
      transferSyntaxUid: extracted.transferSyntaxUid,
      encapsulated: extracted.encapsulated,
      parts: extracted.encapsulated ? extracted.frames : [Buffer.concat(extracted.frames)],
    };
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
    const kind = err.kind === 'no-pixel-data' ? 'not-found' : err.kind;
    throw new BulkDataError(kind, err.message);
  }
}
