/**
 * Writes one parsed ADT, ORM or ORU message into the HMS tables inside the caller's transaction
 * (the `hms` destination's: the same one that marks the delivery sent, so exactly once). The plan
 * is built from the message alone (plan-hms.ts) and applied against the tables (apply-hms.ts).
 */
import type { SqlQueryable } from '../db/sql.ts';
import type { Hl7Message } from '../hl7/message.ts';
import { applyHmsPlan } from './apply-hms.ts';
import { planHms, type PlanOptions } from './plan-hms.ts';
import type { HmsOutcome } from './types.ts';

export async function writeHms(
  tx: SqlQueryable,
  message: Hl7Message,
  messageId: string,
  options: PlanOptions,
): Promise<HmsOutcome> {
  return applyHmsPlan(tx, planHms(message, options), messageId);
}
