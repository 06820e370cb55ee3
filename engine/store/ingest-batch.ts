/**
 * The ingest transaction body: a constant number of statements per batch whatever its size. Common
 * case (no duplicates): ONE statement inserts every message and claims every dedup key; duplicates
 * add a lookup and an update.
 */
import type { SqlQueryable } from '../db/sql.ts';
import { groupByKey, resolveGroups, type DedupGroup } from './dedup-plan.ts';
import { CLAIM, INSERT_AND_CLAIM, LOOK_UP_ORIGINALS, MARK_DUPLICATES } from './ingest-sql.ts';
import { patientKeysParam } from './patient-ids.ts';
import { sqlText } from './rows.ts';
import type { AckCode, IngestRequest, IngestResult } from './types.ts';
import { assertIngestRequest } from './validate.ts';

interface Original {
  readonly id: string;
  readonly ack: Buffer;
  readonly ackCode: AckCode;
}

type Claim = DedupGroup & { readonly claimant: number };

export async function ingestBatch(
  tx: SqlQueryable,
  requests: readonly IngestRequest[],
): Promise<IngestResult[]> {
  if (requests.length === 0) return [];
  requests.forEach(assertIngestRequest);
  const groups = groupByKey(requests);
  const claims = groups.filter((g): g is Claim => g.claimant !== null);
  const windowOf = (c: Claim) => requests[c.claimant]!.dedupWindowSeconds;
  // The window is a listener setting, so a batch's claims nearly always share one: those go with the insert.
  const window = claims[0] ? windowOf(claims[0]) : 0;
  const { ids, won } = await insertAndClaim(
    tx,
    requests,
    claims.filter((c) => windowOf(c) === window),
    window,
  );
  const others = new Map<number, Claim[]>();
  for (const c of claims)
    if (windowOf(c) !== window) others.set(windowOf(c), [...(others.get(windowOf(c)) ?? []), c]);
  for (const [w, cs] of others) for (const c of await claim(tx, ids, cs, w)) won.add(c);

  const { lookups, inBatch } = resolveGroups(groups, won);
  const originals = new Map<number, Original>();
  for (const [index, original] of inBatch) {
    const o = requests[original]!;
    originals.set(index, { id: ids[original]!, ack: o.ack, ackCode: o.ackCode });
  }
  for (const [index, original] of await lookUpOriginals(tx, requests, lookups))
    originals.set(index, original);
  if (originals.size > 0) {
    const duplicates = [...originals.keys()].map((i) => ids[i]!);
    await tx.query(MARK_DUPLICATES, [duplicates, [...originals.values()].map((o) => o.id)]);
  }
  return requests.map((req, i) => {
    const original = originals.get(i);
    return original
      ? { messageId: ids[i]!, duplicateOf: original.id, ack: original.ack, ackCode: original.ackCode }
      : { messageId: ids[i]!, duplicateOf: null, ack: req.ack, ackCode: req.ackCode };
  });
}

async function insertAndClaim(
  tx: SqlQueryable,
  requests: readonly IngestRequest[],
  claims: readonly Claim[],
  window: number,
): Promise<{ ids: string[]; won: Set<number> }> {
  const h = (f: (hd: NonNullable<IngestRequest['header']>) => string) =>
    requests.map((r) => (r.header ? sqlText(f(r.header)) : null));
  const { rows } = await tx.query<{ ord: number; id: string; claimed: boolean }>(INSERT_AND_CLAIM, [
    requests.length,
    requests.map((r) => sqlText(r.listener)),
    requests.map((r) => sqlText(r.remoteAddress)),
    requests.map((r) => r.raw),
    h((x) => x.sendingApplication),
    h((x) => x.sendingFacility),
    h((x) => x.receivingApplication),
    h((x) => x.receivingFacility),
    h((x) => x.messageType),
    h((x) => x.triggerEvent),
    h((x) => x.controlId),
    h((x) => x.version),
    requests.map((r) => sqlText(r.partitionKey)),
    requests.map((r) => r.ackCode),
    requests.map((r) => r.ack),
    requests.map((r) => sqlText(r.error)),
    claims.map((c) => c.key.sendingApplication),
    claims.map((c) => c.key.sendingFacility),
    claims.map((c) => c.key.controlId),
    claims.map((c) => c.claimant + 1),
    window,
    requests.map((r) => patientKeysParam(r.patientIds)),
  ]);
  if (rows.length !== requests.length || rows.some((r, i) => r.ord !== i + 1)) {
    throw new Error(`message insert returned ${rows.length} rows for ${requests.length} messages`);
  }
  const won = new Set<number>();
  rows.forEach((r, i) => {
    if (r.claimed) won.add(i);
  });
  return { ids: rows.map((r) => r.id), won };
}

/** Returns the claimants that won. */
async function claim(tx: SqlQueryable, ids: readonly string[], claims: readonly Claim[], window: number) {
  const { rows } = await tx.query<{ message_id: string }>(CLAIM, [
    claims.map((c) => c.key.sendingApplication),
    claims.map((c) => c.key.sendingFacility),
    claims.map((c) => c.key.controlId),
    claims.map((c) => ids[c.claimant]!),
    window,
  ]);
  const winners = new Set(rows.map((r) => r.message_id));
  return claims.filter((c) => winners.has(ids[c.claimant]!)).map((c) => c.claimant);
}

async function lookUpOriginals(
  tx: SqlQueryable,
  requests: readonly IngestRequest[],
  lookups: readonly number[],
): Promise<Map<number, Original>> {
  const found = new Map<number, Original>();
  if (lookups.length === 0) return found;
  const key = (i: number) => requests[i]!.header!;
  const { rows } = await tx.query<{ ord: number; id: string; ack: Buffer; ack_code: AckCode }>(
    LOOK_UP_ORIGINALS,
    [
      lookups.map((i) => sqlText(key(i).sendingApplication)),
      lookups.map((i) => sqlText(key(i).sendingFacility)),
      lookups.map((i) => sqlText(key(i).controlId)),
      lookups.map((i) => requests[i]!.dedupWindowSeconds),
    ],
  );
  for (const r of rows) found.set(lookups[r.ord - 1]!, { id: r.id, ack: r.ack, ackCode: r.ack_code });
  return found;
}
