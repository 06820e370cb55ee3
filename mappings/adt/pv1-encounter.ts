/**
 * PV1 -> Encounter, per "HL7 Segment - FHIR R4_ PV1[Encounter] - PV1.csv" (row named at each
 * element); status per the trigger (adt-triggers.ts: "HL7 Concept Map_ Event[EncounterStatus]" and
 * ours), else PV1-45 / "PatientClass[EncounterStatus]"; PV2 is added by pv2-encounter.ts.
 */
import type {
  CodeableConcept,
  Encounter,
  EncounterLocation,
  EncounterParticipant,
  Identifier,
} from '../../engine/fhir/types.ts';
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type { ResourceKey } from '../bundle.ts';
import { cweToCodeableConcept, cweToCoding } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { type FhirDateTime, dtmToDateTime } from '../datatypes/dtm.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { type Hl7Value } from '../datatypes/value.ts';
import { fieldPath, fieldValue, mapRepetitions } from '../datatypes/field.ts';
import { plToReference } from '../datatypes/pl.ts';
import { xcnToReference } from '../datatypes/xcn.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import {
  type ConceptMap,
  PATIENT_CLASS,
  PATIENT_CLASS_STATUS,
  V2_TABLE_SYSTEM,
  mapCode,
} from '../vocabulary/tables.ts';
import { ADT_TRIGGER_TABLE, type AdtTrigger } from './adt-triggers.ts';
import type { SegmentMapEnv } from './env.ts';
import { applyPv2 } from './pv2-encounter.ts';

const PV1 = {
  patientClass: fieldPath('PV1-2'),
  assignedLocation: fieldPath('PV1-3'),
  admissionType: fieldPath('PV1-4'),
  preadmitNumber: fieldPath('PV1-5'),
  priorLocation: fieldPath('PV1-6'),
  temporaryLocation: fieldPath('PV1-11'),
  pendingLocation: fieldPath('PV1-42'),
  attending: fieldPath('PV1-7'),
  referring: fieldPath('PV1-8'),
  consulting: fieldPath('PV1-9'),
  hospitalService: fieldPath('PV1-10'),
  readmission: fieldPath('PV1-13'),
  admitSource: fieldPath('PV1-14'),
  admitting: fieldPath('PV1-17'),
  visitNumber: fieldPath('PV1-19'),
  dischargeDisposition: fieldPath('PV1-36'),
  admitTime: fieldPath('PV1-44'),
  dischargeTime: fieldPath('PV1-45'),
  alternateVisitId: fieldPath('PV1-50'),
} as const;

/** System of the visit key derived when PV1-19 is empty (see `encounterKey`). */
export const DERIVED_VISIT_SYSTEM = `${SWITCHBOARD_ID_PREFIX}derived-visit`;

/** A v2 table with no FHIR concept map: codes keep the table's v2 code system. */
const v2Table = (table: string): ConceptMap => ({ sourceSystem: V2_TABLE_SYSTEM(table), targets: new Map() });

const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
/** PV1-7/8/9/17 rows: participant[n].type (code, display/text as the rows assign). */
const PARTICIPANTS = [
  [PV1.attending, 'ATND', 'attender'],
  [PV1.referring, 'REF', 'referrer'],
  [PV1.consulting, 'CON', 'consultant'],
  [PV1.admitting, 'ADM', 'admitter'],
] as const;

export interface MappedEncounter {
  readonly encounter: Encounter;
  readonly key: ResourceKey;
}

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

function status(env: SegmentMapEnv, patientClass: string, trigger: AdtTrigger | undefined): string {
  // A cancel event's status wins: PV1-45 on a cancelled discharge does not make it "finished".
  if (trigger?.cancels && trigger.status) return trigger.status;
  // PV1-45 "IF PV1-45 VALUED" -> status "finished"
  if (fieldValue(env.message, PV1.dischargeTime).get(1) !== '') return 'finished';
  // Event[EncounterStatus] by trigger; its A08 row is "unknown" because an update does not carry the
  // status: triggers without one use the PV1-2 row (PatientClass[EncounterStatus]) instead, so an A08
  // does not undo the status an A01 set.
  return trigger?.status ?? mapCode(PATIENT_CLASS_STATUS, patientClass)?.code ?? 'unknown';
}

