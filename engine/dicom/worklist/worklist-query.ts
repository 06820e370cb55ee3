/**
 * The Modality Worklist query (C-FIND MWL, PS3.4 K.6): SCHEDULED items matching a filter, as
 * naturalized DICOM datasets (keyword -> value, sequences as arrays) for the C-FIND SCP to send.
 * Matching (query-match.ts): `*` and `?` wildcards on patientName (case-insensitive) and
 * patientId; accessionNumber, modality and scheduledStationAeTitle single values (wildcards too);
 * scheduledDate an inclusive YYYYMMDD range on ScheduledProcedureStepStartDate, open at either end
 * (an item without a scheduled date never matches a date range). Attributes not sent in the order
 * come back as '' (zero length: type 2). Ordered by scheduled date and time.
 */
import type { SqlQueryable } from '../../db/sql.ts';
import { SqlConditions } from '../query-match.ts';

export type WorklistFilter = {
  patientId?: string;
  patientName?: string;
  accessionNumber?: string;
  modality?: string;
  scheduledStationAeTitle?: string;
  scheduledDate?: { from?: string; to?: string };
};

export interface ScheduledProcedureStep {
  readonly Modality: string;
  readonly ScheduledStationAETitle: string;
  readonly ScheduledProcedureStepStartDate: string;
  readonly ScheduledProcedureStepStartTime: string;
  readonly ScheduledProcedureStepID: string;
  readonly ScheduledProcedureStepDescription: string;
}

/** One worklist item as a naturalized DICOM dataset (PN as its string form family^given^...). */
export interface WorklistItemDataset {
  readonly PatientName: string;
  readonly PatientID: string;
  readonly PatientBirthDate: string;
  readonly PatientSex: string;
  readonly AccessionNumber: string;
  readonly ReferringPhysicianName: string;
  readonly StudyInstanceUID: string;
  readonly RequestedProcedureID: string;
  readonly RequestedProcedureDescription: string;
  readonly ScheduledProcedureStepSequence: readonly [ScheduledProcedureStep];
}

interface Row {
  patient_name: string | null;
  patient_id: string | null;
  patient_birth_date: string | null;
  patient_sex: string | null;
  accession_number: string;
  referring_physician_name: string | null;
  study_instance_uid: string;
  requested_procedure_id: string;
  requested_procedure_description: string | null;
  modality: string | null;
  scheduled_station_ae_title: string | null;
  scheduled_start_date: string | null;
  scheduled_start_time: string | null;
  scheduled_procedure_step_id: string;
  scheduled_procedure_step_description: string | null;
}

const v = (s: string | null): string => s ?? '';

function toDataset(r: Row): WorklistItemDataset {
  return {
    PatientName: v(r.patient_name),
    PatientID: v(r.patient_id),
    PatientBirthDate: v(r.patient_birth_date),
    PatientSex: v(r.patient_sex),
    AccessionNumber: r.accession_number,
    ReferringPhysicianName: v(r.referring_physician_name),
    StudyInstanceUID: r.study_instance_uid,
    RequestedProcedureID: r.requested_procedure_id,
    RequestedProcedureDescription: v(r.requested_procedure_description),
    ScheduledProcedureStepSequence: [
      {
        Modality: v(r.modality),
        ScheduledStationAETitle: v(r.scheduled_station_ae_title),
        ScheduledProcedureStepStartDate: v(r.scheduled_start_date),
        ScheduledProcedureStepStartTime: v(r.scheduled_start_time),
        ScheduledProcedureStepID: r.scheduled_procedure_step_id,
        ScheduledProcedureStepDescription: v(r.scheduled_procedure_step_description),
      },
    ],
  };
}

export async function findWorklistItems(
  db: SqlQueryable,
  filter: WorklistFilter,
): Promise<WorklistItemDataset[]> {
  const c = new SqlConditions();
  c.add(`status = 'SCHEDULED'`);
  c.text('patient_id', filter.patientId);
  c.personName('patient_name', filter.patientName);
  c.text('accession_number', filter.accessionNumber);
  c.text('modality', filter.modality);
  c.text('scheduled_station_ae_title', filter.scheduledStationAeTitle);
  c.date('scheduled_start_date', filter.scheduledDate);
  const { rows } = await db.query<Row>(
    `SELECT patient_name, patient_id, patient_birth_date, patient_sex, accession_number, referring_physician_name,
       study_instance_uid, COALESCE(requested_procedure_id, accession_number) AS requested_procedure_id,
       requested_procedure_description, modality, scheduled_station_ae_title, scheduled_start_date,
       scheduled_start_time,
       COALESCE(scheduled_procedure_step_id, requested_procedure_id, accession_number) AS scheduled_procedure_step_id,
       scheduled_procedure_step_description
     FROM worklist_items ${c.where()}
     ORDER BY scheduled_start_date NULLS LAST, scheduled_start_time NULLS LAST, id`,
    c.params,
  );
  return rows.map(toDataset);
}
