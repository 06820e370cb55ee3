/**
 * Applies an HMS plan (plan-hms.ts) with SQL, inside the caller's transaction: patient, then the
 * ADT event on the encounter, then merges, orders and results. Every flag (the plan's own and those
 * the tables' state raises) is stored in hms_flags with the message id and returned.
 */
import type { SqlQueryable } from '../db/sql.ts';
import { applyEncounterEvent, knownEncounterId } from './apply-encounter.ts';
import { applyOrders } from './apply-orders.ts';
import { applyMerge, applyPatient, type ApplyEnv } from './apply-patient.ts';
import type { HmsFlag, HmsOutcome, HmsPlan } from './types.ts';

export async function applyHmsPlan(tx: SqlQueryable, plan: HmsPlan, messageId: string): Promise<HmsOutcome> {
  const flags: HmsFlag[] = [...plan.flags];
  const env: ApplyEnv = { tx, messageId, eventAt: plan.eventAt, flags };
  let merges = 0;
  for (const m of plan.merges) if (await applyMerge(env, m)) merges++;
  const patientId = await applyPatient(env, plan.patient);
  let encounterId: string | null = null;
  let bedAssignments = 0;
  if (plan.adtEvent !== null && plan.encounter !== null && patientId !== null) {
    const r = await applyEncounterEvent(env, plan.triggerEvent, plan.adtEvent, plan.encounter, patientId);
    encounterId = r.encounterId;
    bedAssignments = r.bedAssignments;
  } else if (plan.orders.length > 0) {
    encounterId = await knownEncounterId(tx, plan.encounter);
  }
  const { orders, results } = await applyOrders(env, plan.orders, patientId, encounterId);
  for (const f of flags) {
    await tx.query('INSERT INTO hms_flags (message_id, code, detail) VALUES ($1, $2, $3)', [
      messageId,
      f.code,
      f.detail,
    ]);
  }
  return { patientId, encounterId, bedAssignments, orders, results, merges, flags };
}
