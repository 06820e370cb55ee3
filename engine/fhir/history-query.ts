/**
 * The query string of an instance history (`GET /fhir/Patient/x/_history?_count=10&_since=...`):
 * _count, _since, the paging _cursor, and _format/_pretty. Anything else is rejected, or ignored
 * under `Prefer: handling=lenient`, as for search (fhir-search.ts).
 */
import { CURSOR_PARAM, CursorError, decodeCursor } from './bundle-paging.ts';
import { DateSearchError, parseDateValue } from './date-search.ts';
import { DEFAULT_COUNT, FhirSearchError, MAX_COUNT } from './fhir-search.ts';

export interface HistoryQuery {
  readonly count: number;
  readonly since: string | null;
  readonly beforeVersion: number | null;
  readonly params: readonly (readonly [string, string])[];
  readonly ignored: readonly string[];
}

const ACCEPTED = ['_count', '_since', CURSOR_PARAM, '_format', '_pretty'];

export function parseHistoryQuery(
  query: readonly (readonly [string, string])[],
  options: { readonly lenient: boolean },
): HistoryQuery {
  let count = DEFAULT_COUNT;
  let since: string | null = null;
  let beforeVersion: number | null = null;
  const params: [string, string][] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const [key, value] of query) {
    if (value === '') continue;
    if (!ACCEPTED.includes(key)) {
      const why = `parameter "${key.slice(0, 100)}" is not supported on _history (supported: ${ACCEPTED.join(', ')})`;
      if (!options.lenient) throw new FhirSearchError(why);
      ignored.push(why);
      continue;
    }
    if (seen.has(key)) throw new FhirSearchError(`${key} may appear only once`);
    seen.add(key);
    if (key === '_count') {
      if (!/^\d{1,9}$/.test(value)) throw new FhirSearchError('_count must be a whole number');
      count = Math.min(Number(value), MAX_COUNT);
      params.push([key, String(count)]);
      continue;
    }
    try {
      if (key === '_since') {
        const condition = parseDateValue(value);
        if (condition.prefix !== 'eq' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
          throw new FhirSearchError('_since must be an instant such as 2024-05-01T00:00:00Z (no prefix)');
        }
        since = condition.start;
      } else if (key === CURSOR_PARAM) {
        const cursor = decodeCursor(value, 'history');
        if (cursor.kind === 'history') beforeVersion = cursor.beforeVersion;
      }
    } catch (err) {
      if (err instanceof DateSearchError) throw new FhirSearchError(`_since: ${err.message}`);
      if (err instanceof CursorError) throw new FhirSearchError(err.message);
      throw err;
    }
    params.push([key, value]);
  }
  return { count, since, beforeVersion, params, ignored };
}
