/**
 * A destination that applies the HL7 v2 message itself to tables of ours (HMS records, the modality
 * worklist) inside the transaction that marks the delivery sent, so each message is applied exactly
 * once. A payload that is not HL7 v2 (a transformer in front of it) is a permanent failure.
 */
import type { SqlQueryable } from '../db/sql.ts';
import { Hl7Message } from '../hl7/message.ts';
import type { DeliveryContext, DeliveryOutcome, TransactionalDestination } from './types.ts';

/** Applies the message and returns the delivery response (JSON: what was written, flags). */
export type ApplyHl7Message = (tx: SqlQueryable, message: Hl7Message, messageId: string) => Promise<string>;

export function createHl7RecordDestination(
  name: string,
  type: 'hms' | 'worklist',
  apply: ApplyHl7Message,
): TransactionalDestination {
  return {
    name,
    type,
    transactional: true,
    start: async () => undefined,
    stop: async () => undefined,
    async deliverInTransaction(tx, payload, ctx: DeliveryContext): Promise<DeliveryOutcome> {
      let message: Hl7Message;
      try {
        message = Hl7Message.parse(payload.body);
      } catch {
        return {
          ok: false,
          error: `${type} needs the HL7 v2 message, got ${payload.contentType} that does not parse: remove transformers in front of it`,
          errorClass: 'permanent',
        };
      }
      return { ok: true, response: await apply(tx, message, ctx.messageId) };
    },
    deliver: () => Promise.reject(new Error(`${type} delivers only inside a store transaction`)),
  };
}
