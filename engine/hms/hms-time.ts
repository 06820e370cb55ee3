/**
 * HL7 v2 DTM/TS -> an ISO 8601 instant for a timestamptz column. Same parser as the FHIR mappings
 * (mappings/datatypes/dtm.ts); a time without an offset takes the destination's `defaultTimezone`,
 * a date without a time is midnight at that offset. null when the value is absent or not a DTM.
 */
import { dtmToDateTime } from '../../mappings/datatypes/dtm.ts';

export function hmsInstant(dtm: string, defaultOffset: string): string | null {
  const parsed = dtmToDateTime(dtm.trim(), defaultOffset);
  if (!parsed) return null;
  if (parsed.value.includes('T')) return parsed.value;
  const [year, month = '01', day = '01'] = parsed.value.split('-');
  return `${year}-${month}-${day}T00:00:00${defaultOffset}`;
}
