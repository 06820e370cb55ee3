/**
 * Parsing a FHIR search query string (`GET /fhir/Encounter?patient=...&_count=50`) into filters and
 * paging settings, before any SQL: http://hl7.org/fhir/R4/search.html. Repeating a parameter ANDs
 * its values, commas inside one value OR them (`\,` `\|` `\\` escape). Empty values are ignored, as
 * the spec says. Unsupported parameters and modifiers are an error (strict handling, the default) or
 * ignored and reported when the client sends `Prefer: handling=lenient`; a malformed value of a
 * supported parameter is always an error.
 */
import { CURSOR_PARAM, CursorError, decodeCursor } from './bundle-paging.ts';
import { type DateCondition, DateSearchError, parseDateValue } from './date-search.ts';
import { FHIR_ID, type ReferenceParam, searchParamNames, type SupportedType } from './search-params.ts';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 200;
/** OR-ed values across all filters of one search: enough for real use, a bound for the SQL. */
export const MAX_FILTER_VALUES = 100;
/** Bundle.total is left out above this many matches unless `_total=accurate` (see ParsedSearch.total). */
export const COUNT_CAP = 10_000;

export type IdentifierMatch =
  | { readonly kind: 'system-value'; readonly system: string; readonly value: string }
  /** `|value`: an identifier without a system. */
  | { readonly kind: 'no-system'; readonly value: string }
  /** `value`: any system. */
  | { readonly kind: 'any-system'; readonly value: string }
  /** `system|`: any value in that system. */
  | { readonly kind: 'system-only'; readonly system: string };

export interface ReferenceMatch {
  readonly types: readonly string[];
  readonly id: string;
}

/** One parameter occurrence: a resource must match one of its values. Filters are ANDed. */
export type SearchFilter =
  | { readonly kind: 'id'; readonly ids: readonly string[] }
  | { readonly kind: 'identifier'; readonly anyOf: readonly IdentifierMatch[] }
  | {
      readonly kind: 'reference';
      readonly param: string;
      readonly paths: readonly string[];
      readonly anyOf: readonly ReferenceMatch[];
    }
  | { readonly kind: 'lastUpdated'; readonly anyOf: readonly DateCondition[] };

export interface ParsedSearch {
  readonly type: string;
  readonly filters: readonly SearchFilter[];
  /** Page size, 0 to MAX_COUNT (0: total only). */
  readonly count: number;
  /** Continue after this id (from `_cursor`). */
  readonly afterId: string | null;
  /**
   * Bundle.total: `counted` (the default, and _total=estimate) counts up to COUNT_CAP matches and
   * leaves total out above that, so an unfiltered search stays cheap; `accurate` always counts;
   * `none` never does.
   */
  readonly total: 'none' | 'counted' | 'accurate';
  /** The parameters in effect, as given (for the self and next links). */
  readonly params: readonly (readonly [string, string])[];
  /** Names of the parameters in effect, without duplicates, in order (what the audit records). */
  readonly names: readonly string[];
  /** Parameters ignored under lenient handling, with why. */
  readonly ignored: readonly string[];
}

export interface SearchParseOptions {
  /** `Prefer: handling=lenient`: unsupported parameters are ignored instead of rejected. */
  readonly lenient: boolean;
  /** This server's FHIR base (`http://host/fhir`): absolute references to it are local ones. */
  readonly base: string;
}

export class FhirSearchError extends Error {}

/** Splits on `sep` where it is not escaped with a backslash; the parts keep their escapes. */
export function splitEscaped(value: string, sep: ',' | '|', limit = Infinity): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[i + 1]!;
      i++;
    } else if (c === sep && parts.length < limit - 1) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Removes search escapes: `\,` `\|` `\$` `\\`. */
export function unescapeSearch(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}

function parseIdentifier(raw: string): IdentifierMatch {
  const [system, value] = splitEscaped(raw, '|', 2);
  if (value === undefined) return { kind: 'any-system', value: unescapeSearch(raw) };
  const s = unescapeSearch(system!);
  const v = unescapeSearch(value);
  if (s === '' && v === '') throw new FhirSearchError('identifier "|" names neither a system nor a value');
  if (s === '') return { kind: 'no-system', value: v };
  if (v === '') return { kind: 'system-only', system: s };
  return { kind: 'system-value', system: s, value: v };
}

const RELATIVE_REF = /^([A-Z][A-Za-z]{1,63})\/([^/]+)$/;

function parseReference(
  param: ReferenceParam,
  typeModifier: string | null,
  raw: string,
  base: string,
): ReferenceMatch {
  const allowed = typeModifier ? [typeModifier] : param.targets;
  let ref = raw;
  if (ref.startsWith(`${base}/`)) ref = ref.slice(base.length + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
    throw new FhirSearchError(`${param.name}: only references to resources on this server are searchable`);
  }
  if (ref.includes('/_history/')) {
    throw new FhirSearchError(`${param.name}: version-specific references are not supported`);
  }
  const m = RELATIVE_REF.exec(ref);
  if (m) {
    const [, type, id] = m;
    if (!allowed.includes(type!)) {
      throw new FhirSearchError(`${param.name} must reference ${allowed.join(' or ')}, not ${type}`);
    }
    if (!FHIR_ID.test(id!))
      throw new FhirSearchError(`${param.name}: "${id!.slice(0, 70)}" is not a FHIR id`);
    return { types: [type!], id: id! };
  }
  if (!FHIR_ID.test(ref)) {
    throw new FhirSearchError(`${param.name}: "${ref.slice(0, 70)}" is neither Type/id nor a FHIR id`);
  }
  return { types: allowed, id: ref };
}

