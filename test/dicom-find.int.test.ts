/**
 * C-FIND against a real engine with DCMTK's findscu (which nobody here wrote): storescu sends a
 * generated corpus, then patient-root (-P) and study-root (-S) queries at every level with wildcard,
 * date range and UID list matching are checked against the corpus manifest. findscu writes each
 * response identifier to a file (-X), read back here with dcmjs. Then the Modality Worklist: an
 * ORM^O01 over MLLP puts a scheduled step on the worklist, and `findscu -W` finds it. On PGlite and,
 * when reachable, PostgreSQL.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DimseDatasetClass } from '../engine/dicom/dimse/dcmjs-dimse.ts';
import { attributeKeys, textValue, textValues, type Identifier } from '../engine/dicom/find/identifier.ts';
import {
  makeDicomCorpus,
  type DicomCorpus,
  type DicomManifestRow,
} from '../engine/dicom/testing/dicom-corpus.ts';
import { radiologyOrm } from '../engine/dicom/worklist/testing/worklist-messages.ts';
import { sendMllp } from '../listeners/mllp/client.ts';
import { testDatabases } from './support/databases.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { readAck } from './support/hl7-samples.ts';
import { toolAvailable } from './support/tools.ts';
import { dcmtkOk, storeFolder } from './support/dcmtk.ts';

const HAVE_DCMTK =
  toolAvailable('storescu', 'apt-get install dcmtk') &&
  toolAvailable('findscu', 'apt-get install dcmtk') &&
  toolAvailable('dump2dcm', 'apt-get install dcmtk');

interface FindRun {
  readonly identifiers: Identifier[];
  /** findscu's verbose log: the final status is in it. */
  readonly log: string;
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
const sorted = (values: readonly string[]): string[] => [...values].sort();

