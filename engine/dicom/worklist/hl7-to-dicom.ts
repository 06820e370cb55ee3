/**
 * HL7 v2 values in their DICOM forms for the worklist: XPN and XCN names -> PN
 * (family^given^middle^prefix^suffix), DTM -> DA (YYYYMMDD) and TM (HHMMSS) as the sender's local
 * wall time, administrative sex (table 0001) -> PatientSex (M, F, O).
 */
import { parseDtm } from '../../../mappings/datatypes/dtm.ts';

/** PN components may not hold the PN delimiters. */
const pnPart = (s: string): string => s.replace(/[\\^=]/g, ' ').trim();

/** PN from its five parts, trailing empty components dropped; null when all are empty. */
export function personName(
  family: string,
  given: string,
  middle: string,
  prefix: string,
  suffix: string,
): string | null {
  const pn = [family, given, middle, prefix, suffix].map(pnPart).join('^').replace(/\^+$/, '');
  return pn === '' ? null : pn;
}

/** Calendar date as sent (day precision needed), or null. */
export function dicomDate(dtm: string): string | null {
  const p = parseDtm(dtm);
  return p?.month !== undefined && p.day !== undefined ? `${p.year}${p.month}${p.day}` : null;
}

/** Time of day as sent (hour precision needed, minutes and seconds padded), or null. */
export function dicomTime(dtm: string): string | null {
  const p = parseDtm(dtm);
  return p?.hour !== undefined ? `${p.hour}${p.minute ?? '00'}${p.second ?? '00'}` : null;
}

/** Table 0001: M, F kept; A, N, O (ambiguous, not applicable, other) -> O; U and unknown -> null. */
export function dicomSex(sex: string): string | null {
  const s = sex.toUpperCase();
  if (s === 'M' || s === 'F') return s;
  return s === 'O' || s === 'A' || s === 'N' ? 'O' : null;
}
