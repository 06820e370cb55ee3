/**
 * XPN -> HumanName, per "HL7 Data Type - FHIR R4_ XPN[HumanName]" (FN.1 via "FN[HumanName]").
 */
import type { Extension, HumanName } from '../../engine/fhir/types.ts';
import { NAME_TYPE, mapCode } from '../vocabulary/tables.ts';
import { dtmToDateTime } from './dtm.ts';
import type { Hl7Value } from './value.ts';

const nonEmpty = (values: readonly string[]): string[] => values.filter((v) => v !== '');

/** FN.2-FN.5 -> extensions on family ("FN[HumanName]" rows 2-5). */
function familyExtensions(xpn: Hl7Value): Extension[] {
  const rows: [number, string][] = [
    [2, 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix'],
    [3, 'http://hl7.org/fhir/StructureDefinition/humanname-own-name'],
    [4, 'http://hl7.org/fhir/StructureDefinition/humanname-partner-prefix'],
    [5, 'http://hl7.org/fhir/StructureDefinition/humanname-partner-name'],
  ];
  const out: Extension[] = [];
  for (const [sub, url] of rows) {
    const v = xpn.get(1, sub);
    if (v !== '') out.push({ url, valueString: v });
  }
  return out;
}

/**
 * One XPN gives one HumanName, plus a second (use "nickname") when XPN.15 "Called By" is valued.
 * Returns [] when no name part is valued.
 */
export function xpnToHumanNames(xpn: Hl7Value, defaultOffset = 'Z'): HumanName[] {
  const name: HumanName = {};
  const family = xpn.get(1, 1); // XPN.1 -> family (FN.1)
  const familyExt = familyExtensions(xpn);
  const use = mapCode(NAME_TYPE, xpn.get(7))?.code; // XPN.7 -> use (NameType)
  if (use) name.use = use;
  if (family !== '') name.family = family;
  if (familyExt.length > 0) name._family = { extension: familyExt };
  const given = nonEmpty([xpn.get(2), xpn.get(3)]); // XPN.2 -> given[1], XPN.3 -> given[2]
  if (given.length > 0) name.given = given;
  const prefix = nonEmpty([xpn.get(5)]); // XPN.5 -> prefix
  if (prefix.length > 0) name.prefix = prefix;
  const suffix = nonEmpty([xpn.get(4), xpn.get(6), xpn.get(14)]); // XPN.4, XPN.6, XPN.14 -> suffix[1..3]
  if (suffix.length > 0) name.suffix = suffix;
  // XPN.12/XPN.13 -> period; XPN.10 (DR) only when neither is valued.
  const explicit = xpn.get(12) !== '' || xpn.get(13) !== '';
  const start = dtmToDateTime(explicit ? xpn.get(12) : xpn.get(10, 1), defaultOffset)?.value;
  const end = dtmToDateTime(explicit ? xpn.get(13) : xpn.get(10, 2), defaultOffset)?.value;
  if (start || end) name.period = { ...(start && { start }), ...(end && { end }) };
  const out: HumanName[] = [];
  if (name.family !== undefined || name.given !== undefined || familyExt.length > 0) out.push(name);
  const calledBy = xpn.get(15); // XPN.15 -> [2].given, [2].use = "nickname"
  if (calledBy !== '') out.push({ use: 'nickname', given: [calledBy] });
  return out;
}
