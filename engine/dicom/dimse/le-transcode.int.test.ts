/**
 * le-transcode.ts against DCMTK's dcmconv, which nobody here wrote: every corpus object (explicit and
 * implicit VR, private tags, several character sets) re-framed to the other little endian syntax
 * must equal dcmconv's dataset byte for byte, and going there and back must give the input again
 * (for objects without private elements, whose VR the implicit form loses).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDicomCorpus, type DicomCorpus } from '../testing/dicom-corpus.ts';
import { toolAvailable } from '../../../test/support/tools.ts';
import { canTranscode, transcodeLittleEndian } from './le-transcode.ts';
import { part10DatasetOffset } from './part10.ts';
import { TransferSyntax as TS } from './uids.ts';

const run = promisify(execFile);
const datasetOf = (file: Buffer): Buffer => file.subarray(part10DatasetOffset(file));

describe.runIf(toolAvailable('dcmconv', 'apt-get install dcmtk'))('little endian re-framing', () => {
  let corpus: DicomCorpus;
  let work: string;

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 1, series: 1, instances: 2, edgeCases: true });
    work = await mkdtemp(path.join(os.tmpdir(), 'le-transcode-'));
  }, 60_000);

  afterAll(async () => {
    await corpus?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('equals dcmconv in both directions on every corpus object', async () => {
    const syntaxes = new Set<string>();
    for (const row of corpus.rows) {
      const from = row.transferSyntaxUid;
      const to = from === TS.ImplicitVRLittleEndian ? TS.ExplicitVRLittleEndian : TS.ImplicitVRLittleEndian;
      syntaxes.add(from);
      const input = datasetOf(await readFile(path.join(corpus.dir, row.path)));
      const converted = path.join(work, `${row.sopInstanceUid}.dcm`);
      await run('dcmconv', [
        to === TS.ImplicitVRLittleEndian ? '+ti' : '+te',
        path.join(corpus.dir, row.path),
        converted,
      ]);
      const ours = transcodeLittleEndian(input, from, to);
      expect(ours.equals(datasetOf(await readFile(converted))), row.path).toBe(true);
      if (!row.path.includes('private')) {
        expect(transcodeLittleEndian(ours, to, from).equals(input), row.path).toBe(true);
      }
    }
    expect([...syntaxes].sort()).toEqual([TS.ImplicitVRLittleEndian, TS.ExplicitVRLittleEndian]);
  }, 60_000);

  it('keeps sequences of undefined length, recomputes defined ones, and refuses what it cannot follow', () => {
    // (0040,0275) SQ of undefined length, one item of defined length holding (0040,0009) SH "AB".
    const fixed = Buffer.from(
      '40007502' + 'ffffffff' + 'feff00e00a000000' + '40000900' + '02000000' + '4142' + 'feffdde000000000',
      'hex',
    );
    const explicit = transcodeLittleEndian(fixed, TS.ImplicitVRLittleEndian, TS.ExplicitVRLittleEndian);
    expect(explicit.toString('hex')).toBe(
      '40007502' +
        '5351' +
        '0000' +
        'ffffffff' +
        'feff00e00a000000' +
        '40000900' +
        '5348' +
        '0200' +
        '4142' +
        'feffdde000000000',
    );
    expect(transcodeLittleEndian(explicit, TS.ExplicitVRLittleEndian, TS.ImplicitVRLittleEndian)).toEqual(
      fixed,
    );
    expect(() =>
      transcodeLittleEndian(fixed.subarray(0, 20), TS.ImplicitVRLittleEndian, TS.ExplicitVRLittleEndian),
    ).toThrow();
    expect(canTranscode(TS.ExplicitVRLittleEndian, TS.JpegBaseline)).toBe(false);
    expect(canTranscode(TS.ExplicitVRLittleEndian, TS.ImplicitVRLittleEndian)).toBe(true);
  });
});
