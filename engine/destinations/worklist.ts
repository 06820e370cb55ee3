/**
 * The `worklist` destination: writes the scheduled procedure steps of ORM^O01 orders into the
 * Modality Worklist (engine/dicom/worklist/, table worklist_items) inside the transaction that marks
 * the delivery sent, so each message is applied exactly once. It takes the HL7 v2 message itself.
 *
 * The delivery response (GET /api/messages/:id, deliveries[].response) is JSON: the items written
 * (id, accession number, status) and `flags` — a cancel for an unknown order, an order with no
 * modality, ... A flagged message is still `sent`: what could be applied was.
 */
import type { Payload } from '../channels/transform.ts';
import type { DestinationSpec } from '../channels/types.ts';
import type { SqlQueryable } from '../db/sql.ts';
import { applyWorklist } from '../dicom/worklist/apply-worklist.ts';
import { planWorklist } from '../dicom/worklist/plan-worklist.ts';
import type { WorklistOutcome, WorklistPlanOptions } from '../dicom/worklist/types.ts';
import { Hl7Message } from '../hl7/message.ts';
import type { DeliveryContext, DeliveryOutcome, TransactionalDestination } from './types.ts';

export type WorklistDestinationSpec = Extract<DestinationSpec, { type: 'worklist' }>;

export function worklistResponse(outcome: WorklistOutcome): string {
  return JSON.stringify({ worklist: { items: outcome.items }, flags: outcome.flags });
}

export function createWorklistDestination(spec: WorklistDestinationSpec): TransactionalDestination {
  const options: WorklistPlanOptions = {
    modalities: spec.modalities,
    defaultModality: spec.defaultModality,
    stationAeTitles: spec.stationAeTitles,
  };
  const deliverInTransaction = async (
    tx: SqlQueryable,
    payload: Payload,
    ctx: DeliveryContext,
  ): Promise<DeliveryOutcome> => {
    let message: Hl7Message;
    try {
      message = Hl7Message.parse(payload.body);
    } catch {
      return {
        ok: false,
        error: `worklist needs the HL7 v2 message, got ${payload.contentType} that does not parse: remove transformers in front of it`,
        errorClass: 'permanent',
      };
    }
    const outcome = await applyWorklist(tx, planWorklist(message, options), ctx.messageId);
    return { ok: true, response: worklistResponse(outcome) };
  };
  return {
    name: spec.name,
    type: 'worklist',
    transactional: true,
    start: async () => undefined,
    stop: async () => undefined,
    deliverInTransaction,
    deliver: () => Promise.reject(new Error('worklist delivers only inside a store transaction')),
  };
}
