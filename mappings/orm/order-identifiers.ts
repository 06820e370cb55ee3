/**
 * Order numbers (EI) -> ServiceRequest.identifier, per ORC-2/OBR-2 (type PLAC), ORC-3/OBR-3 (FILL)
 * rows of ORC[ServiceRequest] and OBR[ServiceRequest], and "EI[Identifier-Extension]" (EI.1 ->
 * value). The IG keeps EI.2-EI.4 in extensions; here they are the assigning authority, so they
 * name the system the same way CX.4 does (identifier-systems.ts), which makes the identifier a
 * stable key for conditional updates. An order number without an authority belongs to the sender
 * (MSH-4) per type: `<facility>/PLAC`, `<facility>/FILL`.
 */
import type { Identifier } from '../../engine/fhir/types.ts';
import { type CxContext, systemFor } from '../datatypes/cx.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import { V2_TABLE_SYSTEM } from '../vocabulary/tables.ts';

/** Identifier types of table 0203 used on orders. */
export type OrderIdentifierType = 'PLAC' | 'FILL' | 'PGN' | 'ACSN';

export function orderIdentifierType(code: OrderIdentifierType): Identifier['type'] {
  return { coding: [{ system: V2_TABLE_SYSTEM('0203'), code }] };
}

/** EI (EI.1 entity identifier, EI.2 namespace id, EI.3 universal id, EI.4 universal id type). */
export function eiToIdentifier(
  ei: Hl7Value,
  type: OrderIdentifierType,
  cx: CxContext,
): Identifier | undefined {
  const value = ei.get(1);
  if (value === '') return undefined;
  const authority = { namespaceId: ei.get(2), universalId: ei.get(3), universalIdType: ei.get(4) };
  const system = systemFor(authority, type, cx);
  return {
    type: orderIdentifierType(type),
    ...(system !== undefined && { system }),
    value,
  };
}
