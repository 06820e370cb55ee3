/**
 * The one place that touches dcmjs (untyped JavaScript): reads a DICOM Part-10 buffer into its
 * file meta information and dataset, as dcmjs's naturalised-by-tag dictionaries. Loaded with
 * require and given a narrow type of our own, so no ambient `declare module 'dcmjs'` is needed.
 *
 * What dcmjs does for us: explicit/implicit little endian, explicit big endian, deflated explicit
 * little endian (it inflates), SpecificCharacterSet decoding to UTF-8 (it then rewrites the value to
 * ISO_IR 192). It stops at Pixel Data, so pixel bytes are never copied or decoded.
 */
import { createRequire } from 'node:module';

/** One element as dcmjs reads it: Value is strings, numbers, PN objects, nested datasets or ArrayBuffers. */
export interface DcmjsElement {
  readonly vr: string;
  readonly Value?: readonly unknown[];
}

export type DcmjsDataset = Readonly<Record<string, DcmjsElement>>;

export interface DcmjsFile {
  readonly meta: DcmjsDataset;
  readonly dict: DcmjsDataset;
}

interface ReadOptions {
  ignoreErrors: boolean;
  untilTag: string | null;
  includeUntilTagValue: boolean;
  noCopy: boolean;
  forceStoreRaw: boolean;
}

interface LevelLogger {
  setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void;
}

interface DcmjsModule {
  readonly data: {
    readonly DicomMessage: { readFile(buffer: ArrayBuffer, options: ReadOptions): DcmjsFile };
  };
  readonly log: LevelLogger & { getLogger(name: string): LevelLogger };
}

const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;
// dcmjs writes warnings (e.g. "Invalid vr type ox" for implicit VR pixel data) to the console.
// They are not errors for us, and our logs never go through console.
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export const PIXEL_DATA_TAG = '7FE00010';

/**
 * Parses a Part-10 file up to (not including) Pixel Data. Throws on anything dcmjs cannot read
 * (no DICM prefix, truncated element, unsupported character set): a half-read dataset is never
 * returned as if it were whole.
 */
export function readPart10(bytes: Uint8Array): DcmjsFile {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  return dcmjs.data.DicomMessage.readFile(buffer, {
    ignoreErrors: false,
    untilTag: PIXEL_DATA_TAG,
    includeUntilTagValue: false,
    noCopy: true,
    forceStoreRaw: false,
  });
}
