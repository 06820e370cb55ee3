/**
 * Versions of one resource as the read API serves them: the current one (read), one by number
 * (vread), and pages of all of them newest first (history). Unlike readResource/readHistory in
 * fhir-store.ts these keep deleted versions (answered 410 Gone) and carry version and timestamp for
 * the ETag and Last-Modified headers.
 */
import type { SqlQueryable } from '../db/sql.ts';
import type { FhirResource } from './types.ts';

export interface StoredVersion {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: number;
  /** ISO 8601 with milliseconds (what meta.lastUpdated says). */
  readonly lastUpdated: string;
  readonly deleted: boolean;
  readonly resource: FhirResource;
}

export interface VersionRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date | string;
  deleted: boolean;
  resource: FhirResource;
}

/** The row as served: meta.versionId and meta.lastUpdated always those of the row. */
export function toStoredVersion(row: VersionRow): StoredVersion {
  const versionId = Number(row.version_id);
  const lastUpdated = new Date(row.last_updated).toISOString();
  const resource: FhirResource = {
    ...row.resource,
    meta: { ...row.resource.meta, versionId: String(versionId), lastUpdated },
  };
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId,
    lastUpdated,
    deleted: row.deleted,
    resource,
  };
}

const COLUMNS = 'resource_type, id, version_id, last_updated, deleted, resource';

/** The current version (deleted or not), or null when the resource was never stored. */
export async function readCurrentVersion(
  db: SqlQueryable,
  type: string,
  id: string,
): Promise<StoredVersion | null> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM fhir_resources WHERE resource_type = $1 AND id = $2`,
    [type, id],
  );
  return rows[0] ? toStoredVersion(rows[0]) : null;
}

export async function readVersion(
  db: SqlQueryable,
  type: string,
  id: string,
  versionId: number,
): Promise<StoredVersion | null> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM fhir_resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3`,
    [type, id, versionId],
  );
  return rows[0] ? toStoredVersion(rows[0]) : null;
}

export interface HistoryPageRequest {
  /** Versions below this number (from the paging cursor). */
  readonly beforeVersion: number | null;
  /** `_since`: versions updated at or after this instant. */
  readonly since: string | null;
  readonly count: number;
}

export interface HistoryPage {
  readonly versions: StoredVersion[];
  readonly more: boolean;
  /** Versions in the whole history (with `_since` applied). */
  readonly total: number;
  /** Whether the resource has any version at all (404 otherwise). */
  readonly exists: boolean;
}

/** A page of the resource's versions, newest first (FHIR _history order). */
export async function readHistoryPage(
  db: SqlQueryable,
  type: string,
  id: string,
  page: HistoryPageRequest,
): Promise<HistoryPage> {
  const counted = await db.query<{ n: number; since_n: number }>(
    `SELECT count(*)::int AS n,
            count(*) FILTER (WHERE $3::timestamptz IS NULL OR last_updated >= $3::timestamptz)::int AS since_n
       FROM fhir_resource_history WHERE resource_type = $1 AND id = $2`,
    [type, id, page.since],
  );
  const all = Number(counted.rows[0]?.n ?? 0);
  const total = Number(counted.rows[0]?.since_n ?? 0);
  if (all === 0 || page.count === 0) return { versions: [], more: false, total, exists: all > 0 };
  const { rows } = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM fhir_resource_history
      WHERE resource_type = $1 AND id = $2
        AND ($3::integer IS NULL OR version_id < $3::integer)
        AND ($4::timestamptz IS NULL OR last_updated >= $4::timestamptz)
      ORDER BY version_id DESC LIMIT $5`,
    [type, id, page.beforeVersion, page.since, page.count + 1],
  );
  return {
    versions: rows.slice(0, page.count).map(toStoredVersion),
    more: rows.length > page.count,
    total,
    exists: true,
  };
}