for (const target of await testDatabases()) {
  describe.runIf(HAVE_DCMTK)(`C-FIND SCP in the engine on ${target.name}, with DCMTK findscu`, () => {
    let corpus: DicomCorpus;
    let f: EngineFixture;
    let rows: readonly DicomManifestRow[];

    async function findscu(model: '-P' | '-S' | '-W', keys: readonly string[]): Promise<FindRun> {
      const out = await mkdtemp(path.join(tmpdir(), 'switchboard-findscu-'));
      try {
        const args = ['-v', '-aet', 'MODALITY', '-aec', 'SWITCHBOARD', model, '-X', '-od', out];
        for (const key of keys) args.push('-k', key);
        const output = await dcmtkOk('findscu', [...args, '127.0.0.1', String(f.engine.dicomPort)], 30_000);
        const files = sorted((await readdir(out)).filter((name) => name.endsWith('.dcm')));
        const identifiers = files.map((name) => {
          const dataset = DimseDatasetClass.fromFile(path.join(out, name));
          if (dataset === undefined) throw new Error(`findscu wrote an unreadable ${name}`);
          return dataset.getElements();
        });
        return { identifiers, log: output };
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    }

    /** The values of one key over all responses, sorted. */
    const column = (run: FindRun, key: string): string[] =>
      sorted(run.identifiers.map((i) => textValue(i[key])));

    beforeAll(async () => {
      corpus = await makeDicomCorpus({ studies: 4, series: 2, instances: 2 });
      rows = corpus.rows;
      f = await startTestEngine({ database: target.name });
      await storeFolder(f.engine.dicomPort!, corpus.dir);
    }, 120_000);
    afterAll(async () => {
      await f?.stop();
      await corpus?.remove();
    });

    const studies = (): DicomManifestRow[] =>
      unique(rows.map((r) => r.studyInstanceUid)).map((uid) => rows.find((r) => r.studyInstanceUid === uid)!);

    it('study root, STUDY level, universal match: every study once, with counts and only the keys asked', async () => {
      const run = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        'StudyInstanceUID',
        'PatientID',
        'PatientName',
        'StudyDate',
        'AccessionNumber',
        'ModalitiesInStudy',
        'NumberOfStudyRelatedSeries',
        'NumberOfStudyRelatedInstances',
      ]);
      expect(run.log).toContain('Received Final Find Response (Success)');
      expect(column(run, 'StudyInstanceUID')).toEqual(sorted(studies().map((s) => s.studyInstanceUid)));
      for (const id of run.identifiers) {
        expect(sorted(attributeKeys(id))).toEqual(
          sorted([
            'SpecificCharacterSet',
            'QueryRetrieveLevel',
            'StudyInstanceUID',
            'PatientID',
            'PatientName',
            'StudyDate',
            'AccessionNumber',
            'ModalitiesInStudy',
            'NumberOfStudyRelatedSeries',
            'NumberOfStudyRelatedInstances',
          ]),
        );
        const uid = textValue(id.StudyInstanceUID);
        const inStudy = rows.filter((r) => r.studyInstanceUid === uid);
        const first = inStudy[0]!;
        expect(textValue(id.QueryRetrieveLevel)).toBe('STUDY');
        expect(textValue(id.PatientID)).toBe(first.patientId);
        expect(textValue(id.PatientName)).toBe(first.patientNameUtf8);
        expect(textValue(id.StudyDate)).toBe(first.studyDate);
        expect(textValue(id.AccessionNumber)).toBe(first.accessionNumber);
        expect(sorted(textValues(id.ModalitiesInStudy))).toEqual(
          sorted(unique(inStudy.map((r) => r.modality))),
        );
        expect(Number(textValue(id.NumberOfStudyRelatedSeries))).toBe(
          unique(inStudy.map((r) => r.seriesInstanceUid)).length,
        );
        expect(Number(textValue(id.NumberOfStudyRelatedInstances))).toBe(inStudy.length);
      }
    });

    it('study root, STUDY level: date ranges (closed and open at either end) and exact dates', async () => {
      const dates = sorted(studies().map((s) => s.studyDate));
      const lo = dates[0]!;
      const hi = dates[dates.length - 1]!;
      const mid = dates[1]!;
      const expectDates = async (match: string, expected: string[]): Promise<void> => {
        const run = await findscu('-S', [
          'QueryRetrieveLevel=STUDY',
          `StudyDate=${match}`,
          'StudyInstanceUID',
        ]);
        expect(run.log).toContain('Success');
        expect(column(run, 'StudyDate'), match).toEqual(sorted(expected));
      };
      await expectDates(`${lo}-${hi}`, dates);
      await expectDates(
        `${mid}-`,
        dates.filter((d) => d >= mid),
      );
      await expectDates(
        `-${mid}`,
        dates.filter((d) => d <= mid),
      );
      await expectDates(
        mid,
        dates.filter((d) => d === mid),
      );
      await expectDates('19000101-19001231', []);
    });

    it('study root, STUDY level: wildcards on PatientName (case-insensitive) and PatientID', async () => {
      const target = studies()[0]!;
      const prefix = target.patientNameUtf8.slice(0, 3);
      const byName = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        `PatientName=${prefix.toLowerCase()}*`,
      ]);
      const expected = studies().filter((s) =>
        s.patientNameUtf8.toLowerCase().startsWith(prefix.toLowerCase()),
      );
      expect(byName.identifiers.length).toBe(expected.length);
      expect(unique(column(byName, 'PatientName'))).toEqual(
        sorted(unique(expected.map((s) => s.patientNameUtf8))),
      );

      const id = target.patientId;
      const pattern = `${id.slice(0, -1)}?`;
      const byId = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        `PatientID=${pattern}`,
        'StudyInstanceUID',
      ]);
      expect(column(byId, 'StudyInstanceUID')).toEqual(
        sorted(
          studies()
            .filter((s) => s.patientId.startsWith(id.slice(0, -1)) && s.patientId.length === id.length)
            .map((s) => s.studyInstanceUid),
        ),
      );
      const none = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'PatientID=NOBODY*']);
      expect(none.identifiers).toEqual([]);
      expect(none.log).toContain('Received Final Find Response (Success)');
    });

    it('study root, SERIES level: a list of StudyInstanceUIDs, with Modality and instance counts', async () => {
      const [a, b] = studies();
      const run = await findscu('-S', [
        'QueryRetrieveLevel=SERIES',
        `StudyInstanceUID=${a!.studyInstanceUid}\\${b!.studyInstanceUid}`,
        'SeriesInstanceUID',
        'Modality',
        'NumberOfSeriesRelatedInstances',
      ]);
      const wanted = rows.filter(
        (r) => r.studyInstanceUid === a!.studyInstanceUid || r.studyInstanceUid === b!.studyInstanceUid,
      );
      expect(column(run, 'SeriesInstanceUID')).toEqual(
        sorted(unique(wanted.map((r) => r.seriesInstanceUid))),
      );
      for (const id of run.identifiers) {
        const inSeries = rows.filter((r) => r.seriesInstanceUid === textValue(id.SeriesInstanceUID));
        expect(textValue(id.QueryRetrieveLevel)).toBe('SERIES');
        expect(textValue(id.Modality)).toBe(inSeries[0]!.modality);
        expect(Number(textValue(id.NumberOfSeriesRelatedInstances))).toBe(inSeries.length);
      }
    });

    it('study root, IMAGE level: the instances of one series, and a SOPInstanceUID list', async () => {
      const series = rows[0]!;
      const run = await findscu('-S', [
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${series.studyInstanceUid}`,
        `SeriesInstanceUID=${series.seriesInstanceUid}`,
        'SOPInstanceUID',
        'SOPClassUID',
        'InstanceNumber',
      ]);
      const inSeries = rows.filter((r) => r.seriesInstanceUid === series.seriesInstanceUid);
      expect(column(run, 'SOPInstanceUID')).toEqual(sorted(inSeries.map((r) => r.sopInstanceUid)));
      expect(unique(column(run, 'SOPClassUID'))).toEqual(unique(inSeries.map((r) => r.sopClassUid)));

      const pick = [rows[0]!, rows[rows.length - 1]!];
      const byList = await findscu('-S', [
        'QueryRetrieveLevel=IMAGE',
        `SOPInstanceUID=${pick.map((r) => r.sopInstanceUid).join('\\')}`,
        'SeriesInstanceUID',
      ]);
      expect(column(byList, 'SOPInstanceUID')).toEqual(sorted(pick.map((r) => r.sopInstanceUid)));
      expect(column(byList, 'SeriesInstanceUID')).toEqual(sorted(pick.map((r) => r.seriesInstanceUid)));
    });

    it('patient root, at each level: PATIENT with counts, then STUDY, SERIES and IMAGE under one patient', async () => {
      const patients = await findscu('-P', [
        'QueryRetrieveLevel=PATIENT',
        'PatientID',
        'PatientName',
        'NumberOfPatientRelatedStudies',
        'NumberOfPatientRelatedInstances',
      ]);
      expect(column(patients, 'PatientID')).toEqual(sorted(unique(rows.map((r) => r.patientId))));
      for (const id of patients.identifiers) {
        const own = rows.filter((r) => r.patientId === textValue(id.PatientID));
        expect(textValue(id.PatientName)).toBe(own[0]!.patientNameUtf8);
        expect(Number(textValue(id.NumberOfPatientRelatedStudies))).toBe(
          unique(own.map((r) => r.studyInstanceUid)).length,
        );
        expect(Number(textValue(id.NumberOfPatientRelatedInstances))).toBe(own.length);
      }

      const patient = rows[0]!.patientId;
      const own = rows.filter((r) => r.patientId === patient);
      const studyRun = await findscu('-P', [
        'QueryRetrieveLevel=STUDY',
        `PatientID=${patient}`,
        'StudyInstanceUID',
      ]);
      expect(column(studyRun, 'StudyInstanceUID')).toEqual(
        sorted(unique(own.map((r) => r.studyInstanceUid))),
      );

      const modality = own[0]!.modality;
      const seriesRun = await findscu('-P', [
        'QueryRetrieveLevel=SERIES',
        `PatientID=${patient}`,
        `StudyInstanceUID=${own[0]!.studyInstanceUid}`,
        `Modality=${modality}`,
        'SeriesInstanceUID',
      ]);
      expect(column(seriesRun, 'SeriesInstanceUID')).toEqual(
        sorted(
          unique(
            own
              .filter((r) => r.studyInstanceUid === own[0]!.studyInstanceUid && r.modality === modality)
              .map((r) => r.seriesInstanceUid),
          ),
        ),
      );

      const imageRun = await findscu('-P', [
        'QueryRetrieveLevel=IMAGE',
        `PatientID=${patient}`,
        `StudyInstanceUID=${own[0]!.studyInstanceUid}`,
        `SeriesInstanceUID=${own[0]!.seriesInstanceUid}`,
        'SOPInstanceUID',
      ]);
      expect(column(imageRun, 'SOPInstanceUID')).toEqual(
        sorted(
          own.filter((r) => r.seriesInstanceUid === own[0]!.seriesInstanceUid).map((r) => r.sopInstanceUid),
        ),
      );
    });

    it('refuses an identifier that does not fit the information model (0xA900), and keeps serving', async () => {
      const patientLevelInStudyRoot = await findscu('-S', ['QueryRetrieveLevel=PATIENT', 'PatientID']);
      expect(patientLevelInStudyRoot.identifiers).toEqual([]);
      expect(patientLevelInStudyRoot.log).toMatch(
        /Final Find Response \((Error|Failed): DataSetDoesNotMatchSOPClass/,
      );
      const noLevel = await findscu('-S', ['PatientID']);
      expect(noLevel.log).toMatch(/Final Find Response \((Error|Failed): DataSetDoesNotMatchSOPClass/);
      const fine = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'StudyInstanceUID']);
      expect(fine.identifiers.length).toBe(studies().length);
    });

    it('Modality Worklist: an ORM^O01 over MLLP is found by findscu -W, by modality, station date and patient', async () => {
      const send = async (text: string): Promise<void> => {
        const [ack] = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [text]);
        expect(readAck(ack!).code).toBe('AA');
        await f.engine.drain();
      };
      await send(
        radiologyOrm({
          controlId: 'FIND-MWL-1',
          control: 'NW',
          placer: 'FIND-1',
          accession: 'FINDACC1',
          mrn: 'FIND-MRN',
          start: '20260302093000',
        }),
      );
      await send(
        radiologyOrm({
          controlId: 'FIND-MWL-2',
          control: 'NW',
          placer: 'FIND-2',
          accession: 'FINDACC2',
          mrn: 'FIND-MRN2',
          section: 'MR',
          start: '20260305100000',
        }),
      );

      const worklistKeys = (step: readonly string[], top: readonly string[] = []): string[] => [
        'PatientName',
        'PatientID',
        'AccessionNumber',
        'StudyInstanceUID',
        'RequestedProcedureDescription',
        'ScheduledProcedureStepSequence[0].ScheduledStationAETitle',
        'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime',
        'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID',
        ...step,
        ...top,
      ];
      const ct = await findscu(
        '-W',
        worklistKeys([
          'ScheduledProcedureStepSequence[0].Modality=CT',
          'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20260301-20260303',
        ]),
      );
      expect(ct.log).toContain('Received Final Find Response (Success)');
      expect(ct.identifiers).toHaveLength(1);
      const item = ct.identifiers[0]!;
      expect(textValue(item.AccessionNumber)).toBe('FINDACC1');
      expect(textValue(item.PatientID)).toBe('FIND-MRN');
      expect(textValue(item.PatientName)).toBe('DOE^JANE^Q^MRS');
      expect(textValue(item.StudyInstanceUID)).not.toBe('');
      const steps = item.ScheduledProcedureStepSequence as Identifier[];
      expect(steps).toHaveLength(1);
      expect(textValue(steps[0]!.Modality)).toBe('CT');
      expect(textValue(steps[0]!.ScheduledProcedureStepStartDate)).toBe('20260302');
      expect(textValue(steps[0]!.ScheduledProcedureStepStartTime)).toBe('093000');
      // Keys that were not asked for do not come back.
      expect('PatientBirthDate' in item).toBe(false);
      expect('ScheduledProcedureStepDescription' in steps[0]!).toBe(false);

      const both = await findscu(
        '-W',
        worklistKeys(['ScheduledProcedureStepSequence[0].Modality'], ['PatientID=FIND-MRN*']),
      );
      expect(column(both, 'AccessionNumber')).toEqual(['FINDACC1', 'FINDACC2']);
      const mr = await findscu('-W', worklistKeys(['ScheduledProcedureStepSequence[0].Modality=MR']));
      expect(column(mr, 'AccessionNumber')).toEqual(['FINDACC2']);
      const nothing = await findscu(
        '-W',
        worklistKeys(['ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20250101']),
      );
      expect(nothing.identifiers).toEqual([]);
      expect(nothing.log).toContain('Received Final Find Response (Success)');

      await send(radiologyOrm({ controlId: 'FIND-MWL-3', control: 'CA', placer: 'FIND-1', mrn: 'FIND-MRN' }));
      const afterCancel = await findscu(
        '-W',
        worklistKeys(['ScheduledProcedureStepSequence[0].Modality'], ['PatientID=FIND-MRN*']),
      );
      expect(column(afterCancel, 'AccessionNumber')).toEqual(['FINDACC2']);
    });
  });
}
