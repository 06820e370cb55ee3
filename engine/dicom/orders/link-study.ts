/**
 * One pass of "orders meet images" for one study, in one transaction: match the study to its order
 * while it is unmatched (find-order.ts), record the outcome in dicom_study_orders, move a newly
 * matched HMS order to `images-received` (with a status history row), and write the study's FHIR
 * ImagingStudy from the index as it is now (a conditional PUT: a pass that changes nothing makes
 * no new version). The Bundle is validated first: an invalid one rolls the whole pass back.
 */
import { assertValidBundle } from '../../../mappings/validation/validate-bundle.ts';
import type { SqlQueryable } from '../../db/sql.ts';
import { applyTransaction, type TransactionEntryOutcome } from '../../fhir/fhir-store.ts';
import type { Reference } from '../../fhir/types.ts';
import { ENDED_ORDER_STATUSES } from '../../hms/order-status.ts';
import { findOrderForStudy, type OrderMatch } from './find-order.ts';
import {
  imagingStudyBundle,
  patientByDicomId,
  type SeriesForFhir,
  type StudyForFhir,
} from './imaging-study.ts';

/** hms_orders.status once a matched study has arrived. */
export const IMAGES_RECEIVED = 'images-received';

/**
 * applyTransaction records the message a version came from; an ImagingStudy comes from DIMSE, not
 * from a message, so its versions name message 0 (no message store id is 0).
 */
const NO_MESSAGE_ID = '0';

/** First key of the advisory lock taken per study (the second is a hash of its UID). */
const LOCK_NAMESPACE = 0x0d1c0011;

export interface LinkStudyOptions {
  readonly defaultTimezone: string;
}

export interface LinkOutcome {
  readonly matched: boolean;
  readonly newlyMatched: boolean;
  readonly imagingStudy: TransactionEntryOutcome['outcome'];
  readonly imagingStudyId: string;
}

interface StudyRow {
  patient_id: string;
  accession_number: string | null;
  study_date: string | null;
  study_time: string | null;
  study_description: string | null;
}

interface LinkRow {
  order_id: string | null;
  service_request_id: string | null;
  matched_at: Date | string | null;
}

interface InstanceRow {
  series_instance_uid: string;
  modality: string | null;
  series_number: number | null;
  series_description: string | null;
  sop_instance_uid: string;
  sop_class_uid: string;
  instance_number: number | null;
}

async function loadStudy(tx: SqlQueryable, uid: string): Promise<StudyForFhir | null> {
  const study = (
    await tx.query<StudyRow>(
      `SELECT patient_id, accession_number, study_date, study_time, study_description
       FROM dicom_studies WHERE study_instance_uid = $1`,
      [uid],
    )
  ).rows[0];
  if (!study) return null;
  const { rows } = await tx.query<InstanceRow>(
    `SELECT se.series_instance_uid, se.modality, se.series_number, se.series_description,
       i.sop_instance_uid, i.sop_class_uid, i.instance_number
     FROM dicom_instances i JOIN dicom_series se ON se.series_instance_uid = i.series_instance_uid
     WHERE i.study_instance_uid = $1
     ORDER BY se.series_number NULLS LAST, se.series_instance_uid, i.instance_number NULLS LAST, i.sop_instance_uid`,
    [uid],
  );
  const series = new Map<string, SeriesForFhir & { instances: SeriesForFhir['instances'][number][] }>();
  for (const r of rows) {
    let s = series.get(r.series_instance_uid);
    if (!s) {
      s = {
        seriesInstanceUid: r.series_instance_uid,
        modality: r.modality,
        seriesNumber: r.series_number,
        seriesDescription: r.series_description,
        instances: [],
      };
      series.set(r.series_instance_uid, s);
    }
    s.instances.push({
      sopInstanceUid: r.sop_instance_uid,
      sopClassUid: r.sop_class_uid,
      instanceNumber: r.instance_number,
    });
  }
  return {
    studyInstanceUid: uid,
    patientId: study.patient_id,
    accessionNumber: study.accession_number,
    studyDate: study.study_date,
    studyTime: study.study_time,
    studyDescription: study.study_description,
    series: [...series.values()],
  };
}