function parseCount(value: string): number {
  if (!/^\d{1,9}$/.test(value))
    throw new FhirSearchError(`_count must be a whole number, not "${value.slice(0, 20)}"`);
  return Math.min(Number(value), MAX_COUNT);
}

const ONCE = new Set(['_count', '_total', '_format', '_pretty', CURSOR_PARAM]);
const TYPE_MODIFIER = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * Parses the query pairs of a search on `type`, in the order they came. Throws FhirSearchError
 * (a 400 with its message) for anything it cannot honour.
 */
export function parseSearch(
  type: SupportedType,
  query: readonly (readonly [string, string])[],
  options: SearchParseOptions,
): ParsedSearch {
  const filters: SearchFilter[] = [];
  const params: [string, string][] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  let count = DEFAULT_COUNT;
  let afterId: string | null = null;
  let total: ParsedSearch['total'] = 'counted';
  let values = 0;
  const supported = (): string => searchParamNames(type).join(', ');
  const unsupported = (why: string): void => {
    if (!options.lenient) throw new FhirSearchError(`${why} (supported on ${type.type}: ${supported()})`);
    ignored.push(why);
  };
  const orValues = (value: string): string[] => {
    const parts = splitEscaped(value, ',').filter((v) => v !== '');
    values += parts.length;
    if (values > MAX_FILTER_VALUES) {
      throw new FhirSearchError(`a search may have at most ${MAX_FILTER_VALUES} values in all`);
    }
    return parts;
  };

  for (const [key, value] of query) {
    if (value === '') continue; // "empty parameters are ignored" (search.html#errors)
    const colon = key.indexOf(':');
    const name = colon < 0 ? key : key.slice(0, colon);
    const modifier = colon < 0 ? null : key.slice(colon + 1);
    const param = type.params.find((p) => p.name === name);
    const known = param !== undefined || searchParamNames(type).includes(name);
    if (!known) {
      unsupported(`search parameter "${key.slice(0, 100)}" is not supported`);
      continue;
    }
    const typeModifier = param?.kind === 'reference' && modifier !== null && TYPE_MODIFIER.test(modifier);
    if (modifier !== null && !typeModifier) {
      unsupported(`modifier :${modifier.slice(0, 50)} on ${name} is not supported`);
      continue;
    }
    if (ONCE.has(name)) {
      if (seen.has(name)) throw new FhirSearchError(`${name} may appear only once`);
      seen.add(name);
    }
    try {
      if (param?.kind === 'identifier') {
        filters.push({ kind: 'identifier', anyOf: orValues(value).map(parseIdentifier) });
      } else if (param?.kind === 'reference') {
        if (typeModifier && !param.targets.includes(modifier!)) {
          throw new FhirSearchError(
            `${name} cannot reference ${modifier} (only ${param.targets.join(', ')})`,
          );
        }
        const anyOf = orValues(value).map((v) =>
          parseReference(param, typeModifier ? modifier : null, v, options.base),
        );
        filters.push({ kind: 'reference', param: name, paths: param.paths, anyOf });
      } else if (name === '_id') {
        const ids = orValues(value).map(unescapeSearch);
        const bad = ids.find((id) => !FHIR_ID.test(id));
        if (bad !== undefined) throw new FhirSearchError(`_id: "${bad.slice(0, 70)}" is not a FHIR id`);
        filters.push({ kind: 'id', ids });
      } else if (name === '_lastUpdated') {
        filters.push({ kind: 'lastUpdated', anyOf: orValues(value).map(parseDateValue) });
      } else if (name === '_count') {
        count = parseCount(value);
        params.push([key, String(count)]);
        continue;
      } else if (name === '_total') {
        if (!['none', 'estimate', 'accurate'].includes(value)) {
          throw new FhirSearchError('_total must be none, estimate or accurate');
        }
        total = value === 'none' ? 'none' : value === 'accurate' ? 'accurate' : 'counted';
      } else if (name === CURSOR_PARAM) {
        const cursor = decodeCursor(value, 'search');
        if (cursor.kind === 'search') afterId = cursor.afterId;
      } else if (name === '_pretty') {
        if (value !== 'true' && value !== 'false') throw new FhirSearchError('_pretty must be true or false');
      }
      // _format is checked by content negotiation.
    } catch (err) {
      if (err instanceof DateSearchError) throw new FhirSearchError(`${name}: ${err.message}`);
      if (err instanceof CursorError) throw new FhirSearchError(err.message);
      throw err;
    }
    params.push([key, value]);
  }
  const names = [...new Set(params.map(([k]) => k.split(':')[0]!))];
  return { type: type.type, filters, count, afterId, total, params, names, ignored };
}

/** `Prefer: handling=lenient` (http://hl7.org/fhir/R4/search.html#errors); strict otherwise. */
export function wantsLenient(prefer: string | string[] | undefined): boolean {
  const header = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  return /(?:^|[,;\s])handling\s*=\s*"?lenient"?/i.test(header);
}
