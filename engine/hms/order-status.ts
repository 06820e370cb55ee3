/**
 * Order status for hms_orders.status, in ServiceRequest.status codes (request-status), from the
 * v2-to-FHIR IG concept maps "OrderStatus" (ORC-5, table 0038) and "OrderControlCode
 * [ServiceRequest.status]" (ORC-1, table 0119). ORC-5 wins when sent.
 *
 * Deviation: the IG maps ORC-1 CA (cancel request) and HD (hold request) to `active`, because for
 * the filler they are requests not yet carried out. The HMS tables record the order as the hospital
 * sees it once the placer has sent it, so CA is `revoked` and HD `on-hold` here (mappings/README.md).
 */

const BY_ORDER_STATUS: Readonly<Record<string, string>> = {
  A: 'active', // some results available (0038 A, not in the IG map: the order is in process)
  CA: 'revoked',
  CM: 'completed',
  DC: 'revoked',
  ER: 'entered-in-error',
  HD: 'on-hold',
  IP: 'active',
  RP: 'revoked',
  SC: 'active',
};

const BY_ORDER_CONTROL: Readonly<Record<string, string>> = {
  AF: 'active',
  CA: 'revoked', // IG: active (see above)
  CR: 'revoked',
  DC: 'revoked',
  DF: 'revoked',
  DR: 'revoked',
  FU: 'completed',
  HD: 'on-hold', // IG: active (see above)
  HR: 'on-hold',
  NW: 'active',
  OC: 'revoked',
  OD: 'revoked',
  OH: 'on-hold',
  OK: 'active',
  PR: 'active',
  PY: 'active',
  RL: 'active',
  RO: 'active',
  RQ: 'active',
};

/** The status an ORC sets, or null when it sets none (SC without ORC-5, XO, RE, ...). */
export function orderStatus(orderControl: string, orderStatusCode: string): string | null {
  return BY_ORDER_STATUS[orderStatusCode] ?? BY_ORDER_CONTROL[orderControl] ?? null;
}

/** Order controls that end an order: a later NW for the same number is contradictory. */
export const ENDED_ORDER_STATUSES: ReadonlySet<string> = new Set([
  'revoked',
  'completed',
  'entered-in-error',
]);
