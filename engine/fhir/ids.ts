import { createHash } from 'node:crypto';

/** Switchboard's name-based UUID namespace (RFC 4122 section 4.3); fixed forever, ids depend on it. */
export const SWITCHBOARD_UUID_NAMESPACE = '5b1c9a52-3f0e-4d57-9a43-2f7c1e0b8d61';

/** RFC 4122 version 5 (SHA-1, name-based) UUID: the same name always gives the same id. */
export function uuidV5(name: string, namespace = SWITCHBOARD_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The logical id a resource gets when it is created from a conditional request on one identifier.
 * Mappings use the same value in the entry's `urn:uuid:` fullUrl, so a new resource keeps the id
 * the Bundle announced, and the same identifier always lands on the same id.
 */
export function identifierResourceId(resourceType: string, system: string, value: string): string {
  return uuidV5(`${resourceType}|${system}|${value}`);
}
