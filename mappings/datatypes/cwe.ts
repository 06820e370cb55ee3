/**
 * CWE (and CE, CNE, IS) -> CodeableConcept / Coding / code, per "HL7 Data Type - FHIR R4_
 * CWE[CodeableConcept]", "CWE[Coding]" and "CWE[code]". A vocabulary map (HL7 table -> FHIR
 * codes) puts its target first and keeps the v2 code as a further coding, so nothing is lost.
 */
import type { CodeableConcept, Coding } from '../../engine/fhir/types.ts';
import { codingSystemUri } from '../vocabulary/coding-systems.ts';
import { type ConceptMap, mapCode } from '../vocabulary/tables.ts';
import type { Hl7Value } from './value.ts';

/** CWE.1/2/3/7, CWE.4/5/6/8 and CWE.10/11/12/13: code, text, system name, version. */
const TRIPLETS: readonly (readonly [number, number, number, number])[] = [
  [1, 2, 3, 7],
  [4, 5, 6, 8],
  [10, 11, 12, 13],
];

function coding(
  cwe: Hl7Value,
  [c, d, s, v]: readonly [number, number, number, number],
  table?: ConceptMap,
): Coding | undefined {
  const code = cwe.get(c);
  const display = cwe.get(d);
  if (code === '' && display === '') return undefined;
  const out: Coding = {};
  const system = codingSystemUri(cwe.get(s)) ?? (table && code !== '' ? table.sourceSystem : undefined);
  if (system) out.system = system;
  const version = cwe.get(v);
  if (version !== '') out.version = version;
  if (code !== '') out.code = code;
  if (display !== '') out.display = display;
  return out;
}

/**
 * `table`: the IG's vocabulary mapping for the field, if any; its target comes first. A CWE
 * without a code system name is taken to be from that table. Undefined when nothing is valued.
 */
export function cweToCodeableConcept(cwe: Hl7Value, table?: ConceptMap): CodeableConcept | undefined {
  const codings: Coding[] = [];
  const mapped = table ? mapCode(table, cwe.get(1)) : undefined;
  if (mapped) codings.push({ ...mapped });
  TRIPLETS.forEach((t, i) => {
    const c = coding(cwe, t, i === 0 ? table : undefined);
    // An identity map (e.g. table 0004 R -> v2-0004 R) would repeat the v2 coding.
    if (c && !codings.some((k) => k.system === c.system && k.code === c.code)) codings.push(c);
  });
  const text = cwe.get(9); // CWE.9 -> text
  if (codings.length === 0 && text === '') return undefined;
  return { ...(codings.length > 0 && { coding: codings }), ...(text !== '' && { text }) };
}

/** CWE[Coding]: CWE.1/2/3/7 only, through the vocabulary map when it has the code. */
export function cweToCoding(cwe: Hl7Value, table?: ConceptMap): Coding | undefined {
  const mapped = table ? mapCode(table, cwe.get(1)) : undefined;
  return mapped ? { ...mapped } : coding(cwe, TRIPLETS[0]!, table);
}

/** CWE[code]: CWE.1, else CWE.4 when CWE.1 is not valued. */
export function cweToCode(cwe: Hl7Value): string {
  return cwe.get(1) || cwe.get(4);
}