function participants(env: SegmentMapEnv): EncounterParticipant[] {
  const out: EncounterParticipant[] = [];
  for (const [field, code, text] of PARTICIPANTS) {
    for (const individual of mapRepetitions(env.message, field, (v) => xcnToReference(v, env.cx))) {
      out.push({ type: [{ coding: [{ system: PARTICIPATION, code, display: text }], text }], individual });
    }
  }
  return out;
}

type LocationStatus = EncounterLocation['status'];

/**
 * Encounter.location, the history the message states: PV1-3 (location[1]), PV1-6 (location[2],
 * "completed"), PV1-11 (location[3], temporary, "active"), PV1-42 (location[4], pending,
 * "reserved"). The IG's PV1-3 status (P -> "planned", else "active") follows the Encounter: a
 * planned visit's location is planned, a finished one's completed, a cancelled one's has none. An
 * A12 (cancel transfer) carries the restored location in PV1-3; PV1-6 there is the cancelled
 * destination and stays out of the history; A25/A26 cancel the pending location (PV1-42).
 */
function locations(
  env: SegmentMapEnv,
  patientClass: string,
  encounterStatus: string,
  trigger: AdtTrigger | undefined,
): EncounterLocation[] {
  const out: EncounterLocation[] = [];
  const current = (ifActive: LocationStatus): LocationStatus | undefined => {
    if (encounterStatus === 'cancelled') return undefined;
    if (encounterStatus === 'finished') return 'completed';
    if (encounterStatus === 'planned') return 'planned';
    return ifActive;
  };
  const add = (field: Hl7Path, locationStatus: LocationStatus | undefined): void => {
    const location = plToReference(fieldValue(env.message, field));
    if (location) out.push(locationStatus ? { location, status: locationStatus } : { location });
  };
  add(PV1.assignedLocation, current(patientClass === 'P' ? 'planned' : 'active'));
  if (trigger?.cancels !== 'transfer') add(PV1.priorLocation, 'completed');
  add(PV1.temporaryLocation, current('active'));
  if (trigger?.cancels !== 'pending') add(PV1.pendingLocation, current('reserved'));
  return out;
}

/**
 * The conditional-update key: PV1-19 (visit number). Without one, a key is derived from the
 * patient key and PV1-44 (admit time), else from MSH-3/MSH-4/MSH-10, and the mapping warns: a
 * later message about the same visit finds it only when it carries the same admit time.
 */
function encounterKey(env: SegmentMapEnv, patientKey: ResourceKey, visit: Identifier | undefined) {
  if (visit?.system !== undefined && visit.value !== undefined) {
    return { key: { system: visit.system, value: visit.value } };
  }
  const admit = fieldValue(env.message, PV1.admitTime).get(1);
  const { application, facility, controlId } = env.sender;
  const basis = admit !== '' ? `admit|${admit}` : `message|${application}|${facility}|${controlId}`;
  env.warnings.push(
    `PV1-19 holds no visit number: the Encounter is keyed on the patient and ${admit !== '' ? 'PV1-44' : 'MSH-10'}`,
  );
  const value = uuidV5(`${patientKey.system}|${patientKey.value}|${basis}`);
  const derived: Identifier = {
    use: 'secondary',
    type: { text: 'Switchboard derived visit key' },
    system: DERIVED_VISIT_SYSTEM,
    value,
  };
  return { key: { system: DERIVED_VISIT_SYSTEM, value }, derived };
}

function dateTimeAt(env: SegmentMapEnv, field: Hl7Path): FhirDateTime | undefined {
  const raw = fieldValue(env.message, field).get(1);
  if (raw === '') return undefined;
  const value = dtmToDateTime(raw, env.tz);
  if (!value) env.warnings.push(`${field.text} is not a valid DTM: left out`);
  return value;
}

function codeable(value: Hl7Value, table: ConceptMap): CodeableConcept | undefined {
  return cweToCodeableConcept(value, table);
}

