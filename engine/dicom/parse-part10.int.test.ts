/**
 * parsePart10 against a corpus made by DCMTK (dump2dcm via make-dicom-corpus.sh), with its
 * manifest.tsv as the oracle: UIDs, PatientID, the UTF-8 PatientName whatever the character set
 * (ISO_IR 100 and ISO_IR 192 edge cases), transfer syntax, size. Plus a deflated copy made by
 * DCMTK's dcmconv, and inputs that must be refused.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../test/support/tools.ts';
import { BULK_DATA_THRESHOLD, type DicomJsonDataset } from './dicom-json.ts';
import { DicomParseError, parsePart10 } from './parse-part10.ts';
import { makeDicomCorpus, type DicomCorpus } from './testing/dicom-corpus.ts';

const HAVE_DCMTK =
  toolAvailable('dump2dcm', 'apt-get install dcmtk') && toolAvailable('dcmconv', 'apt-get install dcmtk');
const run = promisify(execFile);

/** Every binary value in the JSON is inline and small, or a BulkDataURI: no bulk data stored. */
function largestInline(ds: DicomJsonDataset): number {
  let max = 0;
  for (const el of Object.values(ds)) {
    if (el.InlineBinary) max = Math.max(max, Buffer.from(el.InlineBinary, 'base64').byteLength);
    for (const v of el.Value ?? []) {
      if (el.vr === 'SQ' && v && typeof v === 'object')
        max = Math.max(max, largestInline(v as DicomJsonDataset));
    }
  }
  return max;
}

describe.skipIf(!HAVE_DCMTK)('parsePart10 on a DCMTK-made corpus', () => {
  let corpus: DicomCorpus;

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 3, series: 2, instances: 2, size: 64, edgeCases: true });
  });
  afterAll(async () => {
    await corpus?.remove();
  });

  it('reads every file as the manifest says, names in UTF-8 whatever the character set', async () => {
    expect(corpus.rows.length).toBe(3 * 2 * 2 + 6);
    expect(corpus.rows.some((r) => r.path.startsWith('edge/latin1'))).toBe(true);
    for (const row of corpus.rows) {
      const bytes = await readFile(row.file);
      const parsed = parsePart10(bytes);
      expect(parsed.keys, row.path).toMatchObject({
        sopInstanceUid: row.sopInstanceUid,
        sopClassUid: row.sopClassUid,
        seriesInstanceUid: row.seriesInstanceUid,
        studyInstanceUid: row.studyInstanceUid,
        patientId: row.patientId,
        patientName: row.patientNameUtf8,
        accessionNumber: row.accessionNumber,
        studyDate: row.studyDate,
        modality: row.modality,
      });
      expect(parsed.meta.transferSyntaxUid, row.path).toBe(row.transferSyntaxUid);
      expect(parsed.meta.mediaStorageSopInstanceUid).toBe(row.sopInstanceUid);
      expect(parsed.size).toBe(row.bytes);
      expect(parsed.size).toBe(bytes.byteLength);
      expect(typeof parsed.keys.instanceNumber).toBe('number');
      expect(typeof parsed.keys.seriesNumber).toBe('number');
    }
  });

  it('keeps the dataset as DICOM JSON without bulk data', async () => {
    const row = corpus.rows.find((r) => r.path.startsWith('st'));
    const parsed = parsePart10(await readFile(row!.file));
    // 64 x 64 x 16 bit: 8 KiB of pixels, stored as a placeholder only.
    expect(parsed.json['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: 'bulkdata/7FE00010' });
    expect(parsed.json['00100020']).toEqual({ vr: 'LO', Value: [row!.patientId] });
    expect(parsed.json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: row!.patientNameUtf8 }] });
    expect(parsed.json['0020000D']).toEqual({ vr: 'UI', Value: [row!.studyInstanceUid] });
    expect(JSON.stringify(parsed.json).length).toBeLessThan(8192);
    expect(largestInline(parsed.json)).toBeLessThanOrEqual(BULK_DATA_THRESHOLD);
    expect(Object.keys(parsed.json).some((t) => t.startsWith('0002'))).toBe(false);
  });

  it('splits an ideographic name into its PN groups in the JSON', async () => {
    const row = corpus.rows.find((r) => r.path.startsWith('edge/utf8-ideographic'));
    const parsed = parsePart10(await readFile(row!.file));
    const [alphabetic, ideographic, phonetic] = row!.patientNameUtf8.split('=');
    expect(parsed.json['00100010']?.Value).toEqual([
      { Alphabetic: alphabetic, Ideographic: ideographic, Phonetic: phonetic },
    ]);
  });

  it('reads private tags of an implicit VR file as small inline UN values', async () => {
    const row = corpus.rows.find((r) => r.path.startsWith('edge/implicit-vr-private-tags'));
    const parsed = parsePart10(await readFile(row!.file));
    expect(parsed.meta.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    const privateElements = Object.entries(parsed.json).filter(([tag]) => tag.startsWith('0009'));
    expect(privateElements.length).toBeGreaterThan(1);
    for (const [, el] of privateElements) expect(el.BulkDataURI).toBeUndefined();
  });

  it('reads a deflated explicit VR little endian copy made by dcmconv', async () => {
    const row = corpus.rows.find((r) => r.path.startsWith('edge/latin1'));
    const deflated = path.join(corpus.dir, '..', 'deflated.dcm');
    await run('dcmconv', ['+td', row!.file, deflated], { timeout: 30_000 });
    const bytes = await readFile(deflated);
    const parsed = parsePart10(bytes);
    expect(parsed.meta.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    expect(parsed.keys.sopInstanceUid).toBe(row!.sopInstanceUid);
    expect(parsed.keys.patientName).toBe(row!.patientNameUtf8);
    expect(parsed.size).toBe(bytes.byteLength);
    const reason = (() => {
      try {
        parsePart10(bytes.subarray(0, bytes.byteLength - 100));
        return 'parsed';
      } catch (err) {
        return err instanceof DicomParseError ? err.reason : String(err);
      }
    })();
    expect(reason).toBe('truncated');
  });

  it('refuses what is not a whole Part-10 object with a DicomParseError', async () => {
    const row = corpus.rows.find((r) => r.path.startsWith('st'));
    const bytes = await readFile(row!.file);
    const reasonOf = (b: Uint8Array): string => {
      try {
        parsePart10(b);
        return 'parsed';
      } catch (err) {
        return err instanceof DicomParseError ? err.reason : `other: ${String(err)}`;
      }
    };
    expect(reasonOf(Buffer.from('MSH|^~\\&|not dicom'))).toBe('not-part10');
    // Cut in the header, inside a value, inside the pixels, one byte short: never "parsed".
    expect(reasonOf(bytes.subarray(0, 200))).toBe('unreadable');
    for (const cut of [600, 601, 1000, bytes.byteLength - 4096, bytes.byteLength - 1]) {
      // A cut on an element boundary leaves a whole but shorter dataset: then the UIDs are missing.
      expect(['unreadable', 'truncated', 'missing-uid'], `cut at ${cut}`).toContain(
        reasonOf(bytes.subarray(0, cut)),
      );
    }
    expect(reasonOf(bytes.subarray(0, bytes.byteLength - 1))).toBe('truncated');
    expect(reasonOf(bytes)).toBe('parsed');
  });
});
