/**
 * The engine's FHIR R4 store, written through the SQL port (tables: migrations/002_fhir_store.sql).
 * `applyTransaction` runs inside the CALLER's transaction: the dispatcher marks the delivery sent
 * in that same transaction, so a Bundle is applied exactly once, and a rollback leaves nothing.
 */
import type { SqlQueryable } from '../db/sql.ts';
import { canonicalJson } from './canonical.ts';
import { identifierResourceId, uuidV5 } from './ids.ts';
import { rewriteReferences } from './references.ts';
import { reindex } from './search-index.ts';
import { FhirTransactionError, type PlannedEntry, planTransaction } from './transaction-plan.ts';
import type { FhirBundle, FhirResource, Meta } from './types.ts';

export { FhirTransactionError } from './transaction-plan.ts';

export interface TransactionEntryOutcome {
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: number;
  /** `Type/id/_history/n`, as a transaction-response entry's response.location. */
  readonly location: string;
}

export interface TransactionOutcome {
  readonly entries: TransactionEntryOutcome[];
  /** Identifiers that another resource already owns (left unindexed for this one): data to review. */
  readonly warnings: string[];
}

/** meta.source of every version: the Switchboard message it was made from (R4 Meta.source is a uri). */
export const messageSourceUri = (messageId: string): string => `urn:switchboard:message:${messageId}`;

interface Row {
  version_id: number;
  resource: FhirResource;
  deleted: boolean;
}

/** The content two versions are compared on: everything but the store's own meta elements. */
function content(resource: FhirResource): string {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, source: _s, ...ownMeta } = meta ?? {};
  return canonicalJson(Object.keys(ownMeta).length > 0 ? { ...rest, meta: ownMeta } : rest);
}

async function resolveId(
  tx: SqlQueryable,
  entry: PlannedEntry,
  messageId: string,
): Promise<{ id: string; matched: boolean }> {
  const { target, resourceType } = entry;
  if (target.kind === 'id') return { id: target.id, matched: false };
  if (target.kind === 'create')
    return { id: uuidV5(`${messageSourceUri(messageId)}|entry|${entry.index}`), matched: false };
  const found = await tx.query<{ id: string }>(
    'SELECT id FROM fhir_identifiers WHERE resource_type = $1 AND system = $2 AND value = $3',
    [resourceType, target.system, target.value],
  );
  const match = found.rows[0]?.id;
  return match !== undefined
    ? { id: match, matched: true }
    : { id: identifierResourceId(resourceType, target.system, target.value), matched: false };
}

async function lockCurrent(tx: SqlQueryable, type: string, id: string): Promise<Row | undefined> {
  const { rows } = await tx.query<Row>(
    'SELECT version_id, resource, deleted FROM fhir_resources WHERE resource_type = $1 AND id = $2 FOR UPDATE',
    [type, id],
  );
  return rows[0];
}

interface WriteContext {
  readonly tx: SqlQueryable;
  readonly messageId: string;
  readonly lastUpdated: string;
  readonly warnings: string[];
}

async function writeEntry(
  ctx: WriteContext,
  entry: PlannedEntry,
  id: string,
  matched: boolean,
  body: FhirResource,
): Promise<TransactionEntryOutcome> {
  const { tx, messageId, lastUpdated } = ctx;
  const type = entry.resourceType;
  const result = (
    outcome: TransactionEntryOutcome['outcome'],
    versionId: number,
  ): TransactionEntryOutcome => ({
    outcome,
    resourceType: type,
    id,
    versionId,
    location: `${type}/${id}/_history/${versionId}`,
  });
  const current = await lockCurrent(tx, type, id);
  const createOnly = entry.target.kind === 'identifier' && entry.target.createOnly;
  if (
    current &&
    !current.deleted &&
    ((createOnly && matched) || content(current.resource) === content({ ...body, id }))
  ) {
    return result('unchanged', current.version_id);
  }
  const versionId = current ? current.version_id + 1 : 1;
  const meta: Meta = {
    ...body.meta,
    versionId: String(versionId),
    lastUpdated,
    source: messageSourceUri(messageId),
  };
  const resource: FhirResource = { ...body, id, meta };
  const json = JSON.stringify(resource);
  const params = [type, id, versionId, lastUpdated, json, messageId];
  if (current) {
    await tx.query(
      `UPDATE fhir_resources SET version_id = $3, last_updated = $4, resource = $5::jsonb, deleted = false,
         source_message_id = $6::bigint WHERE resource_type = $1 AND id = $2`,
      params,
    );
  } else {
    const inserted = await tx.query(
      `INSERT INTO fhir_resources (resource_type, id, version_id, last_updated, resource, deleted, source_message_id)
       VALUES ($1, $2, $3, $4, $5::jsonb, false, $6::bigint) ON CONFLICT (resource_type, id) DO NOTHING RETURNING id`,
      params,
    );
    if (inserted.rows.length === 0) {
      // A concurrent transaction created it first (it has committed by now): update that one instead.
      if (await lockCurrent(tx, type, id)) return writeEntry(ctx, entry, id, matched, body);
      throw new Error(`${type}/${id}: insert conflicted but no row is visible`);
    }
  }
  await tx.query(
    `INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, resource, deleted, source_message_id)
     VALUES ($1, $2, $3, $4, $5::jsonb, false, $6::bigint)`,
    params,
  );
  await reindex(tx, entry, id, resource, ctx.warnings, current === undefined);
  return result(current ? 'updated' : 'created', versionId);
}

