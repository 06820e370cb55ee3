/**
 * DICOM routing with Orthanc, a PACS nobody here wrote, on both sides: one Orthanc C-STOREs a
 * generated corpus into the engine, a DICOM channel forwards every instance to a second Orthanc, and
 * each instance there must have the transfer syntax and the dataset (after the meta group) of the
 * file first sent. Skips loudly outside CI when Orthanc is missing; fails under CI=true.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePart10 } from '../engine/dicom/parse-part10.ts';
import { makeDicomCorpus, type DicomCorpus } from '../engine/dicom/testing/dicom-corpus.ts';
import { startApiEngine, type ApiFixture } from './support/api.ts';
import { startOrthanc, type TestOrthanc } from './support/orthanc.ts';
import { toolAvailable } from './support/tools.ts';
import { waitFor } from './support/wait.ts';

const HAVE_TOOLS =
  toolAvailable('Orthanc', 'apt-get install orthanc') && toolAvailable('dump2dcm', 'apt-get install dcmtk');

function datasetOf(part10: Buffer): Buffer {
  const groupLength = part10.readUInt32LE(128 + 4 + 8);
  return part10.subarray(128 + 4 + 12 + groupLength);
}

describe.runIf(HAVE_TOOLS)('Orthanc -> engine -> Orthanc through a DICOM channel', () => {
  let corpus: DicomCorpus;
  let engine: ApiFixture;
  let source: TestOrthanc;
  let destination: TestOrthanc;

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 2, series: 2, instances: 2, edgeCases: true });
    destination = await startOrthanc();
    engine = await startApiEngine({
      database: 'pglite',
      configYaml: `dicom:\n  remoteAes:\n    - { aeTitle: ${destination.aeTitle}, host: 127.0.0.1, port: ${destination.dicomPort} }\n`,
      channels: {
        'dicom/to-orthanc.yaml': `id: to-orthanc
destinations:
  - name: pacs
    type: dicom-forward
    ae: ${destination.aeTitle}
    concurrency: 2
    retry: { maxAttempts: 3, initialDelayMs: 200 }
`,
      },
    });
    source = await startOrthanc({
      modalities: {
        SWITCHBOARD: { aeTitle: 'SWITCHBOARD', host: '127.0.0.1', port: engine.engine.dicomPort! },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await source?.stop();
    await engine?.stop();
    await destination?.stop();
    await corpus?.remove();
  });

  it('forwards every instance Orthanc sends to the other Orthanc, transfer syntax and dataset unchanged', async () => {
    const ids: string[] = [];
    for (const row of corpus.rows)
      ids.push(await source.uploadInstance(await readFile(path.join(corpus.dir, row.path))));
    await source.rest('POST', '/modalities/SWITCHBOARD/store', { Resources: ids, Synchronous: true });

    const settled = async () => {
      const { rows } = await engine.engine.db.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM dicom_deliveries GROUP BY status',
      );
      return rows;
    };
    await waitFor(
      async () => {
        const rows = await settled();
        return rows.length === 1 && rows[0]!.status === 'sent' && rows[0]!.n === corpus.rows.length;
      },
      'every delivery sent',
      60_000,
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(await settled())}\n${await destination.log()}`);
    });

    expect(await destination.countInstances()).toBe(corpus.rows.length);
    for (const row of corpus.rows) {
      const id = await destination.lookupInstance(row.sopInstanceUid);
      expect(id, row.path).not.toBeNull();
      const received = await destination.downloadInstance(id!);
      const sent = await readFile(path.join(corpus.dir, row.path));
      expect(parsePart10(received).meta.transferSyntaxUid, row.path).toBe(
        parsePart10(sent).meta.transferSyntaxUid,
      );
      expect(datasetOf(received).equals(datasetOf(sent)), row.path).toBe(true);
    }
    const api = await engine.call('GET', '/api/dicom/channels', { token: engine.tokens.viewer });
    expect(api.body.channels[0].counters).toEqual({ queued: 0, sent: corpus.rows.length, dead: 0 });
  }, 120_000);
});
