/**
 * XCN -> a Reference to a practitioner, by display and identifier only (no Practitioner resource
 * yet): XCN.1 -> identifier.value, XCN.9 -> identifier.system (HD[uri]), XCN.13 -> identifier.type,
 * XCN.2-XCN.7 -> the name, per "HL7 Data Type - FHIR R4_ XCN[Practitioner]".
 */
import type { Identifier, Reference } from '../../engine/fhir/types.ts';
import { type CxContext, hdAt, identifierType, systemFor } from './cx.ts';
import type { Hl7Value } from './value.ts';

/** "Dr Kathleen Woolfson MD": prefix (XCN.6), given (XCN.3, XCN.4), family (XCN.2), suffix (XCN.5), degree (XCN.7). */
export function xcnDisplay(xcn: Hl7Value): string {
  return [xcn.get(6), xcn.get(3), xcn.get(4), xcn.get(2, 1), xcn.get(5), xcn.get(7)]
    .filter((p) => p !== '')
    .join(' ');
}

export function xcnToReference(xcn: Hl7Value, ctx: CxContext): Reference | undefined {
  const display = xcnDisplay(xcn);
  const value = xcn.get(1);
  if (display === '' && value === '') return undefined;
  const reference: Reference = { type: 'Practitioner' };
  if (value !== '') {
    const type = xcn.get(13);
    const system = systemFor(hdAt(xcn, 9), type, ctx);
    const identifier: Identifier = {};
    const idType = identifierType(type);
    if (idType) identifier.type = idType;
    if (system) identifier.system = system;
    identifier.value = value;
    reference.identifier = identifier;
  }
  if (display !== '') reference.display = display;
  return reference;
}
