/**
 * OBX-7 -> Observation.referenceRange, per the OBX-7 row of "HL7 Segment - FHIR R4_ OBX[Observation]"
 * (referenceRange.text; "if OBX-7 is sufficiently parseable, then the low, high ... may be used"):
 * the text is always kept; `a-b`, `<b`, `<=b`, `>a`, `>=a` also give low / high in OBX-6 units.
 */
import type { ObservationReferenceRange } from './resources.ts';
import { parseNm, type QuantityUnit } from './units.ts';

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const BETWEEN = new RegExp(String.raw`^(${NUM})\s*-\s*(${NUM})$`);
const BELOW = new RegExp(String.raw`^<=?\s*(${NUM})$`);
const ABOVE = new RegExp(String.raw`^>=?\s*(${NUM})$`);

export function referenceRange(text: string, unit: QuantityUnit): ObservationReferenceRange | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const out: ObservationReferenceRange = {};
  const q = (n: string) => ({ value: parseNm(n)!, ...unit });
  let m = BETWEEN.exec(t);
  if (m) {
    out.low = q(m[1]!);
    out.high = q(m[2]!);
  } else if ((m = BELOW.exec(t))) {
    out.high = q(m[1]!);
  } else if ((m = ABOVE.exec(t))) {
    out.low = q(m[1]!);
  }
  out.text = t;
  return out;
}