/**
 * Applies a transaction Bundle inside `tx` (see the file comment). Resends of the same content
 * create no version: versions are compared on canonical JSON without the store's meta.
 */
export async function applyTransaction(
  tx: SqlQueryable,
  bundle: FhirBundle,
  source: { readonly messageId: string },
): Promise<TransactionOutcome> {
  if (!/^\d{1,19}$/.test(source.messageId)) {
    throw new FhirTransactionError(`source message id "${source.messageId}" is not a message store id`);
  }
  const entries = planTransaction(bundle);
  const resolved: { id: string; matched: boolean }[] = [];
  const byFullUrl = new Map<string, string>();
  const seen = new Set<string>();
  for (const entry of entries) {
    const r = await resolveId(tx, entry, source.messageId);
    const ref = `${entry.resourceType}/${r.id}`;
    if (seen.has(ref))
      throw new FhirTransactionError(`resolves to ${ref}, as an earlier entry does`, entry.index);
    seen.add(ref);
    resolved.push(r);
    if (entry.fullUrl !== undefined) byFullUrl.set(entry.fullUrl, ref);
  }
  const bodies = entries.map((entry) => {
    const { resource, unresolved } = rewriteReferences(entry.resource, byFullUrl);
    if (unresolved.length > 0) {
      throw new FhirTransactionError(
        `reference ${unresolved[0]} is not the fullUrl of any entry`,
        entry.index,
      );
    }
    return resource;
  });
  const ctx: WriteContext = {
    tx,
    messageId: source.messageId,
    lastUpdated: new Date().toISOString(),
    warnings: [],
  };
  const outcomes: TransactionEntryOutcome[] = [];
  for (const [i, entry] of entries.entries()) {
    const { id, matched } = resolved[i]!;
    outcomes.push(await writeEntry(ctx, entry, id, matched, bodies[i]!));
  }
  return { entries: outcomes, warnings: ctx.warnings };
}

/** The current version, or null when there is none or it is deleted. */
export async function readResource(db: SqlQueryable, type: string, id: string): Promise<FhirResource | null> {
  const { rows } = await db.query<{ resource: FhirResource }>(
    'SELECT resource FROM fhir_resources WHERE resource_type = $1 AND id = $2 AND NOT deleted',
    [type, id],
  );
  return rows[0]?.resource ?? null;
}

/** Every version, newest first (FHIR _history order). */
export async function readHistory(db: SqlQueryable, type: string, id: string): Promise<FhirResource[]> {
  const { rows } = await db.query<{ resource: FhirResource }>(
    'SELECT resource FROM fhir_resource_history WHERE resource_type = $1 AND id = $2 ORDER BY version_id DESC',
    [type, id],
  );
  return rows.map((r) => r.resource);
}

/** `GET Type?identifier=system|value`: zero or one resource (identifiers have one owner). */
export async function searchByIdentifier(
  db: SqlQueryable,
  type: string,
  system: string,
  value: string,
): Promise<FhirResource[]> {
  const { rows } = await db.query<{ resource: FhirResource }>(
    `SELECT r.resource FROM fhir_identifiers i
       JOIN fhir_resources r ON r.resource_type = i.resource_type AND r.id = i.id
     WHERE i.resource_type = $1 AND i.system = $2 AND i.value = $3 AND NOT r.deleted`,
    [type, system, value],
  );
  return rows.map((r) => r.resource);
}

/** `GET Type?<path>=Target/id` (e.g. Encounter?subject=Patient/x), ordered by id. */
export async function searchByReference(
  db: SqlQueryable,
  type: string,
  path: string,
  target: string,
): Promise<FhirResource[]> {
  const [targetType, targetId] = target.split('/');
  const { rows } = await db.query<{ resource: FhirResource }>(
    `SELECT r.resource FROM fhir_references f
       JOIN fhir_resources r ON r.resource_type = f.resource_type AND r.id = f.id
     WHERE f.target_type = $1 AND f.target_id = $2 AND f.resource_type = $3 AND f.path = $4 AND NOT r.deleted
     ORDER BY r.id`,
    [targetType ?? '', targetId ?? '', type, path],
  );
  return rows.map((r) => r.resource);
}
