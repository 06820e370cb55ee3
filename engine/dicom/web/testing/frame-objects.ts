/**
 * Test support: multi-frame objects made with DCMTK (dump2dcm for the native source, then dcmconv,
 * dcmcjpeg, dcmcjpls and dcmcrle for the other encodings), so frame tests run on objects written by
 * another implementation. Pixel values are deterministic noise (compresses badly, so small fragment
 * sizes give several fragments per frame). Every object has its own SOP Instance UID.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FRAME_STUDY_UID = '1.2.826.0.1.3680043.10.543.7';
export const FRAME_SERIES_UID = `${FRAME_STUDY_UID}.1`;

interface Source {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly frames: number;
  readonly photometric: string;
}

const SOURCES = {
  gray8: {
    rows: 12,
    columns: 16,
    samplesPerPixel: 1,
    bitsAllocated: 8,
    frames: 3,
    photometric: 'MONOCHROME2',
  },
  gray16: {
    rows: 32,
    columns: 32,
    samplesPerPixel: 1,
    bitsAllocated: 16,
    frames: 3,
    photometric: 'MONOCHROME2',
  },
  rgb8: { rows: 8, columns: 10, samplesPerPixel: 3, bitsAllocated: 8, frames: 2, photometric: 'RGB' },
  bits1: { rows: 5, columns: 5, samplesPerPixel: 1, bitsAllocated: 1, frames: 3, photometric: 'MONOCHROME2' },
  none: { rows: 0, columns: 0, samplesPerPixel: 0, bitsAllocated: 0, frames: 0, photometric: '' },
} as const satisfies Record<string, Source>;

type SourceName = keyof typeof SOURCES;

/** name -> source and the DCMTK tool run on the dump2dcm output (null: the source as written). */
const VARIANTS = {
  native8: ['gray8', null],
  native16: ['gray16', null],
  implicit16: ['gray16', ['dcmconv', '+ti']],
  bigEndian16: ['gray16', ['dcmconv', '+tb']],
  deflated16: ['gray16', ['dcmconv', '+td']],
  rgb: ['rgb8', null],
  bits1: ['bits1', null],
  jpegBaseline: ['gray8', ['dcmcjpeg', '+eb', '+un']],
  jpegLossless: ['gray16', ['dcmcjpeg', '+e1']],
  jpegLs: ['gray16', ['dcmcjpls']],
  rle: ['gray16', ['dcmcrle']],
  /** Several fragments per frame, frames found by the Basic Offset Table. */
  jpegLsFragmented: ['gray16', ['dcmcjpls', '+fs', '1']],
  /** One fragment per frame, empty Basic Offset Table. */
  jpegLsNoTable: ['gray16', ['dcmcjpls', '-ot']],
  /** Several fragments per frame and no offset table: boundaries unknown without decoding. */
  jpegLsFragmentedNoTable: ['gray16', ['dcmcjpls', '+fs', '1', '-ot']],
  noPixels: ['none', null],
} as const satisfies Record<string, readonly [SourceName, readonly string[] | null]>;

export type FrameObjectName = keyof typeof VARIANTS;

export interface FrameObject extends Source {
  readonly name: FrameObjectName;
  readonly file: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
}

export interface FrameObjects {
  readonly dir: string;
  readonly objects: Readonly<Record<FrameObjectName, FrameObject>>;
  remove(): Promise<void>;
}

function noise(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = 0, n = 0; at < length; n++)
    at += createHash('sha256').update(`${seed}:${n}`).digest().copy(out, at);
  return out;
}

function dump(source: Source, sopInstanceUid: string, pixelFile: string): string {
  const lines = [
    '(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7.3]', // Multi-frame Grayscale Word SC (class only labels it)
    `(0008,0018) UI [${sopInstanceUid}]`,
    '(0008,0060) CS [OT]',
    '(0010,0010) PN [FRAMES^TEST]',
    '(0010,0020) LO [FRAMES-1]',
    `(0020,000d) UI [${FRAME_STUDY_UID}]`,
    `(0020,000e) UI [${FRAME_SERIES_UID}]`,
  ];
  if (source.frames === 0) return lines.join('\n');
  const bits = source.bitsAllocated;
  lines.push(
    `(0028,0002) US ${source.samplesPerPixel}`,
    `(0028,0004) CS [${source.photometric}]`,
    ...(source.samplesPerPixel > 1 ? ['(0028,0006) US 0'] : []),
    `(0028,0008) IS [${source.frames}]`,
    `(0028,0010) US ${source.rows}`,
    `(0028,0011) US ${source.columns}`,
    `(0028,0100) US ${bits}`,
    `(0028,0101) US ${bits}`,
    `(0028,0102) US ${bits - 1}`,
    '(0028,0103) US 0',
    `(7fe0,0010) ${bits > 8 ? 'OW' : 'OB'} =${pixelFile}`,
  );
  return lines.join('\n');
}

/** Writes every variant into a new temporary folder (needs DCMTK on PATH). */
export async function makeFrameObjects(): Promise<FrameObjects> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-frames-'));
  if (dir.includes('#')) throw new Error(`dump2dcm reads '#' as a comment; temp path ${dir} has one`);
  const objects = {} as Record<FrameObjectName, FrameObject>;
  try {
    let n = 0;
    for (const [name, [sourceName, tool]] of Object.entries(VARIANTS) as [
      FrameObjectName,
      (typeof VARIANTS)[FrameObjectName],
    ][]) {
      n++;
      const source: Source = SOURCES[sourceName];
      const sopInstanceUid = `${FRAME_SERIES_UID}.${n}`;
      const pixels = path.join(dir, `${name}.raw`);
      const bytes = Math.ceil(
        (source.rows * source.columns * source.samplesPerPixel * source.bitsAllocated * source.frames) / 8,
      );
      await writeFile(pixels, noise(sourceName, bytes + (bytes % 2))); // OB/OW values have even length
      const dumpFile = path.join(dir, `${name}.dump`);
      await writeFile(dumpFile, dump(source, sopInstanceUid, pixels));
      const file = path.join(dir, `${name}.dcm`);
      const written = tool === null ? file : path.join(dir, `${name}.src.dcm`);
      await run('dump2dcm', ['+te', dumpFile, written], { timeout: 30_000 });
      if (tool !== null) {
        const [command, ...args] = tool;
        await run(command, [...args, written, file], { timeout: 30_000 });
      }
      objects[name] = {
        ...source,
        name,
        file,
        studyInstanceUid: FRAME_STUDY_UID,
        seriesInstanceUid: FRAME_SERIES_UID,
        sopInstanceUid,
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, objects, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** DCMTK's view of an object's pixel data: `dcmdump +W` writes each value or fragment to a file. */
export async function dcmtkPixelItems(file: string, outDir: string): Promise<string[]> {
  const { stdout } = await run('dcmdump', ['+W', outDir, file], { timeout: 30_000 });
  // Native: "(7fe0,0010) OB =dir/x.dcm.0.raw"; encapsulated: one "(fffe,e000) pi =dir/x.dcm.N.raw" per item.
  return [...stdout.matchAll(/^\s*\((?:7fe0,0010|fffe,e000)\) \w\w =(\S+\.raw)\s/gm)].map((m) => m[1]!);
}
