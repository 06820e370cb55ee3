/**
 * NK1 -> RelatedPerson, per "HL7 Segment - FHIR R4_ NK1[RelatedPerson]", and NK1 -> Patient.contact,
 * per "NK1[Patient]". ADT_A01 row 15.1: an NK1 whose NK1-3.1 is not EMR, E, F, I or S (an employer or
 * an agency) becomes a RelatedPerson (RelatedPerson.patient -> Patient[1]) and a Patient.contact;
 * the others only a Patient.contact. The Patient is built by pid-patient.ts: `nk1PatientContacts`
 * gives it the contacts.
 *
 * Key: a RelatedPerson is the relationship of one person to one patient, so person identifiers
 * (NK1-33) cannot key it (a mother of two patients has one). It is keyed on the patient and the
 * NK1 set id: a derived identifier, system `urn:switchboard:id:related-person`, value
 * uuidV5(Patient fullUrl | NK1-1, else the NK1's position in the message).
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type {
  Address,
  CodeableConcept,
  ContactPoint,
  FhirResource,
  HumanName,
  Identifier,
  Period,
  Reference,
} from '../../engine/fhir/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { cweToCode, cweToCodeableConcept } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { dtmToDate } from '../datatypes/dtm.ts';
import { fieldPath, mapRepetitions } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import { xadToAddress } from '../datatypes/xad.ts';
import { xpnToHumanNames } from '../datatypes/xpn.ts';
import { xtnToContactPoint } from '../datatypes/xtn.ts';
import type { EntryList } from '../common/entries.ts';
import { CONTACT_ROLE, RELATIONSHIP } from '../common/segment-vocabulary.ts';
import { dateTimeField, segmentReaders, type SegmentReader } from '../common/segments.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import { ADMINISTRATIVE_SEX, mapCode } from '../vocabulary/tables.ts';
import type { AdtRefs } from './adt-segments.ts';
import type { SegmentMapEnv } from './env.ts';

const NK1 = {
  setId: fieldPath('NK1-1'),
  name: fieldPath('NK1-2'),
  relationship: fieldPath('NK1-3'),
  address: fieldPath('NK1-4'),
  phone: fieldPath('NK1-5'),
  businessPhone: fieldPath('NK1-6'),
  contactRole: fieldPath('NK1-7'),
  start: fieldPath('NK1-8'),
  end: fieldPath('NK1-9'),
  employeeNumber: fieldPath('NK1-12'),
  organization: fieldPath('NK1-13'),
  sex: fieldPath('NK1-15'),
  birth: fieldPath('NK1-16'),
  language: fieldPath('NK1-20'),
  contactName: fieldPath('NK1-30'),
  contactPhone: fieldPath('NK1-31'),
  contactAddress: fieldPath('NK1-32'),
  identifiers: fieldPath('NK1-33'),
  ssn: fieldPath('NK1-37'),
  telecom: fieldPath('NK1-40'),
  contactTelecom: fieldPath('NK1-41'),
} as const;

export const RELATED_PERSON_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}related-person`;
/** ADT_A01 row 15.1: NK1-3.1 codes that make no RelatedPerson (employer, agencies). */
const CONTACT_ONLY = new Set(['EMR', 'E', 'F', 'I', 'S']);

export interface RelatedPerson extends FhirResource {
  resourceType: 'RelatedPerson';
  identifier: Identifier[];
  patient: Reference;
  relationship?: CodeableConcept[];
  name?: HumanName[];
  telecom?: ContactPoint[];
  gender?: string;
  birthDate?: string;
  address?: Address[];
  period?: Period;
  communication?: { language: CodeableConcept }[];
}

export interface PatientContact {
  relationship?: CodeableConcept[];
  name?: HumanName;
  telecom?: ContactPoint[];
  address?: Address;
  gender?: string;
  organization?: Reference;
  period?: Period;
}

function repetitions<T>(
  env: SegmentMapEnv,
  nk1: SegmentReader,
  field: typeof NK1.name,
  map: (v: Hl7Value) => T | undefined,
): T[] {
  return mapRepetitions(env.message, nk1.path(field), map);
}

function relationships(env: SegmentMapEnv, nk1: SegmentReader): CodeableConcept[] {
  const out: CodeableConcept[] = [];
  const relationship = cweToCodeableConcept(nk1.value(NK1.relationship), RELATIONSHIP); // NK1-3
  if (relationship) out.push(relationship);
  const role = cweToCodeableConcept(nk1.value(NK1.contactRole), CONTACT_ROLE); // NK1-7
  if (role) out.push(role);
  return out;
}

/** NK1-5, NK1-6 (use "work"), NK1-31, NK1-40, NK1-41 -> telecom[1..5]. */
function telecoms(env: SegmentMapEnv, nk1: SegmentReader, withContactPerson: boolean): ContactPoint[] {
  const xtn = (defaultUse?: string) => (v: Hl7Value) => xtnToContactPoint(v, defaultUse, env.tz);
  const business = repetitions(env, nk1, NK1.businessPhone, xtn('work')).map((c) => ({ ...c, use: 'work' }));
  return [
    ...repetitions(env, nk1, NK1.phone, xtn()),
    ...business,
    ...(withContactPerson ? repetitions(env, nk1, NK1.contactPhone, xtn()) : []),
    ...repetitions(env, nk1, NK1.telecom, xtn()),
    ...(withContactPerson ? repetitions(env, nk1, NK1.contactTelecom, xtn()) : []),
  ];
}

