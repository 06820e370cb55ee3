/**
 * Orders and results. An order is found by placer number + namespace, else by filler number, and
 * created when unknown; a status change (order-status.ts) appends a history row. Results are keyed
 * by order + OBX-3 (system, code) + OBX-4: a resent, final or corrected result updates its row. A
 * preliminary result arriving after a final one is flagged and not applied (out of order).
 */
import type { SqlQueryable } from '../db/sql.ts';
import type { ApplyEnv } from './apply-patient.ts';
import { ENDED_ORDER_STATUSES } from './order-status.ts';
import type { OrderNumber, PlannedOrder, PlannedResult } from './types.ts';

interface OrderRow {
  id: string;
  status: string | null;
}

async function findBy(
  tx: SqlQueryable,
  kind: 'placer' | 'filler',
  n: OrderNumber | null,
): Promise<OrderRow | null> {
  if (!n) return null;
  const { rows } = await tx.query<OrderRow>(
    `SELECT id::text AS id, status FROM hms_orders WHERE ${kind}_namespace = $1 AND ${kind}_number = $2
     ORDER BY id LIMIT 1 FOR UPDATE`,
    [n.namespace, n.number],
  );
  return rows[0] ?? null;
}

async function recordStatus(env: ApplyEnv, orderId: string, o: PlannedOrder, status: string): Promise<void> {
  await env.tx.query(
    `INSERT INTO hms_order_status_history (order_id, status, order_control, order_status_code, changed_at, message_id)
     VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, $6::timestamptz, now()), $7)`,
    [orderId, status, o.orderControl, o.orderStatusCode, o.transactionAt, env.eventAt, env.messageId],
  );
}

const label = (o: PlannedOrder): string => (o.orderControl ? `ORC-1 ${o.orderControl}` : 'order');

/** The order's columns in hms_orders' insert order (the update takes the same, after the row id). */
function orderColumns(
  o: PlannedOrder,
  patientId: string | null,
  encounterId: string | null,
  status: string | null,
  messageId: string,
): unknown[] {
  return [
    o.placer?.namespace ?? null,
    o.placer?.number ?? null,
    o.filler?.namespace ?? null,
    o.filler?.number ?? null,
    patientId,
    encounterId,
    o.code,
    o.codeSystem,
    o.codeText,
    status,
    o.orderControl,
    o.orderStatusCode,
    o.resultStatus,
    messageId,
  ];
}

