/**
 * The ADT segments other than PID and PV1 (NK1, PD1, AL1, DG1, PR1, IN1, ROL, PV2 extras): each maps
 * to resources of its own that reference the Patient (and the Encounter when there is one).
 */
import type { BundleEntry } from '../../engine/fhir/types.ts';
import type { SegmentMapEnv } from './env.ts';

export interface AdtRefs {
  /** fullUrl (urn:uuid) of the Patient entry. */
  readonly patient: string;
  /** fullUrl of the Encounter entry, or null when the message has no PV1. */
  readonly encounter: string | null;
}

/** Entries for every such segment of the message, in segment order. */
export function mapAdtSegments(_env: SegmentMapEnv, _refs: AdtRefs): BundleEntry[] {
  return [];
}
