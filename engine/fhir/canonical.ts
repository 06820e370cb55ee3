/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. Two resources are
 * "the same content" when their canonical forms are equal; the store compares them this way so a
 * resent message does not create a new version.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) out[key] = sortKeys(record[key]);
    }
    return out;
  }
  return value;
}
