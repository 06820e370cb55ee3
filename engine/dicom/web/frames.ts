/**
 * WADO-RS Retrieve Frames (PS3.18 10.4, Frames resource): the bytes of frames "1,3,5" (1-based)
 * of one stored Part-10 object, never decoded.
 *  - Native pixel data: frame n is the n-th run of Rows*Columns*SamplesPerPixel*BitsAllocated bits
 *    (PS3.5 8.1.1; with BitsAllocated 1 frames are not byte aligned, so the bits are shifted out).
 *    Explicit VR Big Endian words are swapped, so frames are always little endian
 *    (1.2.840.10008.1.2.1, the octet-stream default of PS3.18 8.7.3).
 *  - Encapsulated pixel data (PS3.5 A.4): the frame's fragments, found by the Extended Offset Table,
 *    else the Basic Offset Table, else one fragment per frame (or all fragments for a single frame).
 *    With none of these the frame boundaries are only known by decoding, which we don't do.
 */
import {
  locatePixelData,
  PixelDataError,
  type Fragment,
  type ImageAttributes,
  type PixelData,
} from './pixel-data.ts';

export type FrameErrorKind = 'bad-request' | 'no-pixel-data' | 'unsupported' | 'invalid-object';

export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly kind: FrameErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Frames one request may ask for: a long list is still one path segment, so this bounds the answer. */
export const MAX_FRAMES_PER_REQUEST = 10_000;

/** Parses a frame list "1,3,5" (PS3.18 10.4): positive integers, in the order asked. */
export function parseFrameList(text: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length > MAX_FRAMES_PER_REQUEST) {
    throw new FrameError('bad-request', `at most ${MAX_FRAMES_PER_REQUEST} frames per request`);
  }
  return items.map((s) => {
    if (!/^[0-9]{1,9}$/.test(s)) {
      throw new FrameError(
        'bad-request',
        `frame list "${text.slice(0, 64)}" is not comma-separated frame numbers`,
      );
    }
    const n = Number(s);
    if (n === 0) throw new FrameError('bad-request', 'frame numbers start at 1 (frame 0 asked for)');
    return n;
  });
}

export interface ExtractedFrames {
  readonly transferSyntaxUid: string;
  readonly encapsulated: boolean;
  readonly numberOfFrames: number;
  /** One buffer per requested frame, in the order asked. */
  readonly frames: readonly Buffer[];
}

/** The requested frames of a Part-10 object (`all`: every frame, in order); FrameError says why not. */
export function extractFrames(part10: Uint8Array, asked: readonly number[] | 'all'): ExtractedFrames {
  let located;
  try {
    located = locatePixelData(part10);
  } catch (err) {
    if (err instanceof PixelDataError) throw new FrameError('invalid-object', err.message);
    throw err;
  }
  const { image, pixelData, transferSyntaxUid } = located;
  if (pixelData === null)
    throw new FrameError('no-pixel-data', 'the instance has no pixel data, so no frames');
  const numberOfFrames = image.numberOfFrames ?? 1;
  if (numberOfFrames < 1) throw new FrameError('invalid-object', `Number of Frames is ${numberOfFrames}`);
  const wanted = asked === 'all' ? Array.from({ length: numberOfFrames }, (_, i) => i + 1) : asked;
  const beyond = wanted.find((n) => n < 1 || n > numberOfFrames);
  if (beyond !== undefined) {
    throw new FrameError(
      'bad-request',
      `frame ${beyond} does not exist: the instance has ${numberOfFrames} frame${numberOfFrames === 1 ? '' : 's'}`,
    );
  }
  const frames =
    pixelData.kind === 'native'
      ? nativeFrames(pixelData.value, pixelData.bigEndian, image, numberOfFrames, wanted)
      : encapsulatedFrames(pixelData, numberOfFrames, wanted);
  return { transferSyntaxUid, encapsulated: pixelData.kind === 'encapsulated', numberOfFrames, frames };
}

