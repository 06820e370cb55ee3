/**
 * Differential test of the single-pass reader against the dcmjs path: for real DICOM files made by
 * DCMTK (make-dicom-corpus.sh, dump2dcm from text dumps, dcmconv, dcmcjpeg, dcmcrle) readPart10Fast
 * must give exactly what parsePart10WithDcmjs gives, return null (dcmjs fallback) for what it does
 * not handle, and fail on cut files with the same DicomParseError.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../test/support/tools.ts';
import type { DicomJsonDataset, DicomJsonElement } from './dicom-json.ts';
import { readPart10Fast } from './fast-part10-reader.ts';
import { DicomParseError, parsePart10, parsePart10WithDcmjs, type ParsedInstance } from './parse-part10.ts';
import { makeDicomCorpus, type DicomCorpus } from './testing/dicom-corpus.ts';

const HAVE_DCMTK = ['dump2dcm', 'dcmconv', 'dcmcjpeg', 'dcmcrle'].every((t) =>
  toolAvailable(t, 'apt-get install dcmtk'),
);
const run = promisify(execFile);

const hexBytes = (n: number, seed: number): string =>
  Array.from({ length: n }, (_, i) => ((i * 7 + seed) & 0xff).toString(16).padStart(2, '0')).join('\\');

/**
 * A dataset with most VRs and the odd cases: three-group and multi-valued PN, multi-valued DS/IS
 * with padding, AT, empty values, small and large OB, UN, private FL/FD/SS/SL/UL/US, UT/ST/LT/UC/UR
 * with backslashes and trailing spaces, nested sequences, empty sequence and empty item, a
 * character set inside an item, non-ASCII text inside items, icon pixel data inside an item, and
 * an element after Pixel Data.
 */
function richDump(charset: string, name: string, extra = ''): string {
  return `
(0008,0005) CS [${charset}]
(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL ]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
(0008,0018) UI [2.25.1001]
(0008,0020) DA [20240102]
(0008,0021) DA [20240101\\12]
(0008,0030) TM [101500.123 ]
(0008,0050) SH []
(0008,0060) CS [OT]
(0008,0090) PN [${name}\\Second^Doc]
(0008,0119) UC [long code value \\ with backslash  ]
(0008,0120) UR [http://example.org/a]
(0008,1030) LO [  Study with spaces   ]
(0008,1032) SQ (Sequence with explicit length #=0)
(fffe,e0dd) na (SequenceDelimitationItem)
(0008,1115) SQ (Sequence with explicit length #=2)
  (fffe,e000) na (Item with explicit length #=2)
    (0008,1140) SQ (Sequence with explicit length #=2)
      (fffe,e000) na (Item with explicit length #=2)
        (0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]
        (0008,1155) UI [2.25.2001]
      (fffe,e00d) na (ItemDelimitationItem)
      (fffe,e000) na (Item with explicit length #=2)
        (0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]
        (0008,1155) UI [2.25.2002]
      (fffe,e00d) na (ItemDelimitationItem)
    (fffe,e0dd) na (SequenceDelimitationItem)
    (0020,000e) UI [2.25.1003]
  (fffe,e00d) na (ItemDelimitationItem)
  (fffe,e000) na (Item with explicit length #=0)
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0010,0010) PN [${name}]
(0010,0020) LO [PID-${name.slice(0, 3)}]
(0010,0030) DA []
(0010,0040) CS [O]
(0010,1010) AS [042Y]
(0018,0050) DS [ 2.5 ]
(0018,1063) DS [33.3]
(0020,000d) UI [2.25.1002]
(0020,000e) UI [2.25.1003]
(0020,0010) SH [S1]
(0020,0011) IS [ 7 ]
(0020,0013) IS [+12]
(0020,0032) DS [-1.5\\2e1\\  3 ]
(0020,0037) DS [1\\0\\0\\0\\1\\0]
(0020,4000) LT [  comment \\ ${name} and trailing   ]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0009) AT (0018,1063)\\(0020,0013)
(0028,0010) US 4
(0028,0011) US 4
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(0028,0106) US 0
(0028,0107) US 255
(0028,1050) DS [128\\64]
(0029,0010) LO [SB TEST]
(0029,1010) OB 01\\02\\03
(0029,1011) OB ${hexBytes(1500, 3)}
(0029,1012) UN 0a\\0b\\0c\\0d
(0029,1013) FL 1.5\\-2.25
(0029,1014) FD 3.141592653589793
(0029,1015) SS -5\\7
(0029,1016) SL -70000
(0029,1017) UL 4294967295
(0029,1018) US (no value available)
(0029,1019) UT [unlimited text \\ ${name}  ]
(0029,101a) ST [short text \\ two  ]
(0029,101b) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=2)
    (0008,0005) CS [ISO_IR 192]
    (0010,0010) PN [Ünïcode^Ïtem]
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0040,a730) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=4)
    (0040,a040) CS [TEXT]
    (0040,a160) UT [Größe \\ value ${name}]
    (0040,a123) PN [Bäcker^Anna]
    (0040,a730) SQ (Sequence with explicit length #=1)
      (fffe,e000) na (Item with explicit length #=1)
        (0040,a160) UT [nested]
      (fffe,e00d) na (ItemDelimitationItem)
    (fffe,e0dd) na (SequenceDelimitationItem)
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0088,0200) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=7)
    (0028,0002) US 1
    (0028,0004) CS [MONOCHROME2]
    (0028,0010) US 2
    (0028,0011) US 2
    (0028,0100) US 8
    (0028,0101) US 8
    (7fe0,0010) OB 01\\02\\03\\04
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
${extra}(7fe0,0010) OB ${hexBytes(16, 9)}
(fffc,fffc) OB 00\\00\\00\\00
`;
}

