/**
 * The patient identifiers stored with a message for search (GET /api/messages?patientId=): every
 * repetition of PID-3 in every PID segment (an A17 swap names two patients), as ID (CX.1) and assigning
 * authority (CX.4.1), decoded. The store cleans and bounds them (engine/store/patient-ids.ts).
 */
import type { Hl7Message } from '../hl7/message.ts';
import type { PatientIdentifier } from '../store/types.ts';

/** A message naming more patients than this is not a patient message: the rest are not indexed. */
const MAX_PID_SEGMENTS = 10;

export function patientIdentifiersOf(message: Hl7Message): PatientIdentifier[] {
  const out: PatientIdentifier[] = [];
  const pids = Math.min(message.segmentCount('PID'), MAX_PID_SEGMENTS);
  for (let k = 1; k <= pids; k++) {
    const ids = message.getAll(`PID[${k}]-3.1`);
    const authorities = message.getAll(`PID[${k}]-3.4.1`);
    ids.forEach((id, i) => {
      if (id !== '') out.push({ id, authority: authorities[i] ?? '' });
    });
  }
  return out;
}
