/**
 * The StudyInstanceUID of a worklist item: deterministic per accession number, so a resent or
 * updated order keeps it and the modality can put it in the images it makes. A name-based UUID
 * (version 5, SHA-1) of the accession number under a namespace of ours, written as a UID under
 * the 2.25 root (PS3.5 B.2: the UUID as one decimal integer), at most 44 characters.
 */
import { createHash } from 'node:crypto';

/** Switchboard's worklist namespace UUID (random, fixed forever: changing it changes every UID). */
const NAMESPACE = Buffer.from('5b0c2f6e8a4d4c1f9e3a7d21c64b0f95', 'hex');

export function studyUidForAccession(accessionNumber: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(accessionNumber, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}
