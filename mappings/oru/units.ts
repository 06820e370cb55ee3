/**
 * OBX-6 units (CWE) -> the unit part of a Quantity, per "HL7 Data Type - FHIR R4_ CWE[Quantity]":
 * CWE.2 (else CWE.1) -> unit; CWE.1 -> code and CWE.3 -> system only when both are valued (qty-3: a
 * code needs a system). `UCUM` (any case) names http://unitsofmeasure.org; other names go through
 * the coding-system table.
 */
import type { Hl7Value } from '../datatypes/value.ts';
import { codingSystemUri } from '../vocabulary/coding-systems.ts';
import type { Quantity } from './resources.ts';

export type QuantityUnit = Pick<Quantity, 'unit' | 'system' | 'code'>;

export function cweToQuantityUnit(cwe: Hl7Value | undefined): QuantityUnit {
  if (!cwe) return {};
  const code = cwe.get(1);
  const text = cwe.get(2);
  const system = codingSystemUri(cwe.get(3));
  const out: QuantityUnit = {};
  const unit = text || code;
  if (unit !== '') out.unit = unit;
  if (code !== '' && system) {
    out.system = system;
    out.code = code;
  }
  return out;
}

/** FHIR decimal from v2 NM text: `+1.50`, `007`, `.5` are numbers; `1,5`, `1e3`, `<5` are not. */
export function parseNm(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