const META = `
(0002,0001) OB 00\\01
(0002,0002) UI [1.2.840.10008.5.1.4.1.1.7]
(0002,0003) UI [2.25.1001]
(0002,0010) UI [1.2.840.10008.1.2.1]
(0002,0012) UI [1.2.276.0.7230010.3.0.3.6.7]
(0002,0016) AE [SENDER ]
`;

interface Sample {
  readonly name: string;
  readonly file: string;
}

describe.skipIf(!HAVE_DCMTK)('readPart10Fast against the dcmjs path', () => {
  let dir: string;
  let corpus: DicomCorpus;
  const fast: Sample[] = [];
  const fallback: Sample[] = [];

  /** dump2dcm from a text dump (written in `encoding`), then optional conversions of the result. */
  async function make(name: string, dump: string, encoding: BufferEncoding = 'utf8'): Promise<string> {
    const dumpFile = path.join(dir, `${name}.dump`);
    const file = path.join(dir, `${name}.dcm`);
    await writeFile(dumpFile, Buffer.from(META + dump, encoding));
    await run('dump2dcm', ['+l', '100000', '-q', dumpFile, file], { timeout: 30_000 });
    return file;
  }
  async function convert(tool: string, args: string[], from: string, name: string): Promise<string> {
    const file = path.join(dir, `${name}.dcm`);
    await run(tool, [...args, from, file], { timeout: 30_000 });
    return file;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-fast-part10-'));
    corpus = await makeDicomCorpus({ studies: 1, series: 2, instances: 2, size: 16, edgeCases: true });
    for (const row of corpus.rows) fast.push({ name: `corpus ${row.path}`, file: row.file });

    const utf8 = await make('utf8', richDump('ISO_IR 192', 'Yamada^Tarou=山田^太郎=やまだ^たろう'));
    const latin1 = await make('latin1', richDump('ISO_IR 100', 'Müller^Jürgen\x80ß'), 'latin1');
    const ascii = await make('ascii', richDump('', 'Doe^John'));
    const ir6 = await make('ir6', richDump('ISO_IR 6', 'Roe^Jane^^Dr.'));
    const noCharset = await make('no-charset', richDump('', 'Poe^Ed').replace(/^\(0008,0005\).*$/m, ''));
    fast.push(
      { name: 'UTF-8, explicit lengths', file: utf8 },
      { name: 'latin1, explicit lengths', file: latin1 },
      { name: 'empty character set', file: ascii },
      { name: 'ISO_IR 6', file: ir6 },
      { name: 'no character set', file: noCharset },
    );
    for (const [label, src] of [
      ['UTF-8', utf8],
      ['latin1', latin1],
    ] as const) {
      fast.push(
        {
          name: `${label}, undefined lengths`,
          file: await convert('dcmconv', ['-e'], src, `${label}-undef`),
        },
        { name: `${label}, implicit VR`, file: await convert('dcmconv', ['+ti'], src, `${label}-implicit`) },
        {
          name: `${label}, implicit VR, undefined lengths`,
          file: await convert('dcmconv', ['+ti', '-e'], src, `${label}-implicit-undef`),
        },
        { name: `${label}, group lengths`, file: await convert('dcmconv', ['+g'], src, `${label}-group`) },
        {
          name: `${label}, implicit VR, group lengths`,
          file: await convert('dcmconv', ['+ti', '+g'], src, `${label}-implicit-group`),
        },
        { name: `${label}, JPEG baseline`, file: await convert('dcmcjpeg', ['+eb'], src, `${label}-jpeg`) },
        { name: `${label}, RLE`, file: await convert('dcmcrle', [], src, `${label}-rle`) },
      );
    }
    const corpusImage = corpus.rows.find((r) => r.path.startsWith('st'))!.file;
    fast.push(
      {
        name: 'corpus image, JPEG lossless, undefined lengths',
        file: await convert('dcmcjpeg', ['-e'], corpusImage, 'corpus-jpeg-lossless'),
      },
      {
        name: 'corpus image, implicit VR',
        file: await convert('dcmconv', ['+ti'], corpusImage, 'corpus-implicit'),
      },
    );

    fallback.push(
      { name: 'big endian', file: await convert('dcmconv', ['+tb'], utf8, 'big-endian') },
      { name: 'deflated', file: await convert('dcmconv', ['+td'], utf8, 'deflated') },
      { name: 'GB18030', file: await make('gb18030', richDump('GB18030', 'Wang^Xiaodong=王^小东')) },
      { name: 'ISO 2022 IR 87', file: await make('jis', richDump('\\ISO 2022 IR 87', 'Yamada^Tarou')) },
      { name: 'ISO_IR 144', file: await make('cyrillic', richDump('ISO_IR 144', 'Ivanov^Ivan')) },
      {
        name: 'explicit UN for a tag the dictionary knows',
        file: await make('known-un', richDump('ISO_IR 192', 'Un^Known', '(0018,0060) UN 31\\32\n')),
      },
    );
  }, 120_000);

  afterAll(async () => {
    await corpus?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads every common file itself, exactly as the dcmjs path does', async () => {
    expect(fast.length).toBeGreaterThanOrEqual(30);
    for (const sample of fast) {
      const bytes = await readFile(sample.file);
      const expected = parsePart10WithDcmjs(bytes);
      const actual = readPart10Fast(bytes);
      expect(actual, sample.name).not.toBeNull();
      expect(actual, sample.name).toStrictEqual(expected);
      expect(parsePart10(bytes), sample.name).toStrictEqual(expected);
    }
  });

  it('gets the same answer from a Uint8Array view inside a larger buffer', async () => {
    const bytes = await readFile(fast.find((s) => s.name === 'UTF-8, undefined lengths')!.file);
    const big = new Uint8Array(bytes.byteLength + 64);
    big.set(bytes, 32);
    const view = big.subarray(32, 32 + bytes.byteLength);
    expect(readPart10Fast(view)).toStrictEqual(parsePart10WithDcmjs(bytes));
  });

  it('covers what it claims: the samples hold the cases the reader has to mimic', async () => {
    const read = async (name: string): Promise<ParsedInstance> =>
      readPart10Fast(await readFile(fast.find((s) => s.name === name)!.file))!;
    const utf8 = await read('UTF-8, explicit lengths');
    const j = utf8.json;
    expect(j['00100010']).toEqual({
      vr: 'PN',
      Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }],
    });
    expect(utf8.keys.patientName).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    expect(j['00080090']!.Value).toHaveLength(2);
    expect(j['00200032']).toEqual({ vr: 'DS', Value: [-1.5, 20, 3] });
    // dcmjs drops one pad byte from an odd-length last value and trims LT only at the end.
    expect(j['00080021']).toEqual({ vr: 'DA', Value: ['20240101', '12'] });
    expect((j['00204000']!.Value as string[])[0]).toMatch(/^ {2}comment \\ Yamada.* and trailing$/);
    expect(j['00280009']).toEqual({ vr: 'AT', Value: ['00181063', '00200013'] });
    expect(j['00080050']).toEqual({ vr: 'SH' });
    expect(j['00291018']).toEqual({ vr: 'US', Value: [0] });
    expect(j['00291010']!.InlineBinary).toBe(Buffer.from([1, 2, 3, 0]).toString('base64'));
    expect(j['00291011']).toEqual({ vr: 'OB', BulkDataURI: 'bulkdata/00291011' });
    expect(j['00081032']).toEqual({ vr: 'SQ' });
    const series = j['00081115']!.Value as DicomJsonDataset[];
    expect(series).toHaveLength(1); // the empty item is dropped, as dcmjs does
    expect((series[0]!['00081140']!.Value as DicomJsonDataset[])[1]!['00081155']).toEqual({
      vr: 'UI',
      Value: ['2.25.2002'],
    });
    const icon = (j['00880200']!.Value as DicomJsonDataset[])[0]!;
    expect(icon['7FE00010']!.InlineBinary).toBe(Buffer.from([1, 2, 3, 4]).toString('base64'));
    expect(j['7FE00010']).toEqual({ vr: 'OB', BulkDataURI: 'bulkdata/7FE00010' });
    expect(j['FFFCFFFC']).toBeUndefined(); // after Pixel Data: not read
    // dcmjs decodes items with a fresh (windows-1252) decoder unless the item sets its own.
    const content = (j['0040A730']!.Value as DicomJsonDataset[])[0]!;
    expect(content['0040A123']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'BÃ¤cker^Anna' }] });
    const ownCharset = (j['0029101B']!.Value as DicomJsonDataset[])[0]!;
    expect(ownCharset['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Ünïcode^Ïtem' }] });

    const latin1 = await read('latin1, explicit lengths');
    expect(latin1.keys.patientName).toBe('Müller^Jürgen€ß'); // 0x80 through windows-1252, as dcmjs

    const implicit = await read('UTF-8, implicit VR, undefined lengths');
    expect(implicit.meta.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    const privateUn = implicit.json['00291013'] as DicomJsonElement;
    expect(privateUn.vr).toBe('UN');
    expect(implicit.json['00280106']).toEqual({ vr: 'US', Value: [0] }); // 'xs' in the dictionary
    expect(implicit.json['0029101B']!.vr).toBe('SQ'); // unknown tag with undefined length

    const undef = await readFile(fast.find((s) => s.name === 'UTF-8, undefined lengths')!.file);
    expect(undef.includes(Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]))).toBe(true);
    const jpeg = await read('UTF-8, JPEG baseline');
    expect(jpeg.meta.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50');
    expect(jpeg.json['7FE00010']).toEqual({ vr: 'OB', BulkDataURI: 'bulkdata/7FE00010' });
  });

  it('returns null for big endian, deflate, other character sets and unusual encodings', async () => {
    expect(fallback).toHaveLength(6);
    for (const sample of fallback) {
      const bytes = await readFile(sample.file);
      expect(readPart10Fast(bytes), sample.name).toBeNull();
      expect(
        outcome(() => parsePart10(bytes)),
        sample.name,
      ).toStrictEqual(outcome(() => parsePart10WithDcmjs(bytes)));
    }
  });

  it('fails on cut files with the same DicomParseError as the dcmjs path', async () => {
    const samples = [
      'UTF-8, explicit lengths',
      'UTF-8, undefined lengths',
      'latin1, implicit VR, undefined lengths',
      'UTF-8, JPEG baseline',
      'corpus image, JPEG lossless, undefined lengths',
    ];
    let truncatedByFast = 0;
    for (const name of samples) {
      const bytes = await readFile(fast.find((s) => s.name === name)!.file);
      const pixelAt = bytes.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
      const fragmentAt = bytes.indexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]), pixelAt + 12);
      expect(pixelAt, name).toBeGreaterThan(0);
      const cuts = new Set([
        100,
        140,
        200,
        260,
        400,
        700,
        Math.floor(bytes.byteLength / 3),
        pixelAt + 2,
        pixelAt + 9,
        pixelAt + 14,
        bytes.byteLength - 1,
        bytes.byteLength - 7,
      ]);
      if (fragmentAt > 0) [fragmentAt + 3, fragmentAt + 10, fragmentAt + 40].forEach((c) => cuts.add(c));
      for (const cut of cuts) {
        const part = bytes.subarray(0, cut);
        const expected = outcome(() => parsePart10WithDcmjs(part));
        expect(expected, `${name} cut at ${cut}`).toHaveProperty('reason');
        expect(
          outcome(() => parsePart10(part)),
          `${name} cut at ${cut}`,
        ).toStrictEqual(expected);
        const own = outcome(() => readPart10Fast(part));
        if (own !== null) expect(own, `${name} cut at ${cut}`).toStrictEqual(expected);
        if ((expected as { reason: string }).reason === 'truncated' && cut > 400) {
          // Past the file meta, a cut is found by the fast reader itself.
          expect(own, `${name} cut at ${cut}`).toStrictEqual(expected);
          truncatedByFast++;
        }
      }
    }
    expect(truncatedByFast).toBeGreaterThanOrEqual(20);
  });

  it('fails a dataset without SOPInstanceUID with missing-uid, like the dcmjs path', async () => {
    const file = await make('no-sop', richDump('ISO_IR 192', 'No^Uid').replace(/^\(0008,0018\).*$/m, ''));
    const bytes = await readFile(file);
    expect(outcome(() => readPart10Fast(bytes))).toStrictEqual({
      reason: 'missing-uid',
      message: 'dataset has no SOPInstanceUID',
    });
    expect(outcome(() => parsePart10WithDcmjs(bytes))).toStrictEqual(outcome(() => readPart10Fast(bytes)));
    expect(outcome(() => readPart10Fast(bytes.subarray(0, 131)))).toMatchObject({ reason: 'not-part10' });
  });
});

/** The parse result, or the DicomParseError as { reason, message }. */
function outcome(
  parse: () => ParsedInstance | null,
): ParsedInstance | null | { reason: string; message: string } {
  try {
    return parse();
  } catch (err) {
    if (err instanceof DicomParseError) return { reason: err.reason, message: err.message };
    throw err;
  }
}
