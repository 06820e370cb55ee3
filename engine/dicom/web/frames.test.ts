/**
 * Frame extraction on hand-built Part-10 bytes, for what DCMTK's tools do not write: an Extended
 * Offset Table, offset tables that do not match the fragments, pixel data shorter than its frames,
 * nested sequences before the pixel data. (Real objects: frames.int.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { extractFrames, FrameError, MAX_FRAMES_PER_REQUEST, parseFrameList } from './frames.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const JPEG_LS = '1.2.840.10008.1.2.4.80';

function tag(group: number, element: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  return b;
}

/** Explicit VR little endian element (short or long form by VR). */
function el(group: number, element: number, vr: string, value: Buffer): Buffer {
  const long = ['OB', 'OW', 'OV', 'SQ', 'UN'].includes(vr);
  const head = Buffer.alloc(long ? 8 : 4);
  head.write(vr, 0, 'latin1');
  if (long) head.writeUInt32LE(value.length, 4);
  else head.writeUInt16LE(value.length, 2);
  return Buffer.concat([tag(group, element), head, value]);
}

const us = (n: number): Buffer => Buffer.from([n & 0xff, n >> 8]);
const text = (s: string): Buffer => Buffer.from(s.length % 2 ? `${s} ` : s, 'latin1');
const item = (value: Buffer, t = 0xe000): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(value.length, 0);
  return Buffer.concat([tag(0xfffe, t), len, value]);
};
const UNDEFINED = Buffer.from([0xff, 0xff, 0xff, 0xff]);

function part10(syntax: string, dataset: Buffer[]): Buffer {
  const meta = el(0x0002, 0x0010, 'UI', text(syntax));
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), meta, ...dataset]);
}

function image(frames: number, rows = 2, columns = 2): Buffer[] {
  return [
    el(0x0028, 0x0002, 'US', us(1)),
    el(0x0028, 0x0008, 'IS', text(String(frames))),
    el(0x0028, 0x0010, 'US', us(rows)),
    el(0x0028, 0x0011, 'US', us(columns)),
    el(0x0028, 0x0100, 'US', us(8)),
  ];
}

/** Encapsulated Pixel Data: the offset table item, then the fragments, then the delimiter. */
function encapsulated(table: number[], fragments: Buffer[]): Buffer {
  const bot = Buffer.alloc(table.length * 4);
  table.forEach((o, i) => bot.writeUInt32LE(o, i * 4));
  return Buffer.concat([
    tag(0x7fe0, 0x0010),
    Buffer.from('OB\0\0', 'latin1'),
    UNDEFINED,
    item(bot),
    ...fragments.map((f) => item(f)),
    item(Buffer.alloc(0), 0xe0dd),
  ]);
}

function kindOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof FrameError) return err.kind;
    throw err;
  }
  return 'ok';
}

const frag = (byte: number, length = 4): Buffer => Buffer.alloc(length, byte);

describe('parseFrameList', () => {
  it('takes 1-based numbers in the order asked, duplicates included', () => {
    expect(parseFrameList('3,1,2,2')).toEqual([3, 1, 2, 2]);
  });
  it('refuses 0, non-numbers, empty items and too many frames with a clear message', () => {
    expect(() => parseFrameList('0')).toThrow('frame numbers start at 1');
    expect(() => parseFrameList('1,x')).toThrow(/not comma-separated frame numbers/);
    expect(() => parseFrameList('1,,2')).toThrow(FrameError);
    expect(() =>
      parseFrameList(
        Array(MAX_FRAMES_PER_REQUEST + 1)
          .fill('1')
          .join(','),
      ),
    ).toThrow(/at most/);
  });
});

describe('extractFrames on hand-built objects', () => {
  it('walks past nested undefined-length sequences to the pixel data', () => {
    const nested = Buffer.concat([
      tag(0x0008, 0x1140),
      Buffer.from('SQ\0\0', 'latin1'),
      UNDEFINED,
      tag(0xfffe, 0xe000),
      UNDEFINED,
      // An inner sequence inside the item, itself with an undefined-length item.
      tag(0x0040, 0xa730),
      Buffer.from('SQ\0\0', 'latin1'),
      UNDEFINED,
      tag(0xfffe, 0xe000),
      UNDEFINED,
      el(0x0008, 0x0100, 'SH', text('X')),
      item(Buffer.alloc(0), 0xe00d),
      item(Buffer.alloc(0), 0xe0dd),
      item(Buffer.alloc(0), 0xe00d),
      item(Buffer.alloc(0), 0xe0dd),
    ]);
    const pixels = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const bytes = part10(EXPLICIT_LE, [nested, ...image(2), el(0x7fe0, 0x0010, 'OB', pixels)]);
    expect(extractFrames(bytes, [2, 1]).frames).toEqual([pixels.subarray(4), pixels.subarray(0, 4)]);
  });

  it('finds frames by the Extended Offset Table', () => {
    const fragments = [frag(1), frag(2, 6), frag(3)];
    const eot = Buffer.alloc(24);
    [0, 12, 26].forEach((o, i) => eot.writeBigUInt64LE(BigInt(o), i * 8));
    const bytes = part10(JPEG_LS, [...image(3), el(0x7fe0, 0x0001, 'OV', eot), encapsulated([], fragments)]);
    expect(extractFrames(bytes, [3, 2]).frames).toEqual([fragments[2], fragments[1]]);
  });

  it('joins fragments between Basic Offset Table entries', () => {
    const fragments = [frag(1), frag(2), frag(3), frag(4)];
    const bytes = part10(JPEG_LS, [...image(2), encapsulated([0, 24], fragments)]);
    expect(extractFrames(bytes, [1, 2]).frames).toEqual([
      Buffer.concat([frag(1), frag(2)]),
      Buffer.concat([frag(3), frag(4)]),
    ]);
  });

  it('takes all fragments as the one frame of a single-frame object', () => {
    const bytes = part10(JPEG_LS, [...image(1), encapsulated([], [frag(1), frag(2)])]);
    expect(extractFrames(bytes, [1]).frames).toEqual([Buffer.concat([frag(1), frag(2)])]);
  });

  it('calls an object invalid when its offset table or pixel data do not fit its frames', () => {
    const offTarget = part10(JPEG_LS, [...image(2), encapsulated([0, 5], [frag(1), frag(2)])]);
    expect(kindOf(() => extractFrames(offTarget, [1]))).toBe('invalid-object');
    const wrongCount = part10(JPEG_LS, [...image(3), encapsulated([0, 12], [frag(1), frag(2)])]);
    expect(kindOf(() => extractFrames(wrongCount, [1]))).toBe('invalid-object');
    const short = part10(EXPLICIT_LE, [...image(3), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(8))]);
    expect(kindOf(() => extractFrames(short, [1]))).toBe('invalid-object');
    const cut = part10(EXPLICIT_LE, [...image(2), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(8))]).subarray(0, -3);
    expect(kindOf(() => extractFrames(cut, [1]))).toBe('invalid-object');
    const noRows = part10(EXPLICIT_LE, [...image(2).slice(0, 2), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(8))]);
    expect(kindOf(() => extractFrames(noRows, [1]))).toBe('invalid-object');
  });
});
