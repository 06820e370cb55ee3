/**
 * PID -> Patient, per "HL7 Segment - FHIR R4_ PID[Patient] - PID.csv" (row named at each element).
 */
import type { Address, ContactPoint, Identifier, Patient } from '../../engine/fhir/types.ts';
import type { ResourceKey } from '../bundle.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { dtmToDate, dtmToDateTime } from '../datatypes/dtm.ts';
import { fieldPath, fieldValue, mapRepetitions } from '../datatypes/field.ts';
import { xadToAddress } from '../datatypes/xad.ts';
import { xpnToHumanNames } from '../datatypes/xpn.ts';
import { xtnToContactPoint } from '../datatypes/xtn.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import { ADMINISTRATIVE_SEX, MARITAL_STATUS, YES_NO, mapCode } from '../vocabulary/tables.ts';
import type { SegmentMapEnv } from './env.ts';

const PID = {
  patientId: fieldPath('PID-2'),
  identifierList: fieldPath('PID-3'),
  alternateId: fieldPath('PID-4'),
  name: fieldPath('PID-5'),
  birth: fieldPath('PID-7'),
  sex: fieldPath('PID-8'),
  alias: fieldPath('PID-9'),
  address: fieldPath('PID-11'),
  county: fieldPath('PID-12'),
  homePhone: fieldPath('PID-13'),
  businessPhone: fieldPath('PID-14'),
  maritalStatus: fieldPath('PID-16'),
  multipleBirth: fieldPath('PID-24'),
  birthOrder: fieldPath('PID-25'),
  deathTime: fieldPath('PID-29'),
  deathIndicator: fieldPath('PID-30'),
  telecom: fieldPath('PID-40'),
} as const;

/** System of the stand-in identifier of a PID that carries none (see `patientKey`). */
export const MESSAGE_PATIENT_SYSTEM = `${SWITCHBOARD_ID_PREFIX}message-patient`;

export interface MappedPatient {
  readonly patient: Patient;
  /** The identifier the conditional update matches on. */
  readonly key: ResourceKey;
}

