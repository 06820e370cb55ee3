/**
 * The `hms` destination: writes ADT, ORM and ORU messages into the HMS tables (engine/hms/) inside
 * the transaction that marks the delivery sent, so each message is applied exactly once. It takes
 * the HL7 v2 message itself (no mapping transformer in front of it).
 *
 * The response stored on the delivery (shown by GET /api/messages/:id under deliveries[].response)
 * is JSON: the ids written, counts, and `flags` — out-of-order or contradictory events, also kept in
 * hms_flags. A flagged message is still `sent`: what could be applied was, and the flag says what
 * was not (docs/hms.md).
 */
import type { DestinationSpec } from '../channels/types.ts';
import { writeHms } from '../hms/hms-writer.ts';
import type { PlanOptions } from '../hms/plan-hms.ts';
import type { HmsOutcome } from '../hms/types.ts';
import { createIdentifierSystemTable } from '../../mappings/identifier-systems.ts';
import { createHl7RecordDestination } from './hl7-record-destination.ts';
import type { TransactionalDestination } from './types.ts';

export type HmsDestinationSpec = Extract<DestinationSpec, { type: 'hms' }>;

/** The delivery response: what was written and every flag raised. */
export function hmsResponse(outcome: HmsOutcome): string {
  return JSON.stringify({
    hms: {
      patientId: outcome.patientId,
      encounterId: outcome.encounterId,
      bedAssignments: outcome.bedAssignments,
      orders: outcome.orders,
      results: outcome.results,
      merges: outcome.merges,
    },
    flags: outcome.flags,
  });
}

export function createHmsDestination(spec: HmsDestinationSpec): TransactionalDestination {
  const options: PlanOptions = {
    defaultTimezone: spec.defaultTimezone,
    identifierSystems: createIdentifierSystemTable(spec.identifierSystems),
  };
  return createHl7RecordDestination(spec.name, 'hms', async (tx, message, messageId) =>
    hmsResponse(await writeHms(tx, message, messageId, options)),
  );
}
