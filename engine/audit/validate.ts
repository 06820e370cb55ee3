/** Checks an entry before it is hashed: what cannot be stored exactly cannot be verified later. */
import { AUDIT_ACTIONS, type AuditEntry } from './types.ts';

const ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);
const MAX_TEXT = 1000;
const MAX_DETAIL_KEYS = 50;
// With the u flag a surrogate pair is one code point, so \p{Cs} matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

function checkText(name: string, value: unknown, nullable: boolean): void {
  if (value === undefined || value === null) {
    if (nullable) return;
    throw new TypeError(`audit ${name} is required`);
  }
  if (typeof value !== 'string') throw new TypeError(`audit ${name} must be a string`);
  if (!nullable && value.length === 0) throw new TypeError(`audit ${name} must not be empty`);
  if (value.length > MAX_TEXT) throw new RangeError(`audit ${name} is longer than ${MAX_TEXT} characters`);
  // PostgreSQL text and jsonb cannot hold NUL: storing would fail (or alter) what was hashed.
  if (value.includes('\u0000')) throw new TypeError(`audit ${name} contains a NUL character`);
  // A lone surrogate is stored as U+FFFD: the row would no longer match its hash.
  if (LONE_SURROGATE.test(value)) throw new TypeError(`audit ${name} is not well-formed Unicode`);
}

export function validateEntry(entry: AuditEntry): void {
  checkText('actor', entry.actor, false);
  checkText('actorRole', entry.actorRole, true);
  checkText('target', entry.target, true);
  checkText('remoteAddress', entry.remoteAddress, true);
  if (!ACTIONS.has(entry.action)) throw new TypeError(`unknown audit action: ${String(entry.action)}`);
  const detail: unknown = entry.detail ?? {};
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw new TypeError('audit detail must be a flat object of ids and codes');
  }
  const entries = Object.entries(detail);
  if (entries.length > MAX_DETAIL_KEYS)
    throw new RangeError(`audit detail has more than ${MAX_DETAIL_KEYS} keys`);
  for (const [key, value] of entries) {
    checkText('detail key', key, false);
    if (typeof value === 'string') checkText(`detail.${key}`, value, true);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`audit detail.${key} must be a finite number`);
    } else if (value !== null && typeof value !== 'boolean') {
      throw new TypeError(`audit detail.${key} must be a string, number, boolean or null`);
    }
  }
}
