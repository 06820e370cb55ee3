/**
 * The search tables of migrations/002_fhir_store.sql (fhir_identifiers, fhir_references), rewritten
 * for a resource whenever a new version of it is stored, in the same transaction.
 */
import type { SqlQueryable } from '../db/sql.ts';
import { findReferences } from './references.ts';
import type { PlannedEntry } from './transaction-plan.ts';
import type { FhirResource } from './types.ts';

function identifiersOf(resource: FhirResource, entry: PlannedEntry): { system: string; value: string }[] {
  const list: { system: string; value: string }[] = [];
  // The identifier a conditional request matched on stays indexed even if the body lacks it, or
  // the next request with it would create a second resource.
  if (entry.target.kind === 'identifier') {
    list.push({ system: entry.target.system, value: entry.target.value });
  }
  const ids = resource.identifier;
  if (Array.isArray(ids)) {
    for (const item of ids as unknown[]) {
      const { system, value } = (item ?? {}) as { system?: unknown; value?: unknown };
      if (typeof system === 'string' && typeof value === 'string' && system !== '' && value !== '') {
        list.push({ system, value });
      }
    }
  }
  return list;
}

export async function reindex(
  tx: SqlQueryable,
  entry: PlannedEntry,
  id: string,
  resource: FhirResource,
  warnings: string[],
  /** First version of the resource: there are no index rows to clear (saves two statements). */
  created = false,
): Promise<void> {
  const type = entry.resourceType;
  if (!created)
    await tx.query('DELETE FROM fhir_identifiers WHERE resource_type = $1 AND id = $2', [type, id]);
  const seen = new Set<string>();
  for (const { system, value } of identifiersOf(resource, entry)) {
    const key = `${system}|${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const inserted = await tx.query(
      `INSERT INTO fhir_identifiers (resource_type, system, value, id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (resource_type, system, value) DO NOTHING RETURNING id`,
      [type, system, value, id],
    );
    if (inserted.rows.length > 0) continue;
    // One owner per identifier: an identifier another resource holds is reported, never moved
    // (moving it would silently re-point conditional updates at this resource).
    const owner = await tx.query<{ id: string }>(
      'SELECT id FROM fhir_identifiers WHERE resource_type = $1 AND system = $2 AND value = $3',
      [type, system, value],
    );
    const ownerId = owner.rows[0]?.id;
    if (ownerId !== undefined && ownerId !== id) {
      warnings.push(
        `${type}/${id}: identifier with system ${system} already belongs to ${type}/${ownerId}; not indexed`,
      );
    }
  }
  if (!created)
    await tx.query('DELETE FROM fhir_references WHERE resource_type = $1 AND id = $2', [type, id]);
  for (const ref of findReferences(resource)) {
    await tx.query(
      `INSERT INTO fhir_references (resource_type, id, path, target_type, target_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [type, id, ref.path, ref.targetType, ref.targetId],
    );
  }
}
