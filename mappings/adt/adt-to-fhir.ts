/**
 * ADT -> Patient + Encounter, after "HL7 Message - FHIR R4_ ADT_A01" (and the A02, A05, A06, A09,
 * A11 tables, which share its shape: PID -> Patient[1] via PID[Patient]; PV1 (+PV2) -> Encounter[1]
 * via PV1[Encounter]/PV2[Encounter], Encounter.subject -> Patient[1]); then the other segments
 * (adt-segments.ts). What each trigger writes and the Encounter.status it implies: adt-triggers.ts.
 * A40 merges: one surviving Patient per PID, the merged one per MRG (mrg-merge.ts).
 */
import type { BundleEntry } from '../../engine/fhir/types.ts';
import type { Hl7Message } from '../../engine/hl7/message.ts';
import { conditionalPut, transactionBundle } from '../bundle.ts';
import type { Mapping, MappingContext, MappingResult } from '../types.ts';
import {
  encounterDiagnoses,
  generalPractitioners,
  mapAdtSegments,
  nk1PatientContacts,
  rolEncounterParticipants,
} from './adt-segments.ts';
import { ADT_TRIGGER_TABLE, ADT_TRIGGERS, type AdtTrigger } from './adt-triggers.ts';
import { type SegmentMapEnv, segmentMapEnv } from './env.ts';
import { type LinkedPatient, mapMergedPatient } from './mrg-merge.ts';
import { patientGroups } from './patient-groups.ts';
import { mapPatient } from './pid-patient.ts';
import { mapEncounter } from './pv1-encounter.ts';

export { ADT_TRIGGERS } from './adt-triggers.ts';

function mapVisitOrPerson(env: SegmentMapEnv, trigger: AdtTrigger, triggerEvent: string): BundleEntry[] {
  const { message } = env;
  const { patient, key: patientKey } = mapPatient(env);
  if (trigger.inactivatesPatient) (patient as LinkedPatient).active = false;
  // What NK1, PD1 and ROL add to the Patient itself (adt-segments.ts gives the referenced entries).
  const contacts = nk1PatientContacts(env);
  if (contacts.length > 0) patient.contact = contacts;
  const practitioners = generalPractitioners(env);
  if (practitioners.length > 0) patient.generalPractitioner = practitioners;
  const patientEntry = conditionalPut(patient, patientKey);
  const patientUrl = patientEntry.fullUrl!;
  const entries: BundleEntry[] = [patientEntry];
  let encounterUrl: string | null = null;
  const hasPv1 = message.segmentCount('PV1') > 0;
  if (trigger.kind === 'visit' && hasPv1) {
    const { encounter, key } = mapEncounter(env, triggerEvent, { fullUrl: patientUrl, key: patientKey });
    const encounterEntry = conditionalPut(encounter, key);
    encounterUrl = encounterEntry.fullUrl!;
    // ROL after PV1 -> Encounter.participant; DG1 -> Encounter.diagnosis (IG DG1[Encounter]).
    const participants = rolEncounterParticipants(env);
    if (participants.length > 0) encounter.participant = [...(encounter.participant ?? []), ...participants];
    const diagnoses = encounterDiagnoses(env, { patient: patientUrl, encounter: encounterUrl });
    if (diagnoses.length > 0) encounter.diagnosis = diagnoses;
    entries.push(encounterEntry);
  } else if (trigger.kind === 'visit') {
    env.warnings.push(`ADT^${triggerEvent} has no PV1 segment: no Encounter`);
  } else if (hasPv1) {
    env.warnings.push(`ADT^${triggerEvent} is a person event: PV1 not mapped`);
  }
  if (message.segmentCount('MRG') > 0) env.warnings.push(`ADT^${triggerEvent}: MRG not mapped`);
  entries.push(...mapAdtSegments(env, { patient: patientUrl, encounter: encounterUrl }));
  return entries;
}

/** A40: per PATIENT group, the survivor (PID) and the merged Patient (MRG), linked both ways. */
function mapMerge(env: SegmentMapEnv, ctx: MappingContext, triggerEvent: string): BundleEntry[] {
  const entries: BundleEntry[] = [];
  const seen = new Set<string>();
  let first: string | undefined;
  for (const group of patientGroups(env.message)) {
    const groupEnv = group === env.message ? env : segmentMapEnv(group, ctx);
    const { patient, key } = mapPatient(groupEnv);
    const survivor = conditionalPut(patient, key);
    const fullUrl = survivor.fullUrl!;
    const merged = mapMergedPatient(groupEnv, { fullUrl, key });
    if (groupEnv !== env) env.warnings.push(...groupEnv.warnings);
    if (seen.has(fullUrl) || (merged && seen.has(merged.entry.fullUrl!))) {
      env.warnings.push(`ADT^${triggerEvent} names a patient in two PATIENT groups: later group left out`);
      continue;
    }
    if (merged) (patient as LinkedPatient).link = [merged.survivorLink];
    entries.push(survivor, ...(merged ? [merged.entry] : []));
    seen.add(fullUrl);
    if (merged) seen.add(merged.entry.fullUrl!);
    first ??= fullUrl;
  }
  if (env.message.segmentCount('PV1') > 0)
    env.warnings.push(`ADT^${triggerEvent}: PV1 not mapped on a merge`);
  if (first !== undefined) entries.push(...mapAdtSegments(env, { patient: first, encounter: null }));
  return entries;
}

function mapAdt(message: Hl7Message, ctx: MappingContext): MappingResult {
  const { messageType, triggerEvent } = message.header;
  const env = segmentMapEnv(message, ctx);
  const trigger = messageType === 'ADT' ? ADT_TRIGGER_TABLE.get(triggerEvent) : undefined;
  if (!trigger) {
    env.warnings.push(`${messageType}^${triggerEvent} not mapped yet: empty transaction`);
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  if (message.segmentCount('PID') === 0) {
    env.warnings.push(`ADT^${triggerEvent} has no PID segment: empty transaction`);
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  const entries =
    trigger.kind === 'merge'
      ? mapMerge(env, ctx, triggerEvent)
      : mapVisitOrPerson(env, trigger, triggerEvent);
  return { bundle: transactionBundle(entries), warnings: env.warnings };
}

export const adtToFhir: Mapping = Object.freeze({
  name: 'adt-to-fhir',
  description:
    `HL7 v2 ADT (${[...ADT_TRIGGERS].join(', ')}) to a FHIR R4 transaction of a Patient (PID) and an ` +
    'Encounter (PV1, PV2), each a conditional update on its identifier (PID-3, PV1-19), following the ' +
    'HL7 v2-to-FHIR IG tables; A40 links the merged Patient (MRG) and the survivor both ways.',
  map: mapAdt,
});
