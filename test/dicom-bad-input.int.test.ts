/**
 * Bad DICOM input against a real engine: each case is refused on the wire, leaves nothing in the
 * object store or the index, and shows in /metrics (engine/metrics/dicom-metrics.ts); a normal
 * storescu still succeeds afterwards.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { part10DatasetOffset } from '../engine/dicom/dimse/part10.ts';
import { TransferSyntax as TS } from '../engine/dicom/dimse/uids.ts';
import { PduType } from '../engine/dicom/retrieve/dimse-wire.ts';
import { makeDicomCorpus, type DicomCorpus } from '../engine/dicom/testing/dicom-corpus.ts';
import { RawPeer } from '../listeners/dicom/testing/raw-peer.ts';
import { startApiEngine, type ApiFixture } from './support/api.ts';
import { runDcmtk, storescuFolderArgs } from './support/dcmtk.ts';
import { toolAvailable } from './support/tools.ts';
import { waitFor } from './support/wait.ts';

const HAVE_DCMTK = ['storescu', 'echoscu'].every((t) => toolAvailable(t, 'apt-get install dcmtk'));
const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';

/** The value of one sample line of the exposition text, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe.runIf(HAVE_DCMTK)('bad DICOM input, counted in /metrics', () => {
  let f: ApiFixture;
  let corpus: DicomCorpus;

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 1, series: 1, instances: 2 });
    f = await startApiEngine({ database: 'pglite' });
  }, 120_000);

  afterAll(async () => {
    await f?.stop();
    await corpus?.remove();
  });

  const metrics = async (): Promise<string> => {
    const res = await f.call('GET', '/metrics', { token: f.tokens.admin });
    expect(res.status).toBe(200);
    return res.text;
  };

  it('refuses garbage, a wrong called AE, a mismatched and a truncated C-STORE; stores none; counts each', async () => {
    const port = f.engine.dicomPort!;
    const [first, second] = corpus.rows;
    const file = await readFile(path.join(corpus.dir, first!.path));
    const dataset = file.subarray(part10DatasetOffset(file));
    const contexts = [{ id: 1, abstractSyntaxUid: CT, transferSyntaxUids: [TS.ExplicitVRLittleEndian] }];
    expect(first!.sopClassUid).toBe(CT);
    expect(first!.transferSyntaxUid).toBe(TS.ExplicitVRLittleEndian);

    const garbage = await RawPeer.connect(port);
    garbage.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect((await garbage.next())?.type).toBe(PduType.Abort);
    await garbage.waitClosed();

    const wrongAe = await RawPeer.connect(port);
    expect((await wrongAe.associate(contexts, { calledAe: 'ELSEWHERE' }))?.type).toBe(PduType.AssociateRj);
    await wrongAe.waitClosed();

    const mismatch = await RawPeer.connect(port);
    await mismatch.associateOk(contexts);
    for (const pdu of RawPeer.storePdus(
      1,
      { sopClassUid: MR, sopInstanceUid: first!.sopInstanceUid },
      dataset,
    )) {
      mismatch.write(pdu);
    }
    expect(await mismatch.responseStatus()).toBe(0x0122);
    mismatch.destroy();

    const truncated = await RawPeer.connect(port);
    await truncated.associateOk(contexts);
    const pdus = RawPeer.storePdus(
      1,
      { sopClassUid: CT, sopInstanceUid: first!.sopInstanceUid },
      dataset,
      1024,
    );
    for (const pdu of pdus.slice(0, -1)) truncated.write(pdu);
    truncated.destroy();

    let text = '';
    await waitFor(
      async () => {
        text = await metrics();
        return sample(text, 'switchboard_dicom_incomplete_stores_total', '') === 1;
      },
      'the truncated store to be counted',
      5000,
    );
    expect(sample(text, 'switchboard_dicom_aborts_total', 'code="unknown-pdu-type"')).toBe(1);
    expect(sample(text, 'switchboard_dicom_aborts_total', 'code="connection-lost"')).toBe(2);
    expect(sample(text, 'switchboard_dicom_rejections_total', 'reason="called-ae-not-recognized"')).toBe(1);
    expect(sample(text, 'switchboard_dicom_associations_total', 'outcome="rejected"')).toBe(1);
    expect(sample(text, 'switchboard_dicom_associations_total', 'outcome="accepted"')).toBe(2);
    expect(sample(text, 'switchboard_dicom_operations_total', 'operation="C-STORE",status="failure"')).toBe(
      1,
    );

    // Nothing of it stored or indexed.
    expect(
      await f.engine.dicomIndex.findInstances({ sopInstanceUid: [first!.sopInstanceUid], limit: 10 }),
    ).toEqual([]);
    expect(await filesUnder(path.join(f.dir, 'data'))).not.toContainEqual(
      expect.stringContaining(first!.sopInstanceUid),
    );

    // And the engine still takes a normal storescu.
    const run = await runDcmtk('storescu', storescuFolderArgs(port, corpus.dir));
    expect(run.code, run.output).toBe(0);
    text = await metrics();
    expect(sample(text, 'switchboard_dicom_operations_total', 'operation="C-STORE",status="success"')).toBe(
      2,
    );
    const indexed = await f.engine.dicomIndex.findInstances({
      sopInstanceUid: [first!.sopInstanceUid, second!.sopInstanceUid],
      limit: 10,
    });
    expect(indexed).toHaveLength(2);
  }, 60_000);
});

describe.runIf(HAVE_DCMTK)('the configured C-STORE size limit (dicom.maxObjectBytes)', () => {
  let f: ApiFixture;
  let small: DicomCorpus;
  let large: DicomCorpus;
  const LIMIT = 4096;

  beforeAll(async () => {
    small = await makeDicomCorpus({ studies: 1, series: 1, instances: 2, size: 16, seed: 'limit-small' });
    large = await makeDicomCorpus({ studies: 1, series: 1, instances: 2, size: 64, seed: 'limit-large' });
    f = await startApiEngine({ database: 'pglite', configYaml: `dicom:\n  maxObjectBytes: ${LIMIT}\n` });
  }, 120_000);

  afterAll(async () => {
    await f?.stop();
    await small?.remove();
    await large?.remove();
  });

  it('refuses a dataset over the limit with 0xA700 and keeps nothing of it; takes one under it', async () => {
    const port = f.engine.dicomPort!;
    const datasetBytes = async (corpus: DicomCorpus, row: DicomCorpus['rows'][number]): Promise<number> => {
      const file = await readFile(path.join(corpus.dir, row.path));
      return file.length - part10DatasetOffset(file);
    };
    for (const row of small.rows) expect(await datasetBytes(small, row)).toBeLessThan(LIMIT);
    for (const row of large.rows) expect(await datasetBytes(large, row)).toBeGreaterThan(LIMIT);

    // -nh: storescu halts at the first refused store otherwise.
    const over = await runDcmtk('storescu', ['-v', '-nh', ...storescuFolderArgs(port, large.dir)]);
    expect(
      over.output.match(/Received Store Response \(Refused: OutOfResources\)/g),
      over.output,
    ).toHaveLength(2);
    const under = await runDcmtk('storescu', storescuFolderArgs(port, small.dir));
    expect(under.code, under.output).toBe(0);

    const uids = (corpus: DicomCorpus): string[] => corpus.rows.map((r) => r.sopInstanceUid);
    expect(await f.engine.dicomIndex.findInstances({ sopInstanceUid: uids(large), limit: 10 })).toEqual([]);
    expect(await f.engine.dicomIndex.findInstances({ sopInstanceUid: uids(small), limit: 10 })).toHaveLength(
      2,
    );
    const files = await filesUnder(path.join(f.dir, 'data'));
    for (const uid of uids(large)) expect(files).not.toContainEqual(expect.stringContaining(uid));
    for (const uid of uids(small)) expect(files).toContainEqual(`${uid}.dcm`);

    const res = await f.call('GET', '/metrics', { token: f.tokens.admin });
    expect(
      sample(res.text, 'switchboard_dicom_operations_total', 'operation="C-STORE",status="failure"'),
    ).toBe(2);
    expect(
      sample(res.text, 'switchboard_dicom_operations_total', 'operation="C-STORE",status="success"'),
    ).toBe(2);
  }, 60_000);
});
