/**
 * DTM / TS.1 -> FHIR date and dateTime, keeping the precision the sender gave.
 * IG rows: "HL7 Data Type - FHIR R4_ DTM[dateTime]" DTM.1 and "TS[dateTime]" TS.1 ("must convert
 * v2 date time format to FHIR date time format", http://hl7.org/fhir/R4/datatypes.html#dateTime).
 *
 * v2 DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ] (v2.8 section 2A.3.22).
 * FHIR R4 dateTime: YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss[.f+](Z|+hh:mm); once a time
 * is given, seconds and a zone are mandatory. So hour and minute precision are padded with zeros,
 * and a time without an offset gets the configured default offset (option `defaultTimezone`,
 * default 'Z'), reported as `offsetAssumed` so the mapping can warn. Dates never carry a zone.
 */

export type DtmPrecision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction';

export interface ParsedDtm {
  readonly year: string;
  readonly month?: string;
  readonly day?: string;
  readonly hour?: string;
  readonly minute?: string;
  readonly second?: string;
  readonly fraction?: string;
  /** `+hh:mm` / `-hh:mm`, when the value carried one. */
  readonly offset?: string;
  readonly precision: DtmPrecision;
}

export interface FhirDateTime {
  readonly value: string;
  readonly precision: DtmPrecision;
  /** A time was given without an offset, so the default offset was used. */
  readonly offsetAssumed: boolean;
}

const DTM =
  /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;
/** FHIR R4 zone range: -13:59 .. +14:00 (the dateTime regex). */
const FHIR_OFFSET = /^(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))$/;

export function isValidOffset(offset: string): boolean {
  return FHIR_OFFSET.test(offset);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses a DTM; null when it is not one (bad shape or out-of-range part, or year 0000). */
export function parseDtm(text: string): ParsedDtm | null {
  const m = DTM.exec(text.trim());
  if (!m) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  if (year === undefined || year === '0000') return null;
  if (month !== undefined && (+month < 1 || +month > 12)) return null;
  if (day !== undefined && (+day < 1 || +day > daysIn(+year, +month!))) return null;
  if (hour !== undefined && +hour > 23) return null;
  if (minute !== undefined && +minute > 59) return null;
  if (second !== undefined && +second > 59) return null;
  let offset: string | undefined;
  if (zone !== undefined) {
    offset = `${zone.slice(0, 3)}:${zone.slice(3)}`;
    if (!isValidOffset(offset)) return null;
  }
  const precision: DtmPrecision =
    fraction !== undefined
      ? 'fraction'
      : second !== undefined
        ? 'second'
        : minute !== undefined
          ? 'minute'
          : hour !== undefined
            ? 'hour'
            : day !== undefined
              ? 'day'
              : month !== undefined
                ? 'month'
                : 'year';
  return {
    year,
    precision,
    ...(month !== undefined && { month }),
    ...(day !== undefined && { day }),
    ...(hour !== undefined && { hour }),
    ...(minute !== undefined && { minute }),
    ...(second !== undefined && { second }),
    ...(fraction !== undefined && { fraction }),
    ...(offset !== undefined && { offset }),
  };
}

function datePart(p: ParsedDtm): string {
  let out = p.year;
  if (p.month !== undefined) out += `-${p.month}`;
  if (p.day !== undefined) out += `-${p.day}`;
  return out;
}

/** FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD): the calendar date as sent, any time cut off. */
export function dtmToDate(text: string): string | undefined {
  const p = parseDtm(text);
  return p ? datePart(p) : undefined;
}

/** FHIR `dateTime` with the sender's precision; `defaultOffset` is 'Z' or ±hh:mm. */
export function dtmToDateTime(text: string, defaultOffset = 'Z'): FhirDateTime | undefined {
  const p = parseDtm(text);
  if (!p) return undefined;
  if (p.hour === undefined) return { value: datePart(p), precision: p.precision, offsetAssumed: false };
  const time = `${p.hour}:${p.minute ?? '00'}:${p.second ?? '00'}${p.fraction !== undefined ? `.${p.fraction}` : ''}`;
  const zone = p.offset ?? defaultOffset;
  return {
    value: `${datePart(p)}T${time}${zone}`,
    precision: p.precision,
    offsetAssumed: p.offset === undefined,
  };
}
