/**
 * MRG -> the merged (non-surviving) Patient of an ADT^A40 merge, and Patient.link both ways. The
 * IG has no MRG[Patient] map (only MRG[Account]); this follows FHIR R4 Patient.link: the survivor
 * (PID) gets `link {other: merged, type: "replaces"}`, the merged record (MRG-1, else MRG-4)
 * `active: false` and `link {other: survivor, type: "replaced-by"}`. Both entries are conditional
 * updates on an identifier; the merged one carries only what the MRG says (MRG-1 identifiers,
 * MRG-7 name), so its earlier demographics live on in its history (mappings/README.md).
 */
import type { BundleEntry, Patient, Reference } from '../../engine/fhir/types.ts';
import { type ResourceKey, conditionalPut } from '../bundle.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { fieldPath, fieldValue, mapRepetitions } from '../datatypes/field.ts';
import { xpnToHumanNames } from '../datatypes/xpn.ts';
import type { SegmentMapEnv } from './env.ts';

const MRG = {
  priorIdentifiers: fieldPath('MRG-1'),
  priorPatientId: fieldPath('MRG-4'),
  priorName: fieldPath('MRG-7'),
} as const;

export interface PatientLink {
  other: Reference;
  type: 'replaced-by' | 'replaces' | 'refer' | 'seealso';
}

/** Patient with the elements a merge writes (engine/fhir/types.ts declares the PID ones). */
export interface LinkedPatient extends Patient {
  active?: boolean;
  link?: PatientLink[];
}

export interface MergedPatient {
  /** The merged Patient's conditional entry. */
  readonly entry: BundleEntry;
  /** The link the survivor gets. */
  readonly survivorLink: PatientLink;
}

/**
 * The merged Patient named by the message's (first) MRG, or undefined with a warning when the MRG
 * names no usable identifier or names the survivor itself.
 */
export function mapMergedPatient(
  env: SegmentMapEnv,
  survivor: { readonly fullUrl: string; readonly key: ResourceKey },
): MergedPatient | undefined {
  const { message, cx, tz } = env;
  if (message.segmentCount('MRG') === 0) {
    env.warnings.push(`ADT^${message.header.triggerEvent} PID has no MRG after it: nothing merged`);
    return undefined;
  }
  const identifiers = mapRepetitions(message, MRG.priorIdentifiers, (v) => cxToIdentifier(v, cx)); // MRG-1
  const prior =
    identifiers.length > 0 ? identifiers : [cxToIdentifier(fieldValue(message, MRG.priorPatientId), cx)];
  const keyed = prior.find((i) => i?.system !== undefined && i.value !== undefined);
  if (!keyed?.system || !keyed.value) {
    env.warnings.push('MRG-1 and MRG-4 hold no identifier with a value: nothing merged');
    return undefined;
  }
  const key: ResourceKey = { system: keyed.system, value: keyed.value };
  if (key.system === survivor.key.system && key.value === survivor.key.value) {
    env.warnings.push('MRG-1 names the surviving patient (PID-3): nothing merged');
    return undefined;
  }
  const merged: LinkedPatient = {
    resourceType: 'Patient',
    identifier: prior.filter((i) => i !== undefined),
    active: false,
  };
  const names = mapRepetitions(message, MRG.priorName, (v) => xpnToHumanNames(v, tz)).flat(); // MRG-7
  if (names.length > 0) merged.name = names;
  merged.link = [{ other: { reference: survivor.fullUrl, type: 'Patient' }, type: 'replaced-by' }];
  const entry = conditionalPut(merged, key);
  return { entry, survivorLink: { other: { reference: entry.fullUrl!, type: 'Patient' }, type: 'replaces' } };
}
