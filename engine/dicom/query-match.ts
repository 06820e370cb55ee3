/**
 * DICOM attribute matching (PS3.4 C.2.2.2) as SQL conditions, for the index's find* queries:
 * single value (exact), wildcard (`*` any run, `?` one character), UID list, and date range
 * (inclusive, open at either end). Person names match case-insensitively, as most archives do.
 * Universal matching is the absence of a key in the filter.
 */

/** Exact value, or a pattern with `*` and `?`. */
export type TextMatch = string;
/** One UID, or a list (any of them). */
export type UidMatch = string | readonly string[];
/** YYYYMMDD bounds, inclusive; either may be left out. */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}
/** An exact date, a range, or a C-FIND range string ("20190101-20191231", "-2019", "20190101-"). */
export type DateMatch = string | DateRange;

export class SqlConditions {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: string): void {
    this.conditions.push(condition);
  }

  text(column: string, match: TextMatch | undefined): void {
    if (match === undefined || match === '' || match === '*') return;
    if (hasWildcard(match)) this.add(`${column} LIKE ${this.param(likePattern(match))} ESCAPE '\\'`);
    else this.add(`${column} = ${this.param(match)}`);
  }

  personName(column: string, match: TextMatch | undefined): void {
    if (match === undefined || match === '' || match === '*') return;
    const value = match.toLowerCase();
    if (hasWildcard(value)) this.add(`lower(${column}) LIKE ${this.param(likePattern(value))} ESCAPE '\\'`);
    else this.add(`lower(${column}) = ${this.param(value)}`);
  }

  uid(column: string, match: UidMatch | undefined): void {
    if (match === undefined) return;
    if (typeof match === 'string') {
      if (match !== '') this.add(`${column} = ${this.param(match)}`);
      return;
    }
    this.add(`${column} = ANY(${this.param([...match])}::text[])`);
  }

  integer(column: string, match: number | undefined): void {
    if (match !== undefined) this.add(`${column} = ${this.param(match)}::integer`);
  }

  date(column: string, match: DateMatch | undefined): void {
    if (match === undefined || match === '') return;
    const range = typeof match === 'string' ? parseDateMatch(match) : match;
    if (typeof range === 'string') {
      this.add(`${column} = ${this.param(range)}`);
      return;
    }
    if (range.from) this.add(`${column} >= ${this.param(range.from)}`);
    if (range.to) this.add(`${column} <= ${this.param(range.to)}`);
  }

  where(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** A C-FIND date value: exact "YYYYMMDD", or a range with `-`. */
export function parseDateMatch(value: string): string | DateRange {
  const dash = value.indexOf('-');
  if (dash < 0) return value;
  const from = value.slice(0, dash).trim();
  const to = value.slice(dash + 1).trim();
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

const hasWildcard = (s: string): boolean => s.includes('*') || s.includes('?');

/** `*` -> `%`, `?` -> `_`; LIKE's own `%`, `_` and `\` are escaped. */
export function likePattern(match: string): string {
  return match
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}
