/** The hash chain: how one row's hash is computed and how a row is checked against its predecessor. */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped if the hashed form ever changes, so old rows stay verifiable under the old rule. */
const HASH_FORMAT = 'switchboard-audit-v1';

/** The hashed fields, as stored: at is an ISO 8601 UTC string with milliseconds. */
export interface ChainFields {
  readonly seq: string;
  readonly at: string;
  readonly actor: string;
  readonly actorRole: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly remoteAddress: string | null;
  /** As read back from jsonb: verify hashes whatever is stored, valid shape or not. */
  readonly detail: unknown;
  readonly prevHash: string;
}

export function chainHash(f: ChainFields): string {
  // A JSON array: every field is delimited and escaped, so no two rows can share a hash input.
  const input = canonicalJson([
    HASH_FORMAT,
    f.seq,
    f.at,
    f.actor,
    f.actorRole,
    f.action,
    f.target,
    f.remoteAddress,
    f.detail,
    f.prevHash,
  ]);
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

/** Why a stored row breaks the chain, or null when it holds. The link is checked before the content. */
export function chainProblem(
  row: ChainFields & { readonly hash: string },
  expectedPrev: string,
): string | null {
  if (row.prevHash !== expectedPrev) {
    return expectedPrev === GENESIS_HASH
      ? 'prev_hash of the first row is not the genesis value (earlier rows deleted?)'
      : 'prev_hash does not match the previous row (a row deleted, inserted or reordered, or its hash edited)';
  }
  let computed: string;
  try {
    computed = chainHash(row);
  } catch (err) {
    return `row content cannot be hashed: ${err instanceof Error ? err.message : String(err)}`;
  }
  return computed === row.hash ? null : 'hash does not match the row content (row edited)';
}
