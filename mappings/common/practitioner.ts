/**
 * XCN -> Practitioner, per "HL7 Data Type - FHIR R4_ XCN[Practitioner]": XCN.1 -> identifier.value,
 * XCN.9 -> identifier.system (HD[uri], through the identifierSystems table as CX.4 is), XCN.11/12
 * -> check digit extensions, XCN.13 -> identifier.type, XCN.2-XCN.6, XCN.10, XCN.17/19/20 and
 * XCN.21 -> name (read as the XPN it embeds), XCN.7 -> qualification.code.
 *
 * The Practitioner is a conditional entry keyed on its identifier, so every message naming the
 * same clinician updates one resource. An XCN without XCN.1 cannot be keyed: it gives only a
 * display reference (no resource), as `xcnToReference` does.
 */
import type {
  BundleEntry,
  CodeableConcept,
  Extension,
  FhirResource,
  HumanName,
  Identifier,
  Reference,
} from '../../engine/fhir/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { type CxContext, hdAt, identifierType, systemFor } from '../datatypes/cx.ts';
import { xcnDisplay } from '../datatypes/xcn.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import { xpnToHumanNames } from '../datatypes/xpn.ts';
import { V2_TABLE_SYSTEM } from '../vocabulary/tables.ts';
import type { EntryList } from './entries.ts';

export interface Practitioner extends FhirResource {
  resourceType: 'Practitioner';
  identifier: Identifier[];
  name?: HumanName[];
  qualification?: { code: CodeableConcept }[];
}

/** What the datatype maps need: identifier systems and the default time zone. */
export interface PersonMapContext {
  readonly cx: CxContext;
  readonly tz: string;
}

export interface MappedPractitioner {
  readonly entry: BundleEntry;
  readonly fullUrl: string;
  readonly key: ResourceKey;
  /** `{ reference: fullUrl, display }` for the resources that point at it. */
  readonly reference: Reference;
}

/** XCN components in the places of the XPN components xpnToHumanNames reads. */
const XPN_FROM_XCN: Readonly<Record<number, number>> = {
  1: 2, // family (FN)
  2: 3, // given[1]
  3: 4, // given[2]
  4: 5, // suffix[1]
  5: 6, // prefix
  7: 10, // name type -> use
  10: 17, // name validity range (DR)
  12: 19, // effective date
  13: 20, // expiration date
  14: 21, // professional suffix -> suffix
};

function xcnAsXpn(xcn: Hl7Value): Hl7Value {
  return {
    get: (component: number, subcomponent?: number): string => {
      const source = XPN_FROM_XCN[component];
      return source === undefined ? '' : xcn.get(source, subcomponent);
    },
  };
}

function xcnIdentifier(xcn: Hl7Value, ctx: PersonMapContext): Identifier | undefined {
  const value = xcn.get(1);
  if (value === '') return undefined;
  const type = xcn.get(13);
  const system = systemFor(hdAt(xcn, 9), type, ctx.cx);
  const identifier: Identifier = {};
  const extension: Extension[] = [];
  const checkDigit = xcn.get(11); // XCN.11 -> identifier.extension identifier-checkDigit
  if (checkDigit !== '') {
    extension.push({
      url: 'http://hl7.org/fhir/StructureDefinition/identifier-checkDigit',
      valueString: checkDigit,
    });
  }
  const scheme = xcn.get(12); // XCN.12 -> namingsystem-checkDigit
  if (scheme !== '') {
    extension.push({
      url: 'http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit',
      valueString: scheme,
    });
  }
  if (extension.length > 0) identifier.extension = extension;
  const idType = identifierType(type);
  if (idType) identifier.type = idType;
  if (system) identifier.system = system;
  identifier.value = value;
  return identifier;
}

/** The Practitioner of an XCN with an identifier (XCN.1), else null. */
export function xcnToPractitioner(xcn: Hl7Value, ctx: PersonMapContext): MappedPractitioner | null {
  const identifier = xcnIdentifier(xcn, ctx);
  if (identifier?.system === undefined || identifier.value === undefined) return null;
  const key: ResourceKey = { system: identifier.system, value: identifier.value };
  const practitioner: Practitioner = { resourceType: 'Practitioner', identifier: [identifier] };
  const names = xpnToHumanNames(xcnAsXpn(xcn), ctx.tz);
  if (names.length > 0) practitioner.name = names;
  const degree = xcn.get(7); // XCN.7 -> qualification.code (table 0360)
  if (degree !== '') {
    practitioner.qualification = [{ code: { coding: [{ system: V2_TABLE_SYSTEM('0360'), code: degree }] } }];
  }
  const entry = conditionalPut(practitioner, key);
  const fullUrl = entry.fullUrl!;
  const display = xcnDisplay(xcn);
  return { entry, fullUrl, key, reference: { reference: fullUrl, ...(display !== '' && { display }) } };
}

/**
 * The reference a resource makes to the clinician of an XCN: to a Practitioner entry (added to
 * `entries`, once per identifier) when XCN.1 is valued, else by display only; undefined when the
 * XCN names nobody.
 */
export function practitionerReference(
  xcn: Hl7Value,
  ctx: PersonMapContext,
  entries: EntryList,
): Reference | undefined {
  const mapped = xcnToPractitioner(xcn, ctx);
  if (mapped) {
    entries.add(mapped.entry);
    return { ...mapped.reference };
  }
  const display = xcnDisplay(xcn);
  return display === '' ? undefined : { type: 'Practitioner', display };
}
