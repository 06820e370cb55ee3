/**
 * DicomIndex on PGlite and PostgreSQL: a DCMTK-made corpus indexed level by level, counts checked
 * against its manifest, a second pass duplicating nothing, and the basic find* matching (exact,
 * wildcard, UID list, date range, ModalitiesInStudy).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { toolAvailable } from '../../test/support/tools.ts';
import { DicomIndex } from './dicom-index.ts';
import { parsePart10, type ParsedInstance } from './parse-part10.ts';
import { makeDicomCorpus, type DicomCorpus, type DicomManifestRow } from './testing/dicom-corpus.ts';

const HAVE_DCMTK = toolAvailable('dump2dcm', 'apt-get install dcmtk');
const targets = await testDatabases();

const distinct = (rows: readonly DicomManifestRow[], key: keyof DicomManifestRow): number =>
  new Set(rows.map((r) => r[key])).size;

describe.skipIf(!HAVE_DCMTK)('DicomIndex', () => {
  let corpus: DicomCorpus;
  let parsed: { row: DicomManifestRow; instance: ParsedInstance }[];

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 4, series: 2, instances: 3, edgeCases: true });
    parsed = await Promise.all(
      corpus.rows.map(async (row) => ({ row, instance: parsePart10(await readFile(row.file)) })),
    );
  });
  afterAll(async () => {
    await corpus?.remove();
  });

  for (const target of targets) {
    describe(target.name, () => {
      let handle: TestDbHandle;
      let index: DicomIndex;
      const objectKey = (row: DicomManifestRow): string => `objects/${row.path}`;

      beforeAll(async () => {
        handle = await target.open();
        index = new DicomIndex(handle.db);
      });
      afterAll(async () => {
        await handle?.close();
      });

      it('indexes every instance once, in the caller transaction', async () => {
        const created = await handle.db.transaction(async (tx) => {
          const out: boolean[] = [];
          for (const { row, instance } of parsed) {
            out.push(
              (await index.indexInstance(tx, instance, { objectKey: objectKey(row), callingAe: 'STORESCU' }))
                .created,
            );
          }
          return out;
        });
        expect(created.every((c) => c)).toBe(true);
        const counts = await tableCounts(handle);
        expect(counts).toEqual({
          patients: distinct(corpus.rows, 'patientId'),
          studies: distinct(corpus.rows, 'studyInstanceUid'),
          series: distinct(corpus.rows, 'seriesInstanceUid'),
          instances: corpus.rows.length,
        });
      });

      it('re-sent instances update in place and duplicate nothing', async () => {
        const before = await tableCounts(handle);
        for (const { row, instance } of parsed) {
          const result = await handle.db.transaction((tx) =>
            index.indexInstance(tx, instance, { objectKey: `resent/${row.path}`, callingAe: 'ORTHANC' }),
          );
          expect(result.created, row.path).toBe(false);
        }
        expect(await tableCounts(handle)).toEqual(before);
        const row = corpus.rows[0]!;
        const [instance] = await index.findInstances({ sopInstanceUid: row.sopInstanceUid });
        expect(instance).toMatchObject({
          objectKey: `resent/${row.path}`,
          callingAe: 'ORTHANC',
          sizeBytes: row.bytes,
        });
      });

      it('a rolled-back transaction leaves no rows', async () => {
        const extra = {
          ...parsed[0]!.instance,
          keys: { ...parsed[0]!.instance.keys, sopInstanceUid: '1.2.3.999' },
        };
        await expect(
          handle.db.transaction(async (tx) => {
            await index.indexInstance(tx, extra, { objectKey: 'x', callingAe: null });
            throw new Error('object store failed');
          }),
        ).rejects.toThrow('object store failed');
        expect(await index.findInstances({ sopInstanceUid: '1.2.3.999' })).toEqual([]);
      });

      it('finds studies with their counts, names in UTF-8', async () => {
        const studies = await index.findStudies();
        expect(studies).toHaveLength(distinct(corpus.rows, 'studyInstanceUid'));
        for (const study of studies) {
          const rows = corpus.rows.filter((r) => r.studyInstanceUid === study.studyInstanceUid);
          expect(study).toMatchObject({
            patientId: rows[0]!.patientId,
            patientName: rows[0]!.patientNameUtf8,
            accessionNumber: rows[0]!.accessionNumber,
            studyDate: rows[0]!.studyDate,
            numberOfStudyRelatedSeries: distinct(rows, 'seriesInstanceUid'),
            numberOfStudyRelatedInstances: rows.length,
          });
          expect([...study.modalitiesInStudy].sort()).toEqual(
            [...new Set(rows.map((r) => r.modality))].sort(),
          );
        }
      });

      it('matches exact values, wildcards, UID lists, date ranges and modalities', async () => {
        const latin1 = corpus.rows.find((r) => r.path.startsWith('edge/latin1'))!;
        const first = corpus.rows[0]!;
        const uids = (studies: { studyInstanceUid: string }[]): string[] =>
          studies.map((s) => s.studyInstanceUid).sort();
        const expected = (pred: (r: DicomManifestRow) => boolean): string[] =>
          [...new Set(corpus.rows.filter(pred).map((r) => r.studyInstanceUid))].sort();

        expect(uids(await index.findStudies({ patientId: first.patientId }))).toEqual(
          expected((r) => r.patientId === first.patientId),
        );
        expect(uids(await index.findStudies({ accessionNumber: latin1.accessionNumber }))).toEqual([
          latin1.studyInstanceUid,
        ]);
        // Person names: case-insensitive, wildcards, non-ASCII.
        expect(uids(await index.findStudies({ patientName: 'mÜller*' }))).toEqual([latin1.studyInstanceUid]);
        expect(uids(await index.findStudies({ patientName: 'M?ller^J*' }))).toEqual([
          latin1.studyInstanceUid,
        ]);
        expect(uids(await index.findStudies({ patientName: '*山田*' }))).toEqual(
          expected((r) => r.patientNameUtf8.includes('山田')),
        );
        expect(await index.findStudies({ patientName: 'Müller' })).toEqual([]);
        // LIKE's own metacharacters are literal.
        expect(await index.findStudies({ patientId: '%' })).toEqual([]);
        expect(uids(await index.findStudies({ patientId: 'EDGE000?' }))).toEqual(
          expected((r) => r.path.startsWith('edge/')),
        );
        // UID list.
        const two = [...new Set(corpus.rows.map((r) => r.studyInstanceUid))].slice(0, 2).sort();
        expect(uids(await index.findStudies({ studyInstanceUid: two }))).toEqual(two);
        // Dates: exact, closed and open ranges, C-FIND range strings.
        expect(uids(await index.findStudies({ studyDate: latin1.studyDate }))).toEqual(
          expected((r) => r.studyDate === latin1.studyDate),
        );
        expect(uids(await index.findStudies({ studyDate: { from: '20190412', to: '20190414' } }))).toEqual(
          expected((r) => r.studyDate >= '20190412' && r.studyDate <= '20190414'),
        );
        expect(uids(await index.findStudies({ studyDate: '20190413-' }))).toEqual(
          expected((r) => r.studyDate >= '20190413'),
        );
        expect(uids(await index.findStudies({ studyDate: '-20190413' }))).toEqual(
          expected((r) => r.studyDate <= '20190413'),
        );
        // ModalitiesInStudy.
        expect(uids(await index.findStudies({ modalitiesInStudy: 'CT' }))).toEqual(
          expected((r) => r.modality === 'CT'),
        );
        expect(uids(await index.findStudies({ modalitiesInStudy: ['MR', 'CR'] }))).toEqual(
          expected((r) => r.modality === 'MR' || r.modality === 'CR'),
        );
        // Paging.
        const all = await index.findStudies();
        const page = await index.findStudies({ limit: 2, offset: 1 });
        expect(page.map((s) => s.studyInstanceUid)).toEqual(all.slice(1, 3).map((s) => s.studyInstanceUid));
      });

      it('finds series and instances of a study, in order', async () => {
        const first = corpus.rows[0]!;
        const series = await index.findSeries({ studyInstanceUid: first.studyInstanceUid });
        const rows = corpus.rows.filter((r) => r.studyInstanceUid === first.studyInstanceUid);
        expect(series.map((s) => s.seriesInstanceUid).sort()).toEqual(
          [...new Set(rows.map((r) => r.seriesInstanceUid))].sort(),
        );
        for (const s of series) {
          expect(s.modality).toBe(first.modality);
          expect(s.numberOfSeriesRelatedInstances).toBe(
            rows.filter((r) => r.seriesInstanceUid === s.seriesInstanceUid).length,
          );
        }
        expect((await index.findSeries({ modality: first.modality })).length).toBeGreaterThanOrEqual(
          series.length,
        );
        expect(
          await index.findSeries({ studyInstanceUid: first.studyInstanceUid, seriesNumber: 999 }),
        ).toEqual([]);

        const instances = await index.findInstances({ seriesInstanceUid: first.seriesInstanceUid });
        const expectedRows = corpus.rows.filter((r) => r.seriesInstanceUid === first.seriesInstanceUid);
        expect(instances.map((i) => i.sopInstanceUid)).toEqual(expectedRows.map((r) => r.sopInstanceUid));
        expect(instances.map((i) => i.instanceNumber)).toEqual(expectedRows.map((_, n) => n + 1));
        for (const i of instances) {
          const row = expectedRows.find((r) => r.sopInstanceUid === i.sopInstanceUid)!;
          expect(i).toMatchObject({
            studyInstanceUid: row.studyInstanceUid,
            sopClassUid: row.sopClassUid,
            transferSyntaxUid: row.transferSyntaxUid,
            sizeBytes: row.bytes,
          });
          expect(i.receivedAt).toBeInstanceOf(Date);
        }
        const one = await index.findInstances({
          studyInstanceUid: first.studyInstanceUid,
          instanceNumber: 2,
        });
        expect(one.length).toBe(distinct(rows, 'seriesInstanceUid'));
      });

      it('keeps each instance as DICOM JSON without bulk data', async () => {
        const implicit = parsed.find((p) => p.row.path.startsWith('edge/implicit-vr-private'))!;
        const json = await index.instanceJson(implicit.row.sopInstanceUid);
        expect(json).toEqual(implicit.instance.json);
        expect(json?.['7FE00010']?.BulkDataURI).toBe('bulkdata/7FE00010');
        expect(await index.instanceJson('1.2.3.404')).toBeNull();
      });

      it('writes only the instance row for a series it committed with the same values, all four otherwise', async () => {
        const fresh = new DicomIndex(handle.db);
        const base = parsed[0]!.instance;
        const make = (n: number, over: Partial<ParsedInstance['keys']> = {}): ParsedInstance => ({
          ...base,
          keys: {
            ...base.keys,
            patientId: 'KNOWN-SERIES',
            studyInstanceUid: '1.2.826.0.1.3680043.8.498.900',
            seriesInstanceUid: '1.2.826.0.1.3680043.8.498.900.1',
            sopInstanceUid: `1.2.826.0.1.3680043.8.498.900.1.${n}`,
            ...over,
          },
        });
        const store = async (instance: ParsedInstance, rollback = false): Promise<void> => {
          const result = await handle.db
            .transaction(async (tx) => {
              const r = await fresh.indexInstance(tx, instance, { objectKey: 'k', callingAe: null });
              if (rollback) throw new Error('rolled back on purpose');
              return r;
            })
            .catch((e: unknown) => {
              if (!rollback) throw e;
              return null;
            });
          result?.committed();
        };
        const study = async (): Promise<{ study_description: string | null; n: number }> => {
          const { rows } = await handle.db.query<{ study_description: string | null; n: number }>(
            `SELECT s.study_description,
               (SELECT count(*)::int FROM dicom_instances i WHERE i.study_instance_uid = s.study_instance_uid) AS n
             FROM dicom_studies s WHERE s.study_instance_uid = '1.2.826.0.1.3680043.8.498.900'`,
          );
          return rows[0] ?? { study_description: null, n: -1 };
        };
        // A first transaction that rolled back leaves nothing remembered: the next one writes all four rows.
        await store(make(1), true);
        expect(await study()).toEqual({ study_description: null, n: -1 });
        await store(make(2));
        await store(make(3)); // the instance row alone (the series is known with these values)
        expect(await study()).toMatchObject({ n: 2 });
        // New study-level values: all four rows again, so the study row takes them.
        await store(make(4, { studyDescription: 'CHANGED DESCRIPTION' }));
        expect(await study()).toEqual({ study_description: 'CHANGED DESCRIPTION', n: 3 });
      });
    });
  }
});

async function tableCounts(handle: TestDbHandle): Promise<Record<string, number>> {
  const { rows } = await handle.db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM dicom_patients)::integer AS patients,
            (SELECT count(*) FROM dicom_studies)::integer AS studies,
            (SELECT count(*) FROM dicom_series)::integer AS series,
            (SELECT count(*) FROM dicom_instances)::integer AS instances`,
  );
  return rows[0]!;
}
