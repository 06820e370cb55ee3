/**
 * Deduplication planning for one ingest batch, kept pure so its rules are unit-tested without a
 * database. Semantics are those of handling the batch's requests one by one, in order:
 *  - a request takes part when its window is > 0 and it has a header with a non-empty control ID;
 *  - it is a duplicate when its (sending application, sending facility, control ID) was first accepted
 *    within its window, and then gets the original message's ACK;
 *  - otherwise, if it is accepted (AA), it becomes the key's original (NAKed messages are never
 *    recorded, so a corrected resend with the same control ID is processed).
 * The first AA request of a key in the batch (its claimant) tries to record the key; what the rest of
 * the key's requests are follows from whether that claim won.
 */
import { sqlText } from './rows.ts';
import type { IngestRequest } from './types.ts';

export interface DedupKey {
  readonly sendingApplication: string;
  readonly sendingFacility: string;
  readonly controlId: string;
}

export interface DedupGroup {
  readonly key: DedupKey;
  /** Indexes into the batch, in order. */
  readonly members: readonly number[];
  /** Index of the first AA member, which tries to record the key; null when every member was NAKed. */
  readonly claimant: number | null;
}

export function takesPart(req: IngestRequest): boolean {
  return req.dedupWindowSeconds > 0 && req.header !== null && req.header.controlId !== '';
}

export function groupByKey(requests: readonly IngestRequest[]): DedupGroup[] {
  const groups = new Map<string, { key: DedupKey; members: number[]; claimant: number | null }>();
  requests.forEach((req, index) => {
    if (!takesPart(req) || req.header === null) return;
    // The key as stored: two spellings that store the same must not claim one row twice in a statement.
    const sendingApplication = sqlText(req.header.sendingApplication);
    const sendingFacility = sqlText(req.header.sendingFacility);
    const controlId = sqlText(req.header.controlId);
    const mapKey = JSON.stringify([sendingApplication, sendingFacility, controlId]);
    let group = groups.get(mapKey);
    if (!group) {
      group = { key: { sendingApplication, sendingFacility, controlId }, members: [], claimant: null };
      groups.set(mapKey, group);
    }
    group.members.push(index);
    if (group.claimant === null && req.ackCode === 'AA') group.claimant = index;
  });
  return [...groups.values()];
}

export interface Resolution {
  /** Requests that must look the key up in the store (an original from an earlier batch may exist). */
  readonly lookups: readonly number[];
  /** Request index -> index of its original within this batch. */
  readonly inBatch: ReadonlyMap<number, number>;
}

/**
 * `won`: claimants whose claim succeeded (no live record of the key existed). Then the members before
 * the claimant came when the key was not live (not duplicates) and those after it are duplicates of it.
 * Without a claim, or when it lost, every member is a duplicate exactly when the store has a live record.
 */
export function resolveGroups(groups: readonly DedupGroup[], won: ReadonlySet<number>): Resolution {
  const lookups: number[] = [];
  const inBatch = new Map<number, number>();
  for (const group of groups) {
    const claimant = group.claimant;
    if (claimant !== null && won.has(claimant)) {
      for (const member of group.members) if (member > claimant) inBatch.set(member, claimant);
    } else {
      lookups.push(...group.members);
    }
  }
  lookups.sort((a, b) => a - b);
  return { lookups, inBatch };
}
