/**
 * Frame extraction on objects DCMTK wrote, checked against DCMTK's own reading of them: `dcmdump +W`
 * (pixel data or each fragment written to a file, little endian), dcm2pnm for 1-bit frames, and the
 * one-fragment-per-frame encoding of the same pixels for fragmented frames.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDicomCorpus, type DicomCorpus } from '../testing/dicom-corpus.ts';
import { extractFrames, FrameError } from './frames.ts';
import {
  dcmtkPixelItems,
  makeFrameObjects,
  type FrameObject,
  type FrameObjectName,
  type FrameObjects,
} from './testing/frame-objects.ts';

const run = promisify(execFile);

describe('extractFrames on DCMTK-made objects', () => {
  let made: FrameObjects;
  let out: string;
  let corpus: DicomCorpus;
  const obj = (name: FrameObjectName): FrameObject => made.objects[name];
  const bytes = (name: FrameObjectName): Promise<Buffer> => readFile(obj(name).file);
  const items = async (name: FrameObjectName): Promise<Buffer[]> =>
    Promise.all((await dcmtkPixelItems(obj(name).file, out)).map((f) => readFile(f)));
  const all = (o: FrameObject): number[] => Array.from({ length: o.frames }, (_, i) => i + 1);

  beforeAll(async () => {
    made = await makeFrameObjects();
    out = await mkdtemp(path.join(tmpdir(), 'switchboard-frames-out-'));
    corpus = await makeDicomCorpus({ studies: 1, series: 1, instances: 1, size: 8 });
  }, 120_000);
  afterAll(async () => {
    await made?.remove();
    await corpus?.remove();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it.each(['native8', 'native16', 'implicit16', 'bigEndian16', 'deflated16', 'rgb'] as const)(
    '%s: frame n is the n-th Rows*Columns*Samples*Bits run of the pixel data',
    async (name) => {
      const o = obj(name);
      const [raw, ...rest] = await items(name);
      expect(rest).toHaveLength(0);
      const size = (o.rows * o.columns * o.samplesPerPixel * o.bitsAllocated) / 8;
      const result = extractFrames(
        await bytes(name),
        [3, 1, 2].filter((n) => n <= o.frames),
      );
      expect(result.encapsulated).toBe(false);
      expect(result.numberOfFrames).toBe(o.frames);
      const asked = [3, 1, 2].filter((n) => n <= o.frames);
      // dcmdump +W writes little endian, so the big endian object's frames must come out swapped.
      asked.forEach((n, i) =>
        expect(result.frames[i]!.equals(raw!.subarray((n - 1) * size, n * size)), `frame ${n}`).toBe(true),
      );
    },
  );

  it('1-bit frames start mid-byte and are re-packed from bit 0 (as dcm2pnm reads them)', async () => {
    const o = obj('bits1');
    const result = extractFrames(await bytes('bits1'), all(o));
    for (const n of all(o)) {
      const pgm = path.join(out, `bits1-${n}.pgm`);
      await run('dcm2pnm', ['+F', String(n), o.file, pgm]);
      const image = await readFile(pgm);
      const pixels = image.subarray(image.length - o.rows * o.columns);
      const frame = result.frames[n - 1]!;
      expect(frame.length).toBe(Math.ceil((o.rows * o.columns) / 8));
      const bits = Array.from(pixels, (_, i) => (frame[i >> 3]! >> (i & 7)) & 1);
      expect(bits, `frame ${n}`).toEqual(Array.from(pixels, (p) => (p === 0 ? 0 : 1)));
    }
    // Not all frames are alike, so the comparison above could fail on a wrong offset.
    expect(result.frames[0]!.equals(result.frames[1]!)).toBe(false);
  });

  it.each([
    ['jpegBaseline', '1.2.840.10008.1.2.4.50'],
    ['jpegLossless', '1.2.840.10008.1.2.4.70'],
    ['jpegLs', '1.2.840.10008.1.2.4.80'],
    ['rle', '1.2.840.10008.1.2.5'],
    ['jpegLsNoTable', '1.2.840.10008.1.2.4.80'],
  ] as const)('%s: frame n is fragment n (Basic Offset Table or one per frame)', async (name, syntax) => {
    const [table, ...fragments] = await items(name);
    expect(fragments).toHaveLength(3);
    expect(table!.length).toBe(name === 'jpegLsNoTable' ? 0 : 12);
    const result = extractFrames(await bytes(name), [2, 3, 1]);
    expect(result).toMatchObject({ transferSyntaxUid: syntax, encapsulated: true, numberOfFrames: 3 });
    [2, 3, 1].forEach((n, i) => expect(result.frames[i]!.equals(fragments[n - 1]!), `frame ${n}`).toBe(true));
  });

  it('several fragments per frame are joined by the Basic Offset Table', async () => {
    const [, ...fragments] = await items('jpegLsFragmented');
    expect(fragments.length).toBeGreaterThan(3);
    const [, ...whole] = await items('jpegLs'); // the same pixels, one fragment per frame
    const result = extractFrames(await bytes('jpegLsFragmented'), [1, 2, 3]);
    for (const n of [1, 2, 3]) expect(result.frames[n - 1]!.equals(whole[n - 1]!), `frame ${n}`).toBe(true);
  });

  it('refuses what it cannot answer: no offset table with split frames, no pixel data, frames out of range', async () => {
    const kindOf = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        if (err instanceof FrameError) return `${err.kind}: ${err.message}`;
        throw err;
      }
      return 'no error';
    };
    const split = await bytes('jpegLsFragmentedNoTable');
    expect(kindOf(() => extractFrames(split, [1]))).toMatch(/^unsupported: 3 frames in \d+ fragments/);
    const none = await bytes('noPixels');
    expect(kindOf(() => extractFrames(none, [1]))).toMatch(/^no-pixel-data/);
    const native = await bytes('native8');
    expect(kindOf(() => extractFrames(native, [4]))).toBe(
      'bad-request: frame 4 does not exist: the instance has 3 frames',
    );
    expect(kindOf(() => extractFrames(native, [0]))).toMatch(/^bad-request/);
    expect(kindOf(() => extractFrames(Buffer.from('not dicom'), [1]))).toMatch(/^invalid-object/);
  });

  it('a single-frame object without Number of Frames has frame 1 only: its whole pixel data', async () => {
    const row = corpus.rows[0]!;
    const file = await readFile(row.file);
    const [raw] = await Promise.all((await dcmtkPixelItems(row.file, out)).map((f) => readFile(f)));
    const result = extractFrames(file, [1]);
    expect(result.numberOfFrames).toBe(1);
    expect(result.frames[0]!.equals(raw!)).toBe(true);
    expect(() => extractFrames(file, [2])).toThrow(/frame 2 does not exist: the instance has 1 frame$/);
  });
});
