/**
 * DICOM edits on objects made by DCMTK (make-dicom-corpus.sh, dcmodify, dcmcjpeg, dcmcrle, dcmconv),
 * checked with DCMTK's dcmdump: the output parses, PHI is gone, UIDs are remapped consistently and
 * stably, the meta header follows, and pixel data and transfer syntax are the input's.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dcmtkOk } from '../../../test/support/dcmtk.ts';
import { MAKE_DICOM_CORPUS, parseManifest, type DicomManifestRow } from '../testing/dicom-corpus.ts';
import { compileDicomTransforms } from './compile-transforms.ts';
import { dumpView, pixelItems } from './testing/dcmdump-view.ts';
import { DicomEditError, type DeidentifySpec, type DicomTransformSpec } from './types.ts';

const run = promisify(execFile);
const SECRET = 'test-secret-0123456789';
const deid = (over: Partial<DeidentifySpec> = {}): DeidentifySpec => ({
  kind: 'deidentify',
  patientName: 'ANONYMOUS',
  patientId: 'ANON-${hash}',
  keepDates: false,
  keep: [],
  uidSecret: SECRET,
  ...over,
});

let root = '';
let rows: DicomManifestRow[] = [];
let study: DicomManifestRow[] = [];
const file = (name: string): string => path.join(root, name);

async function transform(specs: readonly DicomTransformSpec[], input: string, name: string): Promise<string> {
  const out = file(name);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, compileDicomTransforms(specs)(await readFile(input)));
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'switchboard-dicom-edit-'));
  const corpus = file('corpus');
  // 8-bit pixels so that JPEG baseline (process 1) applies.
  await run(
    'bash',
    [
      MAKE_DICOM_CORPUS,
      '-S',
      'edit',
      '-s',
      '2',
      '-i',
      '2',
      '-r',
      '128',
      '-c',
      '128',
      '-b',
      '8',
      '-e',
      corpus,
      '1',
    ],
    {
      timeout: 60_000,
    },
  );
  rows = parseManifest(corpus, await readFile(path.join(corpus, 'manifest.tsv'), 'utf8'));
  study = rows.filter((r) => r.path.startsWith('st'));
  // PHI the corpus lacks, and a reference from each instance to the study's first instance.
  for (const r of study) {
    await dcmtkOk('dcmodify', [
      '-nb',
      ...['-i', '(0010,1000)=OTHER-ID-1', '-i', '(0010,1001)=Other^Name', '-i', '(0010,1040)=1 Main Street'],
      ...['-i', '(0010,2154)=555-0100', '-i', '(0008,0081)=Hospital Road 1', '-i', '(0008,1050)=Perform^Doc'],
      ...[
        '-i',
        '(0008,1070)=Op^Erator',
        '-i',
        '(0018,1000)=SN-4711',
        '-i',
        '(0020,0052)=1.2.826.0.1.3680043.2.1.1',
      ],
      ...['-i', '(0008,1140)[0].(0008,1150)=1.2.840.10008.5.1.4.1.1.7'],
      ...['-i', `(0008,1140)[0].(0008,1155)=${study[0]!.sopInstanceUid}`],
      r.file,
    ]);
  }
  await dcmtkOk('dcmcjpeg', ['+eb', '-ot', '+fs', '1', study[0]!.file, file('jpeg-baseline.dcm')]);
  await dcmtkOk('dcmcrle', ['+fs', '1', study[1]!.file, file('rle.dcm')]);
  await dcmtkOk('dcmconv', ['+td', study[2]!.file, file('deflated.dcm')]);
  await dcmtkOk('dcmconv', ['+tb', study[3]!.file, file('big-endian.dcm')]);
}, 120_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('deidentify', () => {
  it('replaces or removes PHI and remaps UIDs consistently across a study, stable across runs', async () => {
    const outs = await Promise.all(study.map((r, i) => transform([deid()], r.file, `deid/${i}.dcm`)));
    const views = await Promise.all(outs.map(dumpView));
    const hashes = new Set<string>();
    for (const [i, v] of views.entries()) {
      const orig = study[i]!;
      expect(v.top.get('00100010')).toBe('ANONYMOUS');
      expect(v.top.get('00100020')).toMatch(/^ANON-[0-9A-F]{16}$/);
      hashes.add(v.top.get('00100020')!);
      for (const emptied of [
        '00100030',
        '00100040',
        '00080050',
        '00080090',
        '00200010',
        '00080020',
        '00080030',
      ]) {
        expect(v.top.get(emptied), emptied).toBe('');
      }
      for (const removed of [
        '00101000',
        '00101001',
        '00101040',
        '00102154',
        '00080081',
        '00081050',
        '00081030',
        '0008103E',
      ]) {
        expect(v.top.has(removed), removed).toBe(false);
      }
      for (const dummied of ['00080080', '00081070', '00181000', '00081010']) {
        expect(v.top.get(dummied), dummied).toMatch(/^ANONYMI[SZ]ED$|^ANONYMOUS$/);
      }
      expect(v.text).not.toContain(orig.patientNameUtf8.split('^')[0]);
      expect(v.text).not.toContain(orig.patientId);
      expect(v.text).not.toContain('SN-4711');
      expect(v.top.get('00080018')).toMatch(/^2\.25\.\d+$/);
      expect(v.top.get('00080018')).not.toBe(orig.sopInstanceUid);
      expect(v.top.get('00020003')).toBe(v.top.get('00080018'));
      expect(v.top.get('00200052')).toMatch(/^2\.25\./);
      expect(v.top.get('00120062')).toBe('YES');
      expect(v.top.get('00120063')).toContain('PS3.15 E.1 Basic Profile');
      expect(v.top.get('00280303')).toBe('REMOVED');
      // The reference to the first instance now names that instance's new UID.
      expect(v.all('00081155')).toEqual([views[0]!.top.get('00080018')]);
    }
    expect(hashes.size).toBe(1);
    expect(new Set(views.map((v) => v.top.get('0020000D'))).size).toBe(1);
    expect(views[0]!.top.get('0020000D')).not.toBe(study[0]!.studyInstanceUid);
    expect(new Set(views.map((v) => v.top.get('00080018'))).size).toBe(study.length);
    // Series grouping is preserved: same original series <-> same new series.
    const pairs = new Set(views.map((v, i) => `${study[i]!.seriesInstanceUid}>${v.top.get('0020000E')}`));
    expect(pairs.size).toBe(new Set(study.map((r) => r.seriesInstanceUid)).size);
    // Stable: the same input and secret give the same bytes; another secret other UIDs.
    const again = compileDicomTransforms([deid()])(await readFile(study[0]!.file));
    expect(again.equals(await readFile(outs[0]!))).toBe(true);
    const other = await dumpView(
      await transform([deid({ uidSecret: 'another-secret-987654' })], study[0]!.file, 'deid/other.dcm'),
    );
    expect(other.top.get('00080018')).not.toBe(views[0]!.top.get('00080018'));
  });

  it('keeps transfer syntax and pixel data bytes: JPEG baseline (several fragments, empty offset table), RLE, deflated, big endian, native', async () => {
    const inputs = ['jpeg-baseline.dcm', 'rle.dcm', 'deflated.dcm', 'big-endian.dcm']
      .map(file)
      .concat(study[0]!.file);
    const expectedTs = [
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.1.99',
      '1.2.840.10008.1.2.2',
      '1.2.840.10008.1.2.1',
    ];
    for (const [i, input] of inputs.entries()) {
      const out = await transform([deid()], input, `ts/${i}.dcm`);
      const [before, after] = await Promise.all([dumpView(input), dumpView(out)]);
      expect(before.transferSyntax).toBe(expectedTs[i]);
      expect(after.transferSyntax).toBe(expectedTs[i]);
      expect(after.top.get('00100010')).toBe('ANONYMOUS');
      const [inPixels, outPixels] = await Promise.all([pixelItems(input), pixelItems(out)]);
      expect(inPixels.length).toBeGreaterThan(0);
      if (i === 0) expect(inPixels.length).toBeGreaterThan(3); // offset table + fragments
      expect(outPixels.length).toBe(inPixels.length);
      outPixels.forEach((b, k) => expect(b.equals(inPixels[k]!), `${input} item ${k}`).toBe(true));
    }
  });

  it('removes private tags (explicit and implicit VR) unless kept; keepDates keeps dates and says so', async () => {
    for (const edge of ['edge/private-tags/im00001.dcm', 'edge/implicit-vr-private-tags/im00001.dcm']) {
      const input = rows.find((r) => r.path === edge)!.file;
      const before = await dumpView(input);
      expect(before.top.has('00091001')).toBe(true);
      const gone = await dumpView(await transform([deid()], input, `private/${edge}`));
      expect([...gone.top.keys()].filter((t) => parseInt(t.slice(0, 4), 16) % 2 === 1)).toEqual([]);
      const kept = await dumpView(
        await transform(
          [deid({ keep: ['(0009,0010)', '00091001', 'StudyDate'], keepDates: true })],
          input,
          `kept/${edge}`,
        ),
      );
      expect(kept.top.get('00091001')).toBe(before.top.get('00091001'));
      expect(kept.top.has('00091002')).toBe(false);
      expect(kept.top.get('00080020')).toBe(before.top.get('00080020'));
      expect(kept.top.get('00080021')).toBe(before.top.get('00080021'));
      expect(kept.top.get('00100030')).toBe(''); // birth date is not covered by the dates option
      expect(kept.top.get('00280303')).toBe('UNMODIFIED');
      expect(kept.top.get('00120063')).toContain(
        'Retain Longitudinal Temporal Information Full Dates Option',
      );
    }
  });
});

describe('tagEdits', () => {
  it('sets existing tags, adds missing ones, sets multiple values and removes by keyword or tag', async () => {
    const input = rows.find((r) => r.path === 'edge/private-tags/im00001.dcm')!.file;
    const out = await transform(
      [
        {
          kind: 'tagEdits',
          set: {
            InstitutionName: 'Research',
            PatientComments: 'added',
            ImageType: 'DERIVED\\SECONDARY',
            SeriesNumber: '42',
          },
          remove: ['ReferringPhysicianName', '(0009,1001)', '00100021'],
        },
      ],
      input,
      'edits/one.dcm',
    );
    const [before, after] = await Promise.all([dumpView(input), dumpView(out)]);
    expect(before.top.has('00104000')).toBe(false);
    expect(after.top.get('00080080')).toBe('Research');
    expect(after.top.get('00104000')).toBe('added');
    expect(after.top.get('00080008')).toBe('DERIVED\\SECONDARY');
    expect(after.top.get('00200011')).toBe('42');
    for (const t of ['00080090', '00091001', '00100021']) expect(after.top.has(t), t).toBe(false);
    expect(after.top.get('00091002')).toBe(before.top.get('00091002'));
    expect(after.top.get('00100010')).toBe(before.top.get('00100010'));
    expect(after.top.get('00080018')).toBe(before.top.get('00080018'));
    const [inPixels, outPixels] = await Promise.all([pixelItems(input), pixelItems(out)]);
    expect(Buffer.concat(outPixels).equals(Buffer.concat(inPixels))).toBe(true);
  });

  it('applies transforms in order and keeps the meta header on a set SOPInstanceUID', async () => {
    const input = study[0]!.file;
    const set = { kind: 'tagEdits', set: { InstitutionName: 'Research' }, remove: [] } as const;
    const first = await dumpView(await transform([set, deid()], input, 'order/set-first.dcm'));
    const last = await dumpView(await transform([deid(), set], input, 'order/set-last.dcm'));
    expect(first.top.get('00080080')).toBe('ANONYMIZED');
    expect(last.top.get('00080080')).toBe('Research');
    const uid = await dumpView(
      await transform(
        [{ kind: 'tagEdits', set: { SOPInstanceUID: '1.2.3.4.5' }, remove: [] }],
        input,
        'order/uid.dcm',
      ),
    );
    expect(uid.top.get('00080018')).toBe('1.2.3.4.5');
    expect(uid.top.get('00020003')).toBe('1.2.3.4.5');
  });
});

describe('unreadable input', () => {
  it('throws DicomEditError for non-DICOM, truncated dataset and truncated pixel data', async () => {
    const edit = compileDicomTransforms([deid()]);
    const whole = await readFile(study[0]!.file);
    expect(() => edit(Buffer.from('MSH|^~\\&|not dicom'))).toThrow(DicomEditError);
    expect(() => edit(whole.subarray(0, 400))).toThrow(DicomEditError);
    expect(() => edit(whole.subarray(0, whole.length - 100))).toThrow(DicomEditError);
    const jpeg = await readFile(file('jpeg-baseline.dcm'));
    expect(() => edit(jpeg.subarray(0, jpeg.length - 500))).toThrow(DicomEditError);
  });
});
