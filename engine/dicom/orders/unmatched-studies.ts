/**
 * The studies no order claims: those whose last match attempt failed (with its reason) and those
 * of the index never tried yet (reason `pending`). Read from dicom_studies outward, so a study is
 * listed until it matches, whatever happened to its match attempt.
 */
import type { SqlQueryable } from '../../db/sql.ts';

export interface UnmatchedStudy {
  readonly studyInstanceUid: string;
  readonly accessionNumber: string | null;
  readonly patientId: string;
  readonly studyDate: string | null;
  readonly modalitiesInStudy: readonly string[];
  readonly numberOfInstances: number;
  /** find-order.ts UnmatchedReason, or 'pending' when no attempt was recorded. */
  readonly reason: string;
  readonly receivedAt: string;
  readonly attemptedAt: string | null;
}

interface Row {
  study_instance_uid: string;
  accession_number: string | null;
  patient_id: string;
  study_date: string | null;
  modalities_in_study: string[];
  instances: number;
  reason: string | null;
  created_at: Date | string;
  attempted_at: Date | string | null;
}

const iso = (v: Date | string): string => new Date(v).toISOString();

export async function unmatchedStudies(
  db: SqlQueryable,
  page: { readonly limit: number; readonly offset: number },
): Promise<UnmatchedStudy[]> {
  const { rows } = await db.query<Row>(
    `SELECT s.study_instance_uid, s.accession_number, s.patient_id, s.study_date, s.modalities_in_study,
       (SELECT count(*) FROM dicom_instances i WHERE i.study_instance_uid = s.study_instance_uid)::integer AS instances,
       o.reason, s.created_at, o.attempted_at
     FROM dicom_studies s LEFT JOIN dicom_study_orders o ON o.study_instance_uid = s.study_instance_uid
     WHERE o.matched_at IS NULL
     ORDER BY s.created_at, s.study_instance_uid
     LIMIT $1::integer OFFSET $2::integer`,
    [page.limit, page.offset],
  );
  return rows.map((r) => ({
    studyInstanceUid: r.study_instance_uid,
    accessionNumber: r.accession_number,
    patientId: r.patient_id,
    studyDate: r.study_date,
    modalitiesInStudy: r.modalities_in_study,
    numberOfInstances: r.instances,
    reason: r.reason ?? 'pending',
    receivedAt: iso(r.created_at),
    attemptedAt: r.attempted_at === null ? null : iso(r.attempted_at),
  }));
}