async function recordMatch(tx: SqlQueryable, study: StudyForFhir, match: OrderMatch): Promise<void> {
  const matched = match.kind === 'matched';
  await tx.query(
    `INSERT INTO dicom_study_orders (study_instance_uid, accession_number, order_id, service_request_id,
       matched_at, reason, attempted_at)
     VALUES ($1, $2, $3::bigint, $4, CASE WHEN $5::boolean THEN now() END, $6, now())
     ON CONFLICT (study_instance_uid) DO UPDATE SET accession_number = EXCLUDED.accession_number,
       order_id = EXCLUDED.order_id, service_request_id = EXCLUDED.service_request_id,
       matched_at = EXCLUDED.matched_at, reason = EXCLUDED.reason, attempted_at = now()`,
    [
      study.studyInstanceUid,
      study.accessionNumber,
      matched ? match.orderId : null,
      matched ? match.serviceRequestId : null,
      matched,
      matched ? null : match.reason,
    ],
  );
  if (!matched || match.orderId === null) return;
  const status = match.orderStatus;
  // An order revoked, completed or entered in error keeps its status: images do not reopen it.
  if (status === IMAGES_RECEIVED || (status !== null && ENDED_ORDER_STATUSES.has(status))) return;
  await tx.query(`UPDATE hms_orders SET status = $2, updated_at = now() WHERE id = $1::bigint`, [
    match.orderId,
    IMAGES_RECEIVED,
  ]);
  await tx.query(
    `INSERT INTO hms_order_status_history (order_id, status, order_control, order_status_code, changed_at, message_id)
     VALUES ($1::bigint, $2, NULL, NULL, now(), NULL)`,
    [match.orderId, IMAGES_RECEIVED],
  );
}

/** A Patient of the FHIR store whose identifier value is the DICOM PatientID, when exactly one is. */
async function patientByIdentifierValue(tx: SqlQueryable, patientId: string): Promise<Reference | null> {
  if (patientId.trim() === '') return null;
  const { rows } = await tx.query<{ id: string }>(
    `SELECT DISTINCT id FROM fhir_identifiers WHERE resource_type = 'Patient' AND value = $1 LIMIT 2`,
    [patientId.trim()],
  );
  return rows.length === 1 ? { reference: `Patient/${rows[0]!.id}` } : null;
}

/** Runs one pass for `studyInstanceUid` in `tx`; null when the study is not (or no longer) indexed. */
export async function linkStudy(
  tx: SqlQueryable,
  studyInstanceUid: string,
  options: LinkStudyOptions,
): Promise<LinkOutcome | null> {
  // Serialises passes over one study across engine nodes. An advisory lock, not a row lock on
  // dicom_studies: every C-STORE of the study updates that row and must not wait for this pass.
  await tx.query('SELECT pg_advisory_xact_lock($1::integer, hashtext($2))', [
    LOCK_NAMESPACE,
    studyInstanceUid,
  ]);
  const study = await loadStudy(tx, studyInstanceUid);
  if (!study) return null;
  const link = (
    await tx.query<LinkRow>(
      `SELECT order_id::text AS order_id, service_request_id, matched_at FROM dicom_study_orders
       WHERE study_instance_uid = $1`,
      [studyInstanceUid],
    )
  ).rows[0];
  let matched = link?.matched_at != null;
  let newlyMatched = false;
  let serviceRequestId = link?.service_request_id ?? null;
  let subjectReference: string | null = null;
  if (!matched) {
    const match = await findOrderForStudy(tx, study);
    await recordMatch(tx, study, match);
    if (match.kind === 'matched') {
      matched = newlyMatched = true;
      serviceRequestId = match.serviceRequestId;
      subjectReference = match.subjectReference;
    }
  } else if (serviceRequestId !== null) {
    const sr = await tx.query<{ subject: string | null }>(
      `SELECT resource->'subject'->>'reference' AS subject FROM fhir_resources
       WHERE resource_type = 'ServiceRequest' AND id = $1 AND NOT deleted`,
      [serviceRequestId],
    );
    subjectReference = sr.rows[0]?.subject ?? null;
  }
  const subject: Reference = subjectReference
    ? { reference: subjectReference }
    : ((await patientByIdentifierValue(tx, study.patientId)) ?? patientByDicomId(study.patientId));
  const bundle = imagingStudyBundle(study, {
    subject,
    basedOn: serviceRequestId ? `ServiceRequest/${serviceRequestId}` : null,
    defaultTimezone: options.defaultTimezone,
  });
  assertValidBundle(bundle);
  const outcome = await applyTransaction(tx, bundle, { messageId: NO_MESSAGE_ID });
  const entry = outcome.entries[0]!;
  await tx.query('UPDATE dicom_study_orders SET imaging_study_id = $2 WHERE study_instance_uid = $1', [
    studyInstanceUid,
    entry.id,
  ]);
  return { matched, newlyMatched, imagingStudy: entry.outcome, imagingStudyId: entry.id };
}
