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
import type { Payload } from '../channels/transform.ts';
import type { DestinationSpec } from '../channels/types.ts';
import type { SqlQueryable } from '../db/sql.ts';
import { Hl7Message } from '../hl7/message.ts';
import { writeHms } from '../hms/hms-writer.ts';
import type { PlanOptions } from '../hms/plan-hms.ts';
import type { HmsOutcome } from '../hms/types.ts';
import { createIdentifierSystemTable } from '../../mappings/identifier-systems.ts';
import type { DeliveryContext, DeliveryOutcome, TransactionalDestination } from './types.ts';

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
        error: `hms needs the HL7 v2 message, got ${payload.contentType} that does not parse: remove transformers in front of it`,
        errorClass: 'permanent',
      };
    }
    const outcome = await writeHms(tx, message, ctx.messageId, options);
    return { ok: true, response: hmsResponse(outcome) };
  };
  return {
    name: spec.name,
    type: 'hms',
    transactional: true,
    start: async () => undefined,
    stop: async () => undefined,
    deliverInTransaction,
    deliver: () => Promise.reject(new Error('hms delivers only inside a store transaction')),
  };
}
