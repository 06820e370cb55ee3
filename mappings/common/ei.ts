/**
 * EI -> Identifier, per "HL7 Data Type - FHIR R4_ EI[Identifier-Extension]": EI.1 -> value, EI.2-EI.4
 * (namespace id, universal id, universal id type: an HD spread over components) -> system, through
 * the identifierSystems table as CX.4 is.
 */
import type { Identifier } from '../../engine/fhir/types.ts';
import { type CxContext, systemFor } from '../datatypes/cx.ts';
import type { Hl7Value } from '../datatypes/value.ts';

export function eiToIdentifier(ei: Hl7Value, cx: CxContext): Identifier | undefined {
  const value = ei.get(1);
  if (value === '') return undefined;
  const authority = { namespaceId: ei.get(2), universalId: ei.get(3), universalIdType: ei.get(4) };
  const system = systemFor(authority, '', cx);
  return { ...(system !== undefined && { system }), value };
}
