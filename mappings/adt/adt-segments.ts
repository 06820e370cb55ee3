/**
 * The ADT segments other than PID, PV1, PV2 and MRG, after "HL7 Message - FHIR R4_ ADT_A01": NK1 ->
 * RelatedPerson (row 15.1), PD1-4 -> Practitioner (row 7), ROL -> PractitionerRole (rows 13, 19),
 * AL1 -> AllergyIntolerance (23), DG1 -> Condition (25), PR1 -> Procedure (27.1), IN1 -> Coverage
 * and payer Organization (29.1). Each is a conditional entry referencing the Patient (and the
 * Encounter when there is one); a Practitioner or Organization several segments name appears once.
 *
 * What these segments add to the Patient and the Encounter themselves (Patient.contact,
 * Patient.generalPractitioner, Encounter.participant, Encounter.diagnosis) is given to their maps
 * by `nk1PatientContacts`, `generalPractitioners`, `rolEncounterParticipants` and
 * `encounterDiagnoses`.
 */
import type { BundleEntry, Reference } from '../../engine/fhir/types.ts';
import { EntryList } from '../common/entries.ts';
import { segmentReaders } from '../common/segments.ts';
import { mapAl1 } from './al1-allergy-intolerance.ts';
import { mapDg1 } from './dg1-condition.ts';
import type { SegmentMapEnv } from './env.ts';
import { mapIn1 } from './in1-coverage.ts';
import { mapNk1 } from './nk1-related-person.ts';
import { mapPd1 } from './pd1-general-practitioner.ts';
import { mapPr1 } from './pr1-procedure.ts';
import { mapRols } from './rol-practitioner-role.ts';

export { nk1PatientContacts, type PatientContact } from './nk1-related-person.ts';
export { generalPractitioners } from './pd1-general-practitioner.ts';
export { rolEncounterParticipants, type RolParticipant } from './rol-practitioner-role.ts';

export interface AdtRefs {
  /** fullUrl (urn:uuid) of the Patient entry. */
  readonly patient: string;
  /** fullUrl of the Encounter entry, or null when the message has no PV1. */
  readonly encounter: string | null;
}

/** Entries for every such segment of the message, segment by segment in the order above. */
export function mapAdtSegments(env: SegmentMapEnv, refs: AdtRefs): BundleEntry[] {
  const entries = new EntryList();
  const { message } = env;
  for (const nk1 of segmentReaders(message, 'NK1')) mapNk1(env, refs, nk1, entries);
  mapPd1(env, entries);
  mapRols(env, entries);
  for (const al1 of segmentReaders(message, 'AL1')) mapAl1(env, refs, al1, entries);
  for (const dg1 of segmentReaders(message, 'DG1')) mapDg1(env, refs, dg1, entries);
  for (const pr1 of segmentReaders(message, 'PR1')) mapPr1(env, refs, pr1, entries);
  for (const in1 of segmentReaders(message, 'IN1')) mapIn1(env, refs, in1, entries);
  return entries.toArray();
}

/**
 * Encounter.diagnosis (IG "DG1[Encounter]": diagnosis.condition -> the DG1's Condition) for the
 * Encounter map: the same fullUrls `mapAdtSegments` gives the Conditions.
 */
export function encounterDiagnoses(env: SegmentMapEnv, refs: AdtRefs): { condition: Reference }[] {
  if (refs.encounter === null) return [];
  const quiet = { ...env, warnings: [] };
  const scratch = new EntryList();
  const out: { condition: Reference }[] = [];
  for (const dg1 of segmentReaders(env.message, 'DG1')) {
    const fullUrl = mapDg1(quiet, refs, dg1, scratch);
    if (fullUrl) out.push({ condition: { reference: fullUrl } });
  }
  return out;
}
