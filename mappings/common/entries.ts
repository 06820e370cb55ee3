/**
 * The entries one message's segment maps collect. A practitioner or payer named by several
 * segments (PR1-11 and ROL-4, two IN1 of one insurer) must appear once in a transaction: two
 * entries with the same conditional URL are an error on a FHIR server. The first one wins.
 */
import type { BundleEntry } from '../../engine/fhir/types.ts';

export class EntryList {
  private readonly byUrl = new Map<string, BundleEntry>();

  /** Adds the entry unless one with its fullUrl is already there; returns that fullUrl. */
  add(entry: BundleEntry): string {
    const key = entry.fullUrl ?? entry.request?.url ?? `#${this.byUrl.size}`;
    if (!this.byUrl.has(key)) this.byUrl.set(key, entry);
    return key;
  }

  has(fullUrl: string): boolean {
    return this.byUrl.has(fullUrl);
  }

  /** In the order they were first added. */
  toArray(): BundleEntry[] {
    return [...this.byUrl.values()];
  }
}

/** Drops later entries whose fullUrl an earlier entry already has (for merging lists built apart). */
export function dedupeEntries(entries: readonly BundleEntry[]): BundleEntry[] {
  const list = new EntryList();
  for (const entry of entries) list.add(entry);
  return list.toArray();
}