function gender(env: SegmentMapEnv, nk1: SegmentReader): string | undefined {
  const sex = cweToCode(nk1.value(NK1.sex));
  if (sex === '') return undefined;
  const code = mapCode(ADMINISTRATIVE_SEX, sex)?.code;
  if (!code) env.warnings.push(`${nk1.path(NK1.sex).text} code "${sex}" is not in table 0001`);
  return code;
}

function period(env: SegmentMapEnv, nk1: SegmentReader): Period | undefined {
  const start = dateTimeField(nk1, NK1.start, env.tz, env.warnings);
  const end = dateTimeField(nk1, NK1.end, env.tz, env.warnings);
  return start || end ? { ...(start && { start }), ...(end && { end }) } : undefined;
}

/** The RelatedPerson of one NK1, unless row 15.1 makes it a Patient.contact only. */
export function mapNk1(env: SegmentMapEnv, refs: AdtRefs, nk1: SegmentReader, entries: EntryList): void {
  if (CONTACT_ONLY.has(nk1.value(NK1.relationship).get(1))) return;
  const names = [
    ...repetitions(env, nk1, NK1.name, (v) => xpnToHumanNames(v, env.tz)[0]), // NK1-2 -> name[1]
    ...repetitions(env, nk1, NK1.contactName, (v) => xpnToHumanNames(v, env.tz)[0]), // NK1-30 -> name[2]
  ];
  const relationship = relationships(env, nk1);
  if (names.length === 0 && relationship.length === 0) {
    env.warnings.push(`NK1[${nk1.occurrence}] has no name (NK1-2, NK1-30) and no relationship: not mapped`);
    return;
  }
  const setId = nk1.text(NK1.setId);
  const value = uuidV5(`${refs.patient}|NK1|${setId !== '' ? setId : `#${nk1.occurrence}`}`);
  const key: ResourceKey = { system: RELATED_PERSON_KEY_SYSTEM, value };
  const identifier: Identifier[] = [{ use: 'secondary', system: RELATED_PERSON_KEY_SYSTEM, value }];
  const cx = (v: Hl7Value) => cxToIdentifier(v, env.cx);
  identifier.push(...repetitions(env, nk1, NK1.employeeNumber, cx)); // NK1-12 -> identifier[1]
  identifier.push(...repetitions(env, nk1, NK1.identifiers, cx)); // NK1-33 -> identifier[2]
  const ssn = nk1.text(NK1.ssn); // NK1-37 -> identifier[3], us-ssn, type SS
  if (ssn !== '') {
    identifier.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] },
      system: 'http://hl7.org/fhir/sid/us-ssn',
      value: ssn,
    });
  }
  const person: RelatedPerson = {
    resourceType: 'RelatedPerson',
    identifier,
    patient: { reference: refs.patient },
  };
  if (relationship.length > 0) person.relationship = relationship;
  if (names.length > 0) person.name = names;
  const telecom = telecoms(env, nk1, true);
  if (telecom.length > 0) person.telecom = telecom;
  const sex = gender(env, nk1); // NK1-15 -> gender
  if (sex) person.gender = sex;
  const birthDate = dtmToDate(nk1.text(NK1.birth)); // NK1-16 -> birthDate
  if (birthDate) person.birthDate = birthDate;
  const address = [
    ...repetitions(env, nk1, NK1.address, (v) => xadToAddress(v, env.tz)), // NK1-4 -> address[1]
    ...repetitions(env, nk1, NK1.contactAddress, (v) => xadToAddress(v, env.tz)), // NK1-32 -> address[2]
  ];
  if (address.length > 0) person.address = address;
  const validity = period(env, nk1); // NK1-8/NK1-9 -> period
  if (validity) person.period = validity;
  const language = cweToCodeableConcept(nk1.value(NK1.language)); // NK1-20 -> communication.language
  if (language) person.communication = [{ language }];
  entries.add(conditionalPut(person, key));
}

/**
 * Patient.contact from every NK1, per "NK1[Patient]" (for pid-patient.ts): NK1-2 -> name, NK1-3/7
 * -> relationship, NK1-4 -> address (the first; contact.address is 0..1), NK1-5/6/40 -> telecom,
 * NK1-8/9 -> period, NK1-13 -> organization (by display), NK1-15 -> gender. NK1-30..32 describe
 * the organization's contact person, which a display reference cannot carry: left out.
 */
export function nk1PatientContacts(segmentEnv: SegmentMapEnv): PatientContact[] {
  const env = { ...segmentEnv, warnings: [] }; // mapNk1 already warned about these fields
  const out: PatientContact[] = [];
  for (const nk1 of segmentReaders(env.message, 'NK1')) {
    const contact: PatientContact = {};
    const relationship = relationships(env, nk1);
    if (relationship.length > 0) contact.relationship = relationship;
    const name = xpnToHumanNames(nk1.value(NK1.name), env.tz)[0];
    if (name) contact.name = name;
    const telecom = telecoms(env, nk1, false);
    if (telecom.length > 0) contact.telecom = telecom;
    const address = repetitions(env, nk1, NK1.address, (v) => xadToAddress(v, env.tz))[0];
    if (address) contact.address = address;
    const sex = gender(env, nk1);
    if (sex) contact.gender = sex;
    const organization = nk1.text(NK1.organization); // XON.1
    if (organization !== '') contact.organization = { type: 'Organization', display: organization };
    const validity = period(env, nk1);
    if (validity) contact.period = validity;
    // pat-1: a contact SHALL have a name, address, telecom or organization
    if (contact.name || contact.address || contact.telecom || contact.organization) out.push(contact);
  }
  return out;
}
