/**
 * Writes a worklist plan inside the caller's transaction (the `worklist` destination's delivery).
 * An item is found by placer number + namespace, else by filler number, and created when unknown.
 * Values sent replace stored ones, values not sent keep them (an ORC-only CA changes the status
 * alone). Flags, never a silent drop:
 * - CANCEL_UNKNOWN_ORDER: a cancel for an order never seen is recorded as a CANCELLED row.
 * - NEW_AFTER_END: NW for a cancelled or completed order; the status is not changed.
 * - NOT_SCHEDULED_NO_MODALITY: a new order whose modality is unknown is not a worklist item.
 * - ORDER_NUMBER_CONFLICT: placer and filler numbers name two items; the placer's wins.
 */
import type { SqlQueryable } from '../../db/sql.ts';
import { studyUidForAccession } from './study-uid.ts';
import type {
  PlannedWorklistItem,
  WorklistFlag,
  WorklistOrderNumber,
  WorklistOutcome,
  WorklistPlan,
  WorklistStatus,
} from './types.ts';

interface ItemRow {
  id: string;
  status: WorklistStatus;
  accession_number: string;
}

async function findBy(
  tx: SqlQueryable,
  kind: 'placer' | 'filler',
  n: WorklistOrderNumber | null,
): Promise<ItemRow | null> {
  if (!n) return null;
  const { rows } = await tx.query<ItemRow>(
    `SELECT id::text AS id, status, accession_number FROM worklist_items
     WHERE ${kind}_namespace = $1 AND ${kind}_number = $2 ORDER BY id LIMIT 1 FOR UPDATE`,
    [n.namespace, n.number],
  );
  return rows[0] ?? null;
}

const label = (o: PlannedWorklistItem): string =>
  o.placer ? `placer number ${o.placer.number}` : `filler number ${o.filler!.number}`;

const ENDED: ReadonlySet<WorklistStatus> = new Set(['CANCELLED', 'COMPLETED']);

/** The columns a message sets, in the order of the INSERT and UPDATE parameters ($4..$20). */
function values(o: PlannedWorklistItem): unknown[] {
  return [
    o.filler?.namespace ?? null,
    o.filler?.number ?? null,
    o.requestedProcedureId,
    o.requestedProcedureDescription,
    o.scheduledProcedureStepId,
    o.scheduledProcedureStepDescription,
    o.modality,
    o.scheduledStationAeTitle,
    o.scheduledStartDate,
    o.scheduledStartTime,
    o.patientId,
    o.patientName,
    o.patientBirthDate,
    o.patientSex,
    o.referringPhysicianName,
    o.orderControl,
    o.orderStatusCode,
  ];
}