function nativeFrames(
  value: Buffer,
  bigEndian: boolean,
  image: ImageAttributes,
  numberOfFrames: number,
  wanted: readonly number[],
): Buffer[] {
  const { rows, columns, bitsAllocated } = image;
  const samples = image.samplesPerPixel ?? 1;
  if (rows === null || columns === null || bitsAllocated === null) {
    throw new FrameError('invalid-object', 'Rows, Columns or Bits Allocated is missing');
  }
  if (bitsAllocated !== 1 && (bitsAllocated === 0 || bitsAllocated % 8 !== 0)) {
    throw new FrameError('invalid-object', `Bits Allocated ${bitsAllocated} is not 1 or a multiple of 8`);
  }
  if (image.photometricInterpretation === 'YBR_FULL_422') {
    // Native YBR_FULL_422 is subsampled (PS3.3 C.7.6.3.1.2): the frame size is not the formula above.
    throw new FrameError('unsupported', 'native YBR_FULL_422 frames are not served; retrieve the instance');
  }
  const frameBits = rows * columns * samples * bitsAllocated;
  if (Math.ceil((frameBits * numberOfFrames) / 8) > value.byteLength) {
    throw new FrameError(
      'invalid-object',
      `Pixel Data has ${value.byteLength} bytes, fewer than ${numberOfFrames} frames of ${rows}x${columns}x${samples}x${bitsAllocated} bits`,
    );
  }
  return wanted.map((n) => {
    if (frameBits % 8 !== 0) return bitRun(value, (n - 1) * frameBits, frameBits);
    const size = frameBits / 8;
    const frame = value.subarray((n - 1) * size, n * size);
    return bigEndian && bitsAllocated > 8 ? swapped(frame, bitsAllocated / 8) : frame;
  });
}

/** `count` bits from bit `start` (PS3.5 8.1.1: the first pixel is the least significant bit of a byte). */
function bitRun(value: Buffer, start: number, count: number): Buffer {
  const out = Buffer.alloc(Math.ceil(count / 8));
  for (let i = 0; i < count; i++) {
    const bit = (value[(start + i) >> 3]! >> ((start + i) & 7)) & 1;
    out[i >> 3]! |= bit << (i & 7);
  }
  return out;
}

function swapped(frame: Buffer, width: number): Buffer {
  const out = Buffer.from(frame);
  if (width === 2) out.swap16();
  else if (width === 4) out.swap32();
  else if (width === 8) out.swap64();
  return out;
}

type Encapsulated = Extract<PixelData, { kind: 'encapsulated' }>;

function encapsulatedFrames(
  pixels: Encapsulated,
  numberOfFrames: number,
  wanted: readonly number[],
): Buffer[] {
  const { fragments } = pixels;
  if (fragments.length === 0)
    throw new FrameError('invalid-object', 'encapsulated pixel data has no fragments');
  const table = pixels.extendedOffsets ?? (pixels.basicOffsets.length > 0 ? pixels.basicOffsets : null);
  if (table !== null) {
    const which = pixels.extendedOffsets ? 'Extended Offset Table' : 'Basic Offset Table';
    if (table.length !== numberOfFrames) {
      throw new FrameError(
        'invalid-object',
        `${which} has ${table.length} entries for ${numberOfFrames} frames`,
      );
    }
    const index = new Map(fragments.map((f, i) => [f.offset, i]));
    const starts = table.map((offset) => {
      const i = index.get(offset);
      if (i === undefined)
        throw new FrameError('invalid-object', `${which} offset ${offset} is not a fragment start`);
      return i;
    });
    if (starts.some((s, i) => i > 0 && s <= starts[i - 1]!)) {
      throw new FrameError('invalid-object', `${which} offsets are not increasing`);
    }
    return wanted.map((n) => joined(fragments.slice(starts[n - 1]!, starts[n] ?? fragments.length)));
  }
  if (numberOfFrames === 1) return wanted.map(() => joined(fragments));
  if (fragments.length === numberOfFrames) return wanted.map((n) => fragments[n - 1]!.value);
  throw new FrameError(
    'unsupported',
    `${numberOfFrames} frames in ${fragments.length} fragments with an empty offset table: ` +
      'frame boundaries are only known by decoding (PS3.5 A.4), which this server does not do; retrieve the instance',
  );
}

function joined(fragments: readonly Fragment[]): Buffer {
  return fragments.length === 1 ? fragments[0]!.value : Buffer.concat(fragments.map((f) => f.value));
}
