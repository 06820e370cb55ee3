/**
 * How patient identifiers are kept for search: messages.patient_ids (a GIN-indexed text[]) holds, per
 * identifier, its ID alone and its ID with the assigning authority, so "ID 123" and "ID 123 of
 * authority MCM" are each one index probe. Ingest and search build keys here, so they always agree.
 *
 * Identifiers are cleaned before they reach SQL (one bad value must not fail a group-commit batch):
 * surrounding spaces trimmed, values with control characters or longer than PATIENT_ID_MAX_LENGTH
 * dropped (a GIN key has a size limit), duplicates removed, at most PATIENT_IDS_PER_MESSAGE kept.
 */
import type { PatientIdentifier } from './types.ts';

export const PATIENT_ID_MAX_LENGTH = 200;
export const PATIENT_IDS_PER_MESSAGE = 32;

/** Between ID and authority in a qualified key. Control characters never occur in a kept value. */
const AUTHORITY_SEPARATOR = '\u001f';
/** Between the keys of one message on their way into SQL (ingest-sql.ts splits at chr(30)). */
export const PATIENT_KEY_SEPARATOR = '\u001e';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The value as stored and searched, or null when it cannot be an identifier key. */
function clean(value: string): string | null {
  const v = value.trim();
  if (v === '' || v.length > PATIENT_ID_MAX_LENGTH || CONTROL.test(v)) return null;
  return v;
}

/**
 * The search key for an ID, optionally narrowed to an assigning authority; null when no stored key can
 * match (empty, too long, control characters).
 */
export function patientIdKey(id: string, authority?: string | null): string | null {
  const cid = clean(id);
  if (cid === null) return null;
  if (authority === undefined || authority === null) return cid;
  const auth = clean(authority);
  return auth === null ? null : `${cid}${AUTHORITY_SEPARATOR}${auth}`;
}

/** Every key stored for a message's identifiers, deduplicated; empty when none is usable. */
export function patientIdKeys(ids: readonly PatientIdentifier[] | undefined): string[] {
  const keys = new Set<string>();
  for (const { id, authority } of ids ?? []) {
    if (keys.size >= PATIENT_IDS_PER_MESSAGE * 2) break;
    const bare = patientIdKey(id);
    if (bare === null) continue;
    keys.add(bare);
    const qualified = authority.trim() === '' ? null : patientIdKey(id, authority);
    if (qualified !== null) keys.add(qualified);
  }
  return [...keys];
}

/** One message's keys as the single text the ingest statement splits, or null for none. */
export function patientKeysParam(ids: readonly PatientIdentifier[] | undefined): string | null {
  const keys = patientIdKeys(ids);
  return keys.length === 0 ? null : keys.join(PATIENT_KEY_SEPARATOR);
}