async function insertItem(
  tx: SqlQueryable,
  o: PlannedWorklistItem,
  status: WorklistStatus,
  messageId: string,
): Promise<WorklistOutcome['items'][number]> {
  const accession = o.accessionNumber ?? o.filler?.number ?? o.placer!.number;
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO worklist_items (placer_namespace, placer_number, accession_number, filler_namespace, filler_number,
       requested_procedure_id, requested_procedure_description, scheduled_procedure_step_id,
       scheduled_procedure_step_description, modality, scheduled_station_ae_title, scheduled_start_date,
       scheduled_start_time, patient_id, patient_name, patient_birth_date, patient_sex, referring_physician_name,
       order_control, order_status_code, status, study_instance_uid, created_message_id, last_message_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)
     RETURNING id::text AS id`,
    [
      o.placer?.namespace ?? null,
      o.placer?.number ?? null,
      accession,
      ...values(o),
      status,
      studyUidForAccession(accession),
      messageId,
    ],
  );
  return { id: rows[0]!.id, accessionNumber: accession, status, created: true };
}

async function updateItem(
  tx: SqlQueryable,
  found: ItemRow,
  o: PlannedWorklistItem,
  status: WorklistStatus,
  messageId: string,
): Promise<WorklistOutcome['items'][number]> {
  const accession = o.accessionNumber ?? found.accession_number;
  await tx.query(
    `UPDATE worklist_items SET
       placer_namespace = COALESCE(placer_namespace, $2), placer_number = COALESCE(placer_number, $3),
       accession_number = $4, filler_namespace = COALESCE($5, filler_namespace),
       filler_number = COALESCE($6, filler_number),
       requested_procedure_id = COALESCE($7, requested_procedure_id),
       requested_procedure_description = COALESCE($8, requested_procedure_description),
       scheduled_procedure_step_id = COALESCE($9, scheduled_procedure_step_id),
       scheduled_procedure_step_description = COALESCE($10, scheduled_procedure_step_description),
       modality = COALESCE($11, modality), scheduled_station_ae_title = COALESCE($12, scheduled_station_ae_title),
       scheduled_start_date = COALESCE($13, scheduled_start_date),
       scheduled_start_time = CASE WHEN $13::text IS NULL THEN scheduled_start_time ELSE $14 END,
       patient_id = COALESCE($15, patient_id), patient_name = COALESCE($16, patient_name),
       patient_birth_date = COALESCE($17, patient_birth_date), patient_sex = COALESCE($18, patient_sex),
       referring_physician_name = COALESCE($19, referring_physician_name),
       order_control = COALESCE($20, order_control), order_status_code = COALESCE($21, order_status_code),
       status = $22, study_instance_uid = $23, updated_at = now(), last_message_id = $24
     WHERE id = $1`,
    [
      found.id,
      o.placer?.namespace ?? null,
      o.placer?.number ?? null,
      accession,
      ...values(o),
      status,
      studyUidForAccession(accession),
      messageId,
    ],
  );
  return { id: found.id, accessionNumber: accession, status, created: false };
}

async function applyItem(
  tx: SqlQueryable,
  o: PlannedWorklistItem,
  messageId: string,
  flags: WorklistFlag[],
): Promise<WorklistOutcome['items'][number] | null> {
  const byPlacer = await findBy(tx, 'placer', o.placer);
  const byFiller = await findBy(tx, 'filler', o.filler);
  if (byPlacer && byFiller && byPlacer.id !== byFiller.id) {
    flags.push({
      code: 'ORDER_NUMBER_CONFLICT',
      detail: `placer number names worklist item ${byPlacer.id}, filler number item ${byFiller.id}: placer wins`,
    });
  }
  const found = byPlacer ?? byFiller;
  if (!found) {
    if (o.status === 'CANCELLED') {
      flags.push({
        code: 'CANCEL_UNKNOWN_ORDER',
        detail: `ORC-1 ${o.orderControl ?? ''} ORC-5 ${o.orderStatusCode ?? ''} for ${label(o)}, never scheduled: recorded as CANCELLED`,
      });
      return insertItem(tx, o, 'CANCELLED', messageId);
    }
    if (o.modality === null) {
      flags.push({
        code: 'NOT_SCHEDULED_NO_MODALITY',
        detail: `${label(o)}: OBR-24 gives no modality and no defaultModality is set: not a worklist item`,
      });
      return null;
    }
    return insertItem(tx, o, o.status ?? 'SCHEDULED', messageId);
  }
  let status = o.status ?? found.status;
  if (o.orderControl === 'NW' && ENDED.has(found.status)) {
    flags.push({
      code: 'NEW_AFTER_END',
      detail: `ORC-1 NW for worklist item ${found.id}, which is ${found.status}: status not changed`,
    });
    status = found.status;
  }
  return updateItem(tx, found, o, status, messageId);
}

export async function applyWorklist(
  tx: SqlQueryable,
  plan: WorklistPlan,
  messageId: string,
): Promise<WorklistOutcome> {
  const flags = [...plan.flags];
  const items: WorklistOutcome['items'][number][] = [];
  for (const o of plan.items) {
    const item = await applyItem(tx, o, messageId, flags);
    if (item) items.push(item);
  }
  return { items, flags };
}
