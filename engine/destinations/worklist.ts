/**
 * The `worklist` destination: writes the scheduled procedure steps of ORM^O01 orders into the
 * Modality Worklist (engine/dicom/worklist/, table worklist_items) inside the transaction that marks
 * the delivery sent, so each message is applied exactly once. It takes the HL7 v2 message itself.
 *
 * The delivery response (GET /api/messages/:id, deliveries[].response) is JSON: the items written
 * (id, accession number, status) and `flags` — a cancel for an unknown order, an order with no
 * modality, ... A flagged message is still `sent`: what could be applied was.
 */
import type { DestinationSpec } from '../channels/types.ts';
import { applyWorklist } from '../dicom/worklist/apply-worklist.ts';
import { planWorklist } from '../dicom/worklist/plan-worklist.ts';
import type { WorklistOutcome, WorklistPlanOptions } from '../dicom/worklist/types.ts';
import { createHl7RecordDestination } from './hl7-record-destination.ts';
import type { TransactionalDestination } from './types.ts';

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
  return createHl7RecordDestination(spec.name, 'worklist', async (tx, message, messageId) =>
    worklistResponse(await applyWorklist(tx, planWorklist(message, options), messageId)),
  );
}
