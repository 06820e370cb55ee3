/**
 * The worklist store on the real databases (PGlite and PostgreSQL): NW creates a SCHEDULED item,
 * XO updates it, CA (ORC-1) and ORC-5 CA take it off the worklist, a cancel for an unknown order is
 * recorded and flagged, and findWorklistItems filters by patient, accession, modality, station AE
 * title and date range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../db/sql.ts';
import { Hl7Message } from '../../hl7/message.ts';
import { testDatabases, type TestDbHandle } from '../../../test/support/databases.ts';
import { applyWorklist } from './apply-worklist.ts';
import { planWorklist } from './plan-worklist.ts';
import { studyUidForAccession } from './study-uid.ts';
import { radiologyOrm, type RadiologyOrderSpec } from './testing/worklist-messages.ts';
import type { WorklistOutcome, WorklistPlanOptions } from './types.ts';
import { findWorklistItems } from './worklist-query.ts';

const OPTIONS: WorklistPlanOptions = {
  modalities: { RAD: 'CR' },
  defaultModality: null,
  stationAeTitles: { CT: 'CT_ROOM1', MR: 'MR_ROOM1' },
};

for (const target of await testDatabases()) {
  describe(`worklist store on ${target.name}`, () => {
    let handle: TestDbHandle;
    let db: SqlClient;
    let nextId = 5000;

    beforeAll(async () => {
      handle = await target.open();
      db = handle.db;
    });
    afterAll(async () => handle?.close());

    const send = (spec: RadiologyOrderSpec): Promise<WorklistOutcome> =>
      db.transaction((tx) =>
        applyWorklist(tx, planWorklist(Hl7Message.parse(radiologyOrm(spec)), OPTIONS), String(nextId++)),
      );
    const codes = (o: WorklistOutcome) => o.flags.map((f) => f.code);
    const row = async (placer: string) =>
      (
        await db.query<Record<string, string | null>>(
          `SELECT status, accession_number, modality, scheduled_start_date, scheduled_start_time, patient_name,
             order_control, created_message_id::text AS created, last_message_id::text AS last
           FROM worklist_items WHERE placer_number = $1`,
          [placer],
        )
      ).rows;

    it('NW creates a SCHEDULED item returned as a DICOM worklist dataset', async () => {
      const out = await send({ controlId: 'W1', control: 'NW', placer: 'P100', accession: 'A100' });
      expect(codes(out)).toEqual([]);
      expect(out.items).toEqual([
        { id: expect.any(String), accessionNumber: 'A100', status: 'SCHEDULED', created: true },
      ]);
      const found = await findWorklistItems(db, { accessionNumber: 'A100' });
      expect(found).toEqual([
        {
          PatientName: 'DOE^JANE^Q^MRS',
          PatientID: 'MRN100',
          PatientBirthDate: '19750412',
          PatientSex: 'F',
          AccessionNumber: 'A100',
          ReferringPhysicianName: 'WELBY^MARCUS^J^DR^JR',
          StudyInstanceUID: studyUidForAccession('A100'),
          RequestedProcedureID: 'RP-A100',
          RequestedProcedureDescription: 'CT head without contrast',
          ScheduledProcedureStepSequence: [
            {
              Modality: 'CT',
              ScheduledStationAETitle: 'CT_ROOM1',
              ScheduledProcedureStepStartDate: '20260302',
              ScheduledProcedureStepStartTime: '093000',
              ScheduledProcedureStepID: 'SPS-A100',
              ScheduledProcedureStepDescription: 'CT head without contrast',
            },
          ],
        },
      ]);
    });

    it('XO updates the same item (time, description); an ORC-only CA takes it off the worklist', async () => {
      await send({
        controlId: 'W2',
        control: 'NW',
        placer: 'P200',
        accession: 'A200',
        start: '20260305080000',
      });
      const xo = await send({
        controlId: 'W3',
        control: 'XO',
        placer: 'P200',
        accession: 'A200',
        start: '20260305141500',
        description: 'CT head with contrast',
      });
      expect(codes(xo)).toEqual([]);
      expect(xo.items).toMatchObject([{ status: 'SCHEDULED', created: false }]);
      const [updated] = await findWorklistItems(db, { accessionNumber: 'A200' });
      expect(updated!.ScheduledProcedureStepSequence[0]).toMatchObject({
        ScheduledProcedureStepStartDate: '20260305',
        ScheduledProcedureStepStartTime: '141500',
        ScheduledProcedureStepDescription: 'CT head with contrast',
      });
      expect(await row('P200')).toHaveLength(1);

      const ca = await send({ controlId: 'W4', control: 'CA', placer: 'P200', withObr: false });
      expect(codes(ca)).toEqual([]);
      expect(ca.items).toMatchObject([{ status: 'CANCELLED', accessionNumber: 'A200', created: false }]);
      expect(await findWorklistItems(db, { accessionNumber: 'A200' })).toEqual([]);
      // kept, with what the NW and XO said, and the messages that made and last changed it
      expect(await row('P200')).toEqual([
        {
          status: 'CANCELLED',
          accession_number: 'A200',
          modality: 'CT',
          scheduled_start_date: '20260305',
          scheduled_start_time: '141500',
          patient_name: 'DOE^JANE^Q^MRS',
          order_control: 'CA',
          created: expect.any(String),
          last: expect.any(String),
        },
      ]);
      // a late NW for the cancelled order does not bring it back
      const late = await send({ controlId: 'W5', control: 'NW', placer: 'P200', accession: 'A200' });
      expect(codes(late)).toEqual(['NEW_AFTER_END']);
      expect(await findWorklistItems(db, { accessionNumber: 'A200' })).toEqual([]);
    });

    it('ORC-5 CA under XO cancels too; HD holds and RL releases', async () => {
      await send({ controlId: 'W6', control: 'NW', placer: 'P300', accession: 'A300' });
      await send({ controlId: 'W7', control: 'HD', placer: 'P300', withObr: false });
      expect(await findWorklistItems(db, { accessionNumber: 'A300' })).toEqual([]);
      await send({ controlId: 'W8', control: 'RL', placer: 'P300', withObr: false });
      expect(await findWorklistItems(db, { accessionNumber: 'A300' })).toHaveLength(1);
      const xo = await send({
        controlId: 'W9',
        control: 'XO',
        placer: 'P300',
        statusCode: 'CA',
        withObr: false,
      });
      expect(xo.items).toMatchObject([{ status: 'CANCELLED' }]);
      expect(await findWorklistItems(db, { accessionNumber: 'A300' })).toEqual([]);
    });

    it('a CA for an unknown order is recorded CANCELLED and flagged, never dropped', async () => {
      const out = await send({ controlId: 'W10', control: 'CA', placer: 'P404', withObr: false });
      expect(codes(out)).toEqual(['CANCEL_UNKNOWN_ORDER']);
      expect(out.items).toMatchObject([{ status: 'CANCELLED', accessionNumber: 'P404', created: true }]);
      expect(await row('P404')).toMatchObject([{ status: 'CANCELLED', accession_number: 'P404' }]);
      expect(await findWorklistItems(db, { accessionNumber: 'P404' })).toEqual([]);
    });

    it('an order without a modality is flagged and not scheduled; one without OBR-18 uses its order number', async () => {
      const lab = await send({ controlId: 'W11', control: 'NW', placer: 'P500', section: 'HM' });
      expect(codes(lab)).toEqual(['MODALITY_UNMAPPED', 'NOT_SCHEDULED_NO_MODALITY']);
      expect(lab.items).toEqual([]);
      expect(await row('P500')).toEqual([]);
      const noAccession = await send({ controlId: 'W12', control: 'NW', placer: 'P501', section: 'RAD' });
      expect(noAccession.items).toMatchObject([{ accessionNumber: 'P501', status: 'SCHEDULED' }]);
      const [item] = await findWorklistItems(db, { accessionNumber: 'P501' });
      expect(item).toMatchObject({
        RequestedProcedureID: 'P501',
        StudyInstanceUID: studyUidForAccession('P501'),
      });
      expect(item!.ScheduledProcedureStepSequence[0]).toMatchObject({
        Modality: 'CR',
        ScheduledStationAETitle: '',
        ScheduledProcedureStepID: 'P501',
      });
    });

    it('filters by patient name and id (wildcards), modality, station AE title and date range', async () => {
      await send({
        controlId: 'F1',
        control: 'NW',
        placer: 'Q1',
        accession: 'QA1',
        mrn: 'QM1',
        family: 'ZED',
        start: '20270110090000',
      });
      await send({
        controlId: 'F2',
        control: 'NW',
        placer: 'Q2',
        accession: 'QA2',
        mrn: 'QM2',
        family: 'ZEDD',
        section: 'MR',
        start: '20270111090000',
      });
      await send({
        controlId: 'F3',
        control: 'NW',
        placer: 'Q3',
        accession: 'QA3',
        mrn: 'QX3',
        family: 'YOUNG',
        start: '20270112090000',
      });
      const accessions = async (filter: Parameters<typeof findWorklistItems>[1]) =>
        (await findWorklistItems(db, filter)).map((i) => i.AccessionNumber);
      expect(await accessions({ patientName: 'zed*' })).toEqual(['QA1', 'QA2']);
      expect(await accessions({ patientName: 'ZED^JANE^Q^MRS' })).toEqual(['QA1']);
      expect(await accessions({ patientName: 'ZE?D*' })).toEqual(['QA2']);
      expect(await accessions({ patientId: 'QM?' })).toEqual(['QA1', 'QA2']);
      expect(await accessions({ patientId: 'QX3' })).toEqual(['QA3']);
      expect(await accessions({ patientId: 'Q*', modality: 'MR' })).toEqual(['QA2']);
      expect(await accessions({ patientId: 'Q*', scheduledStationAeTitle: 'CT_ROOM1' })).toEqual([
        'QA1',
        'QA3',
      ]);
      expect(await accessions({ patientId: 'Q*', scheduledDate: { from: '20270111' } })).toEqual([
        'QA2',
        'QA3',
      ]);
      expect(await accessions({ patientId: 'Q*', scheduledDate: { to: '20270111' } })).toEqual([
        'QA1',
        'QA2',
      ]);
      expect(await accessions({ scheduledDate: { from: '20270111', to: '20270111' } })).toEqual(['QA2']);
      expect(await accessions({ patientId: 'Q*', modality: 'US' })).toEqual([]);
    });
  });
}
