/**
 * DICOM into a real engine: DCMTK's storescu (which nobody here wrote) sends a generated corpus; every
 * instance must be in the object store byte-identical after the meta group we write, and indexed
 * once. Then the same with the S3 store against a real s3rver, and a re-send that duplicates nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDicomCorpus, type DicomCorpus } from '../engine/dicom/testing/dicom-corpus.ts';
import { dicomObjectKey } from '../engine/objects/object-store.ts';
import { startS3rver, type TestS3Server } from '../engine/objects/testing/s3rver.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { toolAvailable } from './support/tools.ts';
import { storeFolder } from './support/dcmtk.ts';

const HAVE_DCMTK =
  toolAvailable('storescu', 'apt-get install dcmtk') && toolAvailable('dump2dcm', 'apt-get install dcmtk');
const storescu = (port: number, dir: string): Promise<string> => storeFolder(port, dir);

/** The dataset after the File Meta Information group (group 0002, whose length is in its first element). */
function datasetOf(part10: Buffer): Buffer {
  // 128-byte preamble, 'DICM', then (0002,0000) UL: tag 4 + VR 2 + length 2 + value 4 = 12 bytes.
  const groupLength = part10.readUInt32LE(128 + 4 + 8);
  return part10.subarray(128 + 4 + 12 + groupLength);
}

describe.runIf(HAVE_DCMTK)('DICOM C-STORE into the engine', () => {
  let corpus: DicomCorpus;
  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 2, series: 2, instances: 3 });
  }, 60_000);
  afterAll(async () => corpus?.remove());

  async function expectStoredAndIndexed(f: EngineFixture): Promise<void> {
    for (const row of corpus.rows) {
      const key = dicomObjectKey(row.studyInstanceUid, row.seriesInstanceUid, row.sopInstanceUid);
      const stored = await f.engine.objects.get(key);
      expect(stored, key).not.toBeNull();
      const sent = await readFile(path.join(corpus.dir, row.path));
      expect(datasetOf(stored!).equals(datasetOf(sent)), row.path).toBe(true);
    }
    const { rows } = await f.engine.db.query<{ n: number; studies: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT study_instance_uid)::int AS studies FROM dicom_instances',
    );
    expect(rows[0]).toEqual({ n: corpus.rows.length, studies: 2 });
  }

  it('stores every instance in the folder store and indexes it once, also when sent again', async () => {
    const f = await startTestEngine({ database: 'pglite' });
    try {
      expect(f.engine.dicomPort).toBeGreaterThan(0);
      await storescu(f.engine.dicomPort!, corpus.dir);
      await expectStoredAndIndexed(f);
      await storescu(f.engine.dicomPort!, corpus.dir);
      await expectStoredAndIndexed(f);
      expect(f.engine.objects.location).toMatch(/^folder /);
    } finally {
      await f.stop();
    }
  }, 120_000);

  describe('with the S3 object store', () => {
    let s3: TestS3Server;
    beforeAll(async () => {
      s3 = await startS3rver();
    });
    afterAll(async () => s3?.close());

    it('stores every instance in S3 (s3rver) and indexes it in PostgreSQL', async () => {
      const f = await startTestEngine({
        database: 'postgres',
        env: {
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: s3.bucket,
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        },
      });
      try {
        expect(f.engine.objects.location).toMatch(/^s3 /);
        await storescu(f.engine.dicomPort!, corpus.dir);
        await expectStoredAndIndexed(f);
        expect(s3.events.filter((e) => e.startsWith('ObjectCreated')).length).toBe(corpus.rows.length);
      } finally {
        await f.stop();
      }
    }, 120_000);
  });
});