async function upsertOrder(
  env: ApplyEnv,
  o: PlannedOrder,
  patientId: string | null,
  encounterId: string | null,
): Promise<string> {
  const { tx } = env;
  const byPlacer = await findBy(tx, 'placer', o.placer);
  const byFiller = await findBy(tx, 'filler', o.filler);
  if (byPlacer && byFiller && byPlacer.id !== byFiller.id) {
    env.flags.push({
      code: 'ORDER_NUMBER_CONFLICT',
      detail: `placer number names order ${byPlacer.id}, filler number order ${byFiller.id}: placer wins`,
    });
  }
  const found = byPlacer ?? byFiller;
  let status = o.status;
  if (!found) {
    if (o.orderControl === 'CA' || o.orderControl === 'DC') {
      env.flags.push({
        code: 'ORDER_CANCEL_UNKNOWN_ORDER',
        detail: `${label(o)} for an order never seen: recorded as ${status}`,
      });
    }
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO hms_orders (placer_namespace, placer_number, filler_namespace, filler_number, patient_id, encounter_id,
         code, code_system, code_text, status, order_control, order_status_code, result_status, last_message_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id::text AS id`,
      orderColumns(o, patientId, encounterId, status, env.messageId),
    );
    const id = rows[0]!.id;
    if (status !== null) await recordStatus(env, id, o, status);
    return id;
  }
  if (o.orderControl === 'NW' && found.status !== null && ENDED_ORDER_STATUSES.has(found.status)) {
    env.flags.push({
      code: 'ORDER_NEW_AFTER_END',
      detail: `ORC-1 NW for order ${found.id}, which is ${found.status}: status not changed`,
    });
    status = null;
  }
  const changed = status !== null && status !== found.status;
  await tx.query(
    `UPDATE hms_orders SET
       placer_namespace = COALESCE(placer_namespace, $2), placer_number = COALESCE(placer_number, $3),
       filler_namespace = COALESCE($4, filler_namespace), filler_number = COALESCE($5, filler_number),
       patient_id = COALESCE($6, patient_id), encounter_id = COALESCE($7, encounter_id),
       code = COALESCE($8, code), code_system = COALESCE($9, code_system), code_text = COALESCE($10, code_text),
       status = COALESCE($11, status), order_control = COALESCE($12, order_control),
       order_status_code = COALESCE($13, order_status_code), result_status = COALESCE($14, result_status),
       updated_at = now(), last_message_id = $15
     WHERE id = $1`,
    [found.id, ...orderColumns(o, patientId, encounterId, status, env.messageId)],
  );
  if (changed) await recordStatus(env, found.id, o, status!);
  return found.id;
}

/** OBX-11 rank: preliminary results must not overwrite final or corrected ones. */
const PRELIMINARY = new Set(['P', 'R', 'S', 'I', 'O']);
const FINAL = new Set(['F', 'C', 'U']);

async function upsertResult(env: ApplyEnv, orderId: string, r: PlannedResult): Promise<boolean> {
  const { tx } = env;
  const { rows } = await tx.query<{ id: string; status: string | null }>(
    `SELECT id::text AS id, status FROM hms_results
     WHERE order_id = $1 AND code_system = $2 AND code = $3 AND sub_id = $4 FOR UPDATE`,
    [orderId, r.codeSystem, r.code, r.subId],
  );
  const existing = rows[0];
  if (existing && FINAL.has(existing.status ?? '') && PRELIMINARY.has(r.status ?? '')) {
    env.flags.push({
      code: 'RESULT_PRELIMINARY_AFTER_FINAL',
      detail: `OBX-11 ${r.status} after ${existing.status} for result ${existing.id}: not applied`,
    });
    return false;
  }
  const values = [
    r.codeText,
    r.valueType,
    r.valueText,
    r.valueNumeric,
    r.units,
    r.referenceLow,
    r.referenceHigh,
    r.referenceText,
    r.abnormalFlags.length > 0 ? r.abnormalFlags.join('~') : null,
    r.status,
    r.observedAt,
    env.messageId,
  ];
  if (existing) {
    await tx.query(
      `UPDATE hms_results SET code_text = $2, value_type = $3, value_text = $4, value_numeric = $5, units = $6,
         reference_low = $7, reference_high = $8, reference_text = $9, abnormal_flags = $10, status = $11,
         observed_at = $12::timestamptz, last_message_id = $13, revision = revision + 1, updated_at = now()
       WHERE id = $1`,
      [existing.id, ...values],
    );
  } else {
    await tx.query(
      `INSERT INTO hms_results (order_id, code_system, code, sub_id, code_text, value_type, value_text, value_numeric,
         units, reference_low, reference_high, reference_text, abnormal_flags, status, observed_at, last_message_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::timestamptz, $16)`,
      [orderId, r.codeSystem, r.code, r.subId, ...values],
    );
  }
  return true;
}

export interface OrdersResult {
  readonly orders: number;
  readonly results: number;
}

export async function applyOrders(
  env: ApplyEnv,
  orders: readonly PlannedOrder[],
  patientId: string | null,
  encounterId: string | null,
): Promise<OrdersResult> {
  let results = 0;
  for (const o of orders) {
    const orderId = await upsertOrder(env, o, patientId, encounterId);
    const seen = new Set<string>();
    for (const r of o.results) {
      const key = `${r.codeSystem}|${r.code}|${r.subId}`;
      if (seen.has(key)) {
        env.flags.push({
          code: 'RESULT_REPEATED',
          detail: `OBX-3/OBX-4 repeated within order ${orderId}: the last one is kept (set OBX-4 to tell them apart)`,
        });
      }
      seen.add(key);
      if (await upsertResult(env, orderId, r)) results++;
    }
  }
  return { orders: orders.length, results };
}