function identifiers(env: SegmentMapEnv): Identifier[] {
  const { message, cx } = env;
  const all = [
    ...mapRepetitions(message, PID.patientId, (v) => cxToIdentifier(v, cx)), // PID-2 -> identifier[1]
    ...mapRepetitions(message, PID.identifierList, (v) => cxToIdentifier(v, cx)), // PID-3 -> identifier[2]
    ...mapRepetitions(message, PID.alternateId, (v) => cxToIdentifier(v, cx)), // PID-4 -> identifier[3]
  ];
  const seen = new Set<string>();
  return all.filter((id) => {
    const k = `${id.system ?? ''}|${id.value ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The conditional-update key: the first PID-3 identifier (the patient identifier list), else the
 * first of PID-2 / PID-4 (pre-2.5 senders). A PID without any gets a stand-in identifier derived
 * from MSH-3/MSH-4/MSH-10, marked use "temp", and a warning: a resend of that message finds the
 * same Patient, but no later message about this person can.
 */
function patientKey(env: SegmentMapEnv, list: Identifier[]): { key: ResourceKey; standIn?: Identifier } {
  const first =
    mapRepetitions(env.message, PID.identifierList, (v) => cxToIdentifier(v, env.cx))[0] ?? list[0];
  if (first?.system !== undefined && first.value !== undefined) {
    return { key: { system: first.system, value: first.value } };
  }
  const { application, facility, controlId } = env.sender;
  const value = `${application}^${facility}^${controlId}`;
  env.warnings.push(
    'PID-2, PID-3 and PID-4 hold no identifier: the Patient gets a temporary identifier derived from ' +
      'MSH-3/MSH-4/MSH-10 and will not match later messages for the same person',
  );
  const standIn: Identifier = { use: 'temp', system: MESSAGE_PATIENT_SYSTEM, value };
  return { key: { system: MESSAGE_PATIENT_SYSTEM, value }, standIn };
}

function addresses(env: SegmentMapEnv): Address[] {
  const list = mapRepetitions(env.message, PID.address, (v) => xadToAddress(v, env.tz)); // PID-11 -> address
  const county = fieldValue(env.message, PID.county).get(1);
  if (county !== '') {
    // PID-12 rows: district of the only address when XAD.9 is not valued; else an address of its own.
    const only = list.length === 1 ? list[0] : undefined;
    if (only && only.district === undefined) only.district = county;
    else if (!only || only.district !== county) list.push({ district: county });
  }
  return list;
}

function telecoms(env: SegmentMapEnv): ContactPoint[] {
  const { message, tz } = env;
  return [
    ...mapRepetitions(message, PID.homePhone, (v) => xtnToContactPoint(v, 'home', tz)), // PID-13 -> telecom[1]
    ...mapRepetitions(message, PID.businessPhone, (v) => xtnToContactPoint(v, 'work', tz)), // PID-14 -> telecom[2]
    ...mapRepetitions(message, PID.telecom, (v) => xtnToContactPoint(v, undefined, tz)), // PID-40 -> telecom[3]
  ];
}

function birth(env: SegmentMapEnv, patient: Patient): void {
  const raw = fieldValue(env.message, PID.birth).get(1);
  if (raw === '') return;
  const date = dtmToDate(raw); // PID-7 -> birthDate
  if (date === undefined) {
    env.warnings.push('PID-7 is not a valid DTM: birthDate left out');
    return;
  }
  patient.birthDate = date;
  // PID-7 "IF PID-7 LENGTH GREATER THAN 8" -> birthDate.extension patient-birthTime
  const time = raw.length > 8 ? dtmToDateTime(raw, env.tz) : undefined;
  if (time && time.precision !== 'day') {
    patient._birthDate = {
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: time.value },
      ],
    };
    if (time.offsetAssumed) env.warnings.push(`PID-7 has no time zone: birth time read as ${env.tz}`);
  }
}

function gender(env: SegmentMapEnv, patient: Patient): void {
  const code = fieldValue(env.message, PID.sex).get(1);
  if (code === '') return;
  const mapped = mapCode(ADMINISTRATIVE_SEX, code)?.code; // PID-8 -> gender (AdministrativeSex)
  if (mapped === 'male' || mapped === 'female' || mapped === 'other' || mapped === 'unknown')
    patient.gender = mapped;
  else env.warnings.push('PID-8 holds a code that is not in table 0001: gender left out');
}

function deceased(env: SegmentMapEnv, patient: Patient): void {
  const time = fieldValue(env.message, PID.deathTime).get(1);
  if (time !== '') {
    const value = dtmToDateTime(time, env.tz); // PID-29 -> deceasedDateTime
    if (value) {
      patient.deceasedDateTime = value.value;
      return;
    }
    env.warnings.push('PID-29 is not a valid DTM: deceasedDateTime left out');
  }
  // PID-30 "IF PID-29 NOT VALUED" -> deceasedBoolean (YesNoIndicator)
  const flag = YES_NO.get(fieldValue(env.message, PID.deathIndicator).get(1));
  if (flag !== undefined) patient.deceasedBoolean = flag;
}

function multipleBirth(env: SegmentMapEnv, patient: Patient): void {
  const order = fieldValue(env.message, PID.birthOrder).get(1);
  if (/^\d+$/.test(order)) {
    patient.multipleBirthInteger = Number(order); // PID-25 -> multipleBirthInteger
    return;
  }
  // PID-24 "IF PID-25 NOT VALUED" -> multipleBirthBoolean (YesNoIndicator)
  const flag = YES_NO.get(fieldValue(env.message, PID.multipleBirth).get(1));
  if (flag !== undefined) patient.multipleBirthBoolean = flag;
}

export function mapPatient(env: SegmentMapEnv): MappedPatient {
  const { message, tz } = env;
  const list = identifiers(env);
  const { key, standIn } = patientKey(env, list);
  const patient: Patient = { resourceType: 'Patient' };
  patient.identifier = standIn ? [standIn, ...list] : list;
  const names = [
    ...mapRepetitions(message, PID.name, (v) => xpnToHumanNames(v, tz)).flat(), // PID-5 -> name[1]
    ...mapRepetitions(message, PID.alias, (v) => xpnToHumanNames(v, tz)).flat(), // PID-9 -> name[2]
  ];
  if (names.length > 0) patient.name = names;
  const telecom = telecoms(env);
  if (telecom.length > 0) patient.telecom = telecom;
  gender(env, patient);
  birth(env, patient);
  deceased(env, patient);
  const address = addresses(env);
  if (address.length > 0) patient.address = address;
  // PID-16 -> maritalStatus (MaritalStatus)
  const marital = cweToCodeableConcept(fieldValue(message, PID.maritalStatus), MARITAL_STATUS);
  if (marital) patient.maritalStatus = marital;
  multipleBirth(env, patient);
  return { patient, key };
}
