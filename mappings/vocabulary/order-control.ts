/**
 * Order vocabularies for ServiceRequest, copied row by row from the v2-to-FHIR IG concept maps in
 * ../shared/corpus/v2-to-fhir/codesystems/ (file named above each table):
 * - ORC-1 order control (table 0119) -> ServiceRequest.status,
 * - ORC-5 order status (table 0038) -> ServiceRequest.status,
 * - OBR-5 / TQ1-9 / TQ.6 priority (table 0485) -> ServiceRequest.priority.
 * Rows where Switchboard departs from the IG say so (and mappings/README.md, ORM section, says why).
 */
import { V2_TABLE_SYSTEM } from './tables.ts';

export const REQUEST_STATUS_SYSTEM = 'http://hl7.org/fhir/request-status';
export const ORDER_CONTROL_SYSTEM = V2_TABLE_SYSTEM('0119');

export type RequestStatus =
  'draft' | 'active' | 'on-hold' | 'revoked' | 'completed' | 'entered-in-error' | 'unknown';

/**
 * What ORC-1 does to the order: a status, or `'from-order-status'` when the code only reports a
 * change whose result is ORC-5 (SC "status changed").
 */
export type OrderControlEffect = RequestStatus | 'from-order-status';

/** "HL7 Concept Map_ OrderControlCode[ServiceRequest.status]" (table 0119 -> request-status). */
export const ORDER_CONTROL_STATUS: ReadonlyMap<string, OrderControlEffect> = new Map<
  string,
  OrderControlEffect
>([
  ['AF', 'active'],
  // IG: CA -> active (the cancel is only requested). Deviation: revoked; the placer has withdrawn
  // the order and a filler answering UC (unable to cancel) sends a new status anyway.
  ['CA', 'revoked'],
  ['CR', 'revoked'],
  ['DC', 'revoked'],
  ['DF', 'revoked'],
  ['DR', 'revoked'],
  ['FU', 'completed'],
  // IG: HD -> active (hold only requested). Deviation: on-hold, as HR/OH; RL releases it again.
  ['HD', 'on-hold'],
  ['HR', 'on-hold'],
  ['NW', 'active'],
  ['OC', 'revoked'],
  ['OD', 'revoked'],
  ['OH', 'on-hold'],
  ['OK', 'active'],
  ['PR', 'active'],
  ['PY', 'active'],
  ['RL', 'active'],
  ['RO', 'active'],
  ['RQ', 'active'],
  // IG: no target for XO/XR/XX. Deviation: a change (requested, done, or unsolicited) leaves the
  // order in force, so active.
  ['XO', 'active'],
  ['XR', 'active'],
  ['XX', 'active'],
  // IG: no target for SC. Its meaning is ORC-5, which the IG maps first anyway.
  ['SC', 'from-order-status'],
]);

/** "HL7 Concept Map_ OrderStatus" (table 0038 -> request-status). */
export const ORDER_STATUS: ReadonlyMap<string, RequestStatus> = new Map<string, RequestStatus>([
  ['CA', 'revoked'],
  ['CM', 'completed'],
  ['DC', 'revoked'],
  ['ER', 'entered-in-error'],
  ['HD', 'on-hold'],
  ['IP', 'active'],
  ['RP', 'revoked'],
  ['SC', 'active'],
]);

export type RequestPriority = 'routine' | 'urgent' | 'asap' | 'stat';

/** "HL7 Concept Map_ ExtendedPriorityCodes" (table 0485 -> request-priority); P, C, T, T<n>, PRN unmapped. */
export const REQUEST_PRIORITY: ReadonlyMap<string, RequestPriority> = new Map<string, RequestPriority>([
  ['S', 'stat'],
  ['A', 'asap'],
  ['R', 'routine'],
]);
