import type { Payload } from '../channels/transform.ts';
import type { SqlQueryable } from '../db/sql.ts';
import { applyTransaction, FhirTransactionError } from '../fhir/fhir-store.ts';
import type { FhirBundle } from '../fhir/types.ts';
import type { DeliveryContext, DeliveryOutcome, TransactionalDestination } from './types.ts';

function parseBundle(payload: Payload): FhirBundle | string {
  if (!payload.contentType.includes('json')) {
    return `fhir-store needs a FHIR JSON transaction Bundle, got ${payload.contentType}: add a mapping transformer`;
  }
  let value: unknown;
  try {
    value = JSON.parse(payload.body.toString('utf8'));
  } catch (err) {
    return `payload is not JSON: ${(err as Error).message}`;
  }
  const bundle = value as Partial<FhirBundle> | null;
  if (!bundle || bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
    return 'payload is not a FHIR transaction Bundle';
  }
  return bundle as FhirBundle;
}

/** Writes transaction Bundles into the engine's own FHIR store, inside the delivery's transaction. */
export function createFhirStoreDestination(name: string): TransactionalDestination {
  const deliverInTransaction = async (
    tx: SqlQueryable,
    payload: Payload,
    ctx: DeliveryContext,
  ): Promise<DeliveryOutcome> => {
    const bundle = parseBundle(payload);
    if (typeof bundle === 'string') return { ok: false, error: bundle, errorClass: 'permanent' };
    try {
      const outcome = await applyTransaction(tx, bundle, { messageId: ctx.messageId });
      return { ok: true, response: JSON.stringify(outcome) };
    } catch (err) {
      // A Bundle the store can never apply (bad reference, unsupported request) is dead-lettered now;
      // anything else (the database) is transient and retried.
      if (err instanceof FhirTransactionError)
        return { ok: false, error: err.message, errorClass: 'permanent' };
      throw err;
    }
  };
  return {
    name,
    type: 'fhir-store',
    transactional: true,
    start: async () => undefined,
    stop: async () => undefined,
    deliverInTransaction,
    deliver: () => Promise.reject(new Error('fhir-store delivers only inside a store transaction')),
  };
}
