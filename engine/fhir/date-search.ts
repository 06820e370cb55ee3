/**
 * FHIR date search values (`_lastUpdated=ge2024-05-01`, http://hl7.org/fhir/R4/search.html#date):
 * a prefix and a date of some precision, which stands for the whole range of that precision
 * (`2024-05` is all of May). Parsed here into half-open instant ranges the SQL compares a point
 * (meta.lastUpdated) against. Values without a time zone are taken as UTC.
 */

export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sa', 'eb'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

export interface DateCondition {
  readonly prefix: DatePrefix;
  /** Inclusive start of the value's range, ISO 8601 UTC with milliseconds. */
  readonly start: string;
  /** Exclusive end of the value's range. */
  readonly end: string;
}

const DATE =
  /^(eq|ne|gt|ge|lt|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export class DateSearchError extends Error {}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) throw new DateSearchError(`time zone ${zone} is out of range`);
  return sign * (hours * 60 + minutes);
}

/** Parses one value (after splitting on commas). Throws DateSearchError with what is wrong. */
export function parseDateValue(raw: string): DateCondition {
  const m = DATE.exec(raw);
  if (!m) {
    throw new DateSearchError(
      `"${raw.slice(0, 40)}" is not a FHIR date search value (prefix eq|ne|gt|ge|lt|le|sa|eb, then YYYY[-MM[-DD[Thh:mm[:ss[.fff]][Z|+hh:mm]]]])`,
    );
  }
  const [, prefix = 'eq', y, mo, d, h, mi, s, frac, zone] = m;
  if (prefix === 'ap') throw new DateSearchError('the ap (approximately) prefix is not supported');
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12) throw new DateSearchError(`month ${mo} is out of range`);
  if (day < 1 || day > daysIn(year, month)) throw new DateSearchError(`day ${d} is out of range`);
  if (hour > 23 || minute > 59 || second > 59) throw new DateSearchError(`time ${h}:${mi} is out of range`);
  const fracDigits = frac === undefined ? 0 : Math.min(frac.length, 3);
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const start = local - offsetMinutes(zone) * 60_000;
  let end: number;
  if (mo === undefined) end = Date.UTC(year + 1, 0, 1);
  else if (d === undefined) end = Date.UTC(year, month, 1);
  else if (h === undefined) end = Date.UTC(year, month - 1, day + 1);
  else if (s === undefined) end = start + 60_000;
  else if (frac === undefined) end = start + 1000;
  else end = start + 10 ** (3 - fracDigits);
  return { prefix: prefix as DatePrefix, start: iso(start), end: iso(end) };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The SQL test for a point in time `column` against one condition; `bind` adds a parameter and
 * returns its placeholder (only the bounds used are bound: PostgreSQL rejects unused parameters).
 * A point has no extent, so sa is gt and eb is lt.
 */
export function dateConditionSql(column: string, c: DateCondition, bind: (value: string) => string): string {
  const start = (): string => `${bind(c.start)}::timestamptz`;
  const end = (): string => `${bind(c.end)}::timestamptz`;
  switch (c.prefix) {
    case 'eq':
      return `(${column} >= ${start()} AND ${column} < ${end()})`;
    case 'ne':
      return `(${column} < ${start()} OR ${column} >= ${end()})`;
    case 'gt':
    case 'sa':
      return `${column} >= ${end()}`;
    case 'ge':
      return `${column} >= ${start()}`;
    case 'lt':
    case 'eb':
      return `${column} < ${start()}`;
    case 'le':
      return `${column} < ${end()}`;
  }
}