export function mapEncounter(
  env: SegmentMapEnv,
  triggerEvent: string,
  patient: { readonly fullUrl: string; readonly key: ResourceKey },
): MappedEncounter {
  const { message, tz } = env;
  const classValue = fieldValue(message, PV1.patientClass);
  const patientClass = classValue.get(1);
  // PV1-19 -> identifier[1], type VN "visit number"
  const visit = cxToIdentifier(fieldValue(message, PV1.visitNumber), env.cx);
  if (visit) {
    visit.type = { coding: [{ system: V2_TABLE_SYSTEM('0203'), code: 'VN' }], text: 'visit number' };
  }
  const { key, derived } = encounterKey(env, patient.key, visit);
  const alternates = mapRepetitions(message, PV1.alternateVisitId, (v) => cxToIdentifier(v, env.cx)); // PV1-50
  // PV1-2 -> class (PatientClass[EncounterClass]); class is 1..1 in R4, so an empty PV1-2 says why.
  const mappedClass = cweToCoding(classValue, PATIENT_CLASS);
  if (!mappedClass)
    env.warnings.push('PV1-2 (patient class) is empty: Encounter.class is data-absent "unknown"');
  else if (!mapCode(PATIENT_CLASS, patientClass))
    env.warnings.push(`PV1-2 code "${patientClass}" is not in table 0004`);
  const trigger = ADT_TRIGGER_TABLE.get(triggerEvent);
  const encounterStatus = status(env, patientClass, trigger);
  const encounter: Encounter = {
    resourceType: 'Encounter',
    identifier: [...(visit ? [visit] : []), ...(derived ? [derived] : []), ...alternates],
    status: encounterStatus,
    class: mappedClass ?? { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] },
  };
  const type = codeable(fieldValue(message, PV1.admissionType), v2Table('0007')); // PV1-4 -> type
  if (type) encounter.type = [type];
  const service = codeable(fieldValue(message, PV1.hospitalService), v2Table('0069')); // PV1-10 -> serviceType
  if (service) encounter.serviceType = service;
  encounter.subject = { reference: patient.fullUrl }; // ADT_A01 PV1 row: Encounter.subject -> Patient[1]
  const participant = participants(env);
  if (participant.length > 0) encounter.participant = participant;
  const start = dateTimeAt(env, PV1.admitTime); // PV1-44 -> period.start
  let end = dateTimeAt(env, PV1.dischargeTime); // PV1-45 -> period.end
  if (end && trigger?.cancels === 'discharge') {
    env.warnings.push(`PV1-45 is valued on ADT^${triggerEvent} (cancel discharge): period.end left out`);
    end = undefined;
  }
  if (start || end)
    encounter.period = { ...(start && { start: start.value }), ...(end && { end: end.value }) };
  if (start?.offsetAssumed || end?.offsetAssumed) {
    env.warnings.push(`PV1-44/PV1-45 have no time zone: read as ${tz}`);
  }
  const hospitalization: NonNullable<Encounter['hospitalization']> = {};
  const preadmit = cxToIdentifier(fieldValue(message, PV1.preadmitNumber), env.cx); // PV1-5
  if (preadmit) hospitalization.preAdmissionIdentifier = preadmit;
  const admitSource = codeable(fieldValue(message, PV1.admitSource), v2Table('0023')); // PV1-14
  if (admitSource) hospitalization.admitSource = admitSource;
  const readmission = codeable(fieldValue(message, PV1.readmission), v2Table('0092')); // PV1-13
  if (readmission) hospitalization.reAdmission = readmission;
  // PV1-36 -> dischargeDisposition; the DischargeDisposition concept map has no v2 codes mapped.
  const disposition = codeable(fieldValue(message, PV1.dischargeDisposition), v2Table('0112'));
  if (disposition) hospitalization.dischargeDisposition = disposition;
  if (Object.keys(hospitalization).length > 0) encounter.hospitalization = hospitalization;
  const location = locations(env, patientClass, encounterStatus, trigger);
  if (location.length > 0) encounter.location = location;
  applyPv2(env, encounter);
  return { encounter, key };
}
