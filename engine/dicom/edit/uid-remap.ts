/**
 * Keyed, deterministic replacements for de-identification (PS3.15 E.1.1 action U): the same secret
 * maps the same original UID to the same new UID in every object and on every run, so a study's
 * instances stay together, references between objects still resolve, and a re-send is recognised
 * as the same instance. Without the secret the mapping cannot be reversed or recomputed
 * (HMAC-SHA256; a dictionary of likely UIDs is useless to an attacker without the key).
 */
import { createHmac } from 'node:crypto';

/**
 * `2.25.<decimal>` (PS3.5 B.2, a UUID as an integer): the first 128 bits of HMAC-SHA256(secret, uid)
 * with the version and variant bits set as RFC 9562 UUIDv8 (custom), so the value is a well-formed
 * UUID. At most 44 characters, within UI's 64.
 */
export function remapUid(secret: string, uid: string): string {
  const bytes = createHmac('sha256', secret).update(`uid\0${uid}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}

/** `${hash}` of patientName/patientId: 16 upper-case hex digits of HMAC-SHA256(secret, PatientID). */
export function patientHash(secret: string, patientId: string): string {
  return createHmac('sha256', secret)
    .update(`patient-id\0${patientId}`)
    .digest('hex')
    .slice(0, 16)
    .toUpperCase();
}
