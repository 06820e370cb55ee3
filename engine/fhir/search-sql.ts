/**
 * A parsed search (fhir-search.ts) as SQL over the FHIR store's tables: current, non-deleted
 * versions in fhir_resources, narrowed by the identifier and reference indexes (fhir_identifiers,
 * fhir_references) and last_updated, ordered by id so pages can continue after an id (keyset).
 */
import type { SqlQueryable } from '../db/sql.ts';
import { dateConditionSql } from './date-search.ts';
import { COUNT_CAP, type IdentifierMatch, type ParsedSearch, type SearchFilter } from './fhir-search.ts';
import { type StoredVersion, toStoredVersion, type VersionRow } from './resource-versions.ts';

export interface SqlWhere {
  readonly where: string;
  readonly params: unknown[];
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Identifiers without a system are not in fhir_identifiers: those are matched in the resource itself. */
function noSystemSql(p: Params, value: string): string {
  return `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.resource->'identifier') = 'array'
      THEN r.resource->'identifier' ELSE '[]'::jsonb END) AS e(x)
    WHERE x->>'value' = ${p.add(value)} AND coalesce(x->>'system', '') = '')`;
}

function identifierSql(p: Params, type: string, anyOf: readonly IdentifierMatch[]): string {
  const indexed: string[] = [];
  const direct: string[] = [];
  for (const m of anyOf) {
    if (m.kind === 'system-value')
      indexed.push(`(i.system = ${p.add(m.system)} AND i.value = ${p.add(m.value)})`);
    else if (m.kind === 'any-system') indexed.push(`i.value = ${p.add(m.value)}`);
    else if (m.kind === 'system-only') indexed.push(`i.system = ${p.add(m.system)}`);
    else direct.push(noSystemSql(p, m.value));
  }
  const parts = [...direct];
  if (indexed.length > 0) {
    parts.unshift(
      `r.id IN (SELECT i.id FROM fhir_identifiers i WHERE i.resource_type = ${p.add(type)} AND (${indexed.join(' OR ')}))`,
    );
  }
  return `(${parts.join(' OR ')})`;
}

function filterSql(p: Params, type: string, filter: SearchFilter): string {
  switch (filter.kind) {
    case 'id':
      return `r.id = ANY(${p.add(filter.ids)}::text[])`;
    case 'identifier':
      return identifierSql(p, type, filter.anyOf);
    case 'reference': {
      const targets = filter.anyOf.map(
        (m) => `(f.target_type = ANY(${p.add(m.types)}::text[]) AND f.target_id = ${p.add(m.id)})`,
      );
      return `r.id IN (SELECT f.id FROM fhir_references f WHERE f.resource_type = ${p.add(type)}
        AND f.path = ANY(${p.add(filter.paths)}::text[]) AND (${targets.join(' OR ')}))`;
    }
    case 'lastUpdated':
      return `(${filter.anyOf
        .map((c) => dateConditionSql('r.last_updated', c, (v) => p.add(v)))
        .join(' OR ')})`;
  }
}

/** The WHERE clause of `search` without its cursor (what the total counts), parameters from $1. */
export function searchWhere(search: ParsedSearch): SqlWhere {
  const p = new Params();
  const clauses = [`r.resource_type = ${p.add(search.type)}`, 'NOT r.deleted'];
  for (const filter of search.filters) clauses.push(filterSql(p, search.type, filter));
  return { where: clauses.join('\n  AND '), params: p.values };
}

export interface SearchResult {
  /** At most `count` matches, in id order, after the cursor. */
  readonly matches: StoredVersion[];
  /** Whether there are matches after the last one returned. */
  readonly more: boolean;
  /** All matches (ignoring the cursor); null when not asked for, or over COUNT_CAP unless accurate. */
  readonly total: number | null;
}

export async function runSearch(db: SqlQueryable, search: ParsedSearch): Promise<SearchResult> {
  const { where, params } = searchWhere(search);
  let total: number | null = null;
  if (search.total !== 'none') {
    const capped = search.total === 'counted';
    const sql = capped
      ? `SELECT count(*)::int AS n FROM (SELECT 1 FROM fhir_resources r WHERE ${where} LIMIT ${COUNT_CAP + 1}) c`
      : `SELECT count(*)::int AS n FROM fhir_resources r WHERE ${where}`;
    const counted = await db.query<{ n: number }>(sql, params);
    const n = Number(counted.rows[0]?.n ?? 0);
    total = capped && n > COUNT_CAP ? null : n;
  }
  // _count=0: the total only (search.html#count), no page to continue.
  if (search.count === 0) return { matches: [], more: false, total };
  const pageParams = [...params];
  let pageWhere = where;
  if (search.afterId !== null) {
    pageParams.push(search.afterId);
    pageWhere += `\n  AND r.id > $${pageParams.length}`;
  }
  pageParams.push(search.count + 1);
  const { rows } = await db.query<VersionRow>(
    `SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.resource
       FROM fhir_resources r WHERE ${pageWhere} ORDER BY r.id LIMIT $${pageParams.length}`,
    pageParams,
  );
  const more = rows.length > search.count;
  return { matches: rows.slice(0, search.count).map(toStoredVersion), more, total };
}
