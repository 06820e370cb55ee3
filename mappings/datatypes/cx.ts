/**
 * CX -> Identifier, per "HL7 Data Type - FHIR R4_ CX[Identifier]".
 */
import type { Identifier } from '../../engine/fhir/types.ts';
import type { Hd, IdentifierSystemTable } from '../identifier-systems.ts';
import { IDENTIFIER_TYPES, V2_TABLE_SYSTEM } from '../vocabulary/tables.ts';
import { dtmToDate } from './dtm.ts';
import type { Hl7Value } from './value.ts';

export interface CxContext {
  readonly systems: IdentifierSystemTable;
  /**
   * Who assigned identifiers that carry no CX.4: the sending facility (MSH-4), else the sending
   * application (MSH-3). Their system is that authority plus `/<CX.5>`, so an unqualified MR 123
   * and an unqualified SS 123 from one sender never meet (a duplicate is safer than a misfile).
   */
  readonly defaultAuthority: Hd;
}

export const hdAt = (value: Hl7Value, component: number): Hd => ({
  namespaceId: value.get(component, 1),
  universalId: value.get(component, 2),
  universalIdType: value.get(component, 3),
});

/** The system of an identifier assigned by `authority` (CX.4, XCN.9); `type` (CX.5, XCN.13) for unqualified ones. */
export function systemFor(authority: Hd, type: string, ctx: CxContext): string | undefined {
  if (authority.namespaceId !== '' || authority.universalId !== '') return ctx.systems.resolve(authority);
  const base = ctx.defaultAuthority.namespaceId || ctx.defaultAuthority.universalId || 'unknown-sender';
  return ctx.systems.resolve({
    namespaceId: type ? `${base}/${type}` : base,
    universalId: '',
    universalIdType: '',
  });
}

export function identifierType(code: string): Identifier['type'] {
  if (code === '') return undefined;
  // CX.5 row: vocabulary "IdentifierType" (table 0203 maps to itself); local codes keep their text.
  return IDENTIFIER_TYPES.has(code)
    ? { coding: [{ system: V2_TABLE_SYSTEM('0203'), code }] }
    : { text: code };
}

export function cxToIdentifier(cx: Hl7Value, ctx: CxContext): Identifier | undefined {
  const value = cx.get(1); // CX.1 -> value
  if (value === '') return undefined;
  const out: Identifier = {};
  const extension = [];
  const checkDigit = cx.get(2); // CX.2 -> extension identifier-checkDigit
  if (checkDigit !== '') {
    extension.push({
      url: 'http://hl7.org/fhir/StructureDefinition/identifier-checkDigit',
      valueString: checkDigit,
    });
  }
  const scheme = cx.get(3); // CX.3 -> extension namingsystem-checkDigit
  if (scheme !== '') {
    extension.push({
      url: 'http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit',
      valueString: scheme,
    });
  }
  if (extension.length > 0) out.extension = extension;
  const type = identifierType(cx.get(5)); // CX.5 -> type.coding.code
  if (type) out.type = type;
  const system = systemFor(hdAt(cx, 4), cx.get(5), ctx); // CX.4 -> system (HD[uri])
  if (system) out.system = system;
  out.value = value;
  const start = dtmToDate(cx.get(7)); // CX.7 -> period.start
  const end = dtmToDate(cx.get(8)); // CX.8 -> period.end
  if (start || end) out.period = { ...(start && { start }), ...(end && { end }) };
  return out;
}
