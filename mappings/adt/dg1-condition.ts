/**
 * DG1 -> Condition, per "HL7 Segment - FHIR R4_ DG1[Condition]" (ADT_A01 row 25: Condition.subject
 * -> Patient[1]; in the context of an encounter, Condition.encounter -> Encounter[1] and category
 * "encounter-diagnosis").
 *
 * Key: DG1-20 (diagnosis identifier) when valued. Otherwise a derived identifier, system
 * `urn:switchboard:id:diagnosis`, value uuidV5(Encounter fullUrl, else Patient fullUrl | DG1-3.3 |
 * DG1-3.1, else DG1-4): one Condition per diagnosis code per visit, whatever DG1-1 says.
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type { CodeableConcept, FhirResource, Identifier, Reference } from '../../engine/fhir/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { fieldPath } from '../datatypes/field.ts';
import { eiToIdentifier } from '../common/ei.ts';
import type { EntryList } from '../common/entries.ts';
import { practitionerReference } from '../common/practitioner.ts';
import { dateTimeField, type SegmentReader } from '../common/segments.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import type { AdtRefs } from './adt-segments.ts';
import type { SegmentMapEnv } from './env.ts';

const DG1 = {
  code: fieldPath('DG1-3'),
  description: fieldPath('DG1-4'),
  time: fieldPath('DG1-5'),
  clinician: fieldPath('DG1-16'),
  attestation: fieldPath('DG1-19'),
  identifier: fieldPath('DG1-20'),
  action: fieldPath('DG1-21'),
} as const;

export const DIAGNOSIS_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}diagnosis`;

export interface Condition extends FhirResource {
  resourceType: 'Condition';
  identifier: Identifier[];
  verificationStatus?: CodeableConcept;
  category: CodeableConcept[];
  code?: CodeableConcept;
  subject: Reference;
  encounter?: Reference;
  onsetDateTime?: string;
  recordedDate?: string;
  asserter?: Reference;
}

const ENCOUNTER_DIAGNOSIS: CodeableConcept = {
  coding: [
    {
      system: 'http://terminology.hl7.org/CodeSystem/condition-category',
      code: 'encounter-diagnosis',
      display: 'Encounter Diagnosis',
    },
  ],
};

/** Adds the Condition of one DG1 (and its clinician's Practitioner); returns its fullUrl. */
export function mapDg1(
  env: SegmentMapEnv,
  refs: AdtRefs,
  dg1: SegmentReader,
  entries: EntryList,
): string | undefined {
  const codeValue = dg1.value(DG1.code);
  const description = dg1.text(DG1.description);
  let code = cweToCodeableConcept(codeValue); // DG1-3 -> code
  if (description !== '' && code?.text === undefined) code = { ...code, text: description }; // DG1-4 -> code.text
  if (!code) {
    env.warnings.push(`${dg1.path(DG1.code).text} and DG1-4 are empty: DG1 not mapped`);
    return undefined;
  }
  const id = eiToIdentifier(dg1.value(DG1.identifier), env.cx); // DG1-20 -> identifier
  let key: ResourceKey;
  const identifier: Identifier[] = [];
  if (id?.system !== undefined && id.value !== undefined) {
    key = { system: id.system, value: id.value };
    identifier.push(id);
  } else {
    const context = refs.encounter ?? refs.patient;
    const value = uuidV5(`${context}|${codeValue.get(3)}|${codeValue.get(1) || description}`);
    key = { system: DIAGNOSIS_KEY_SYSTEM, value };
    identifier.push({ use: 'secondary', system: DIAGNOSIS_KEY_SYSTEM, value });
  }
  const condition: Condition = {
    resourceType: 'Condition',
    identifier,
    category: [ENCOUNTER_DIAGNOSIS],
    code,
    subject: { reference: refs.patient },
  };
  // DG1-21 "D" (delete) -> verificationStatus entered-in-error; A and U map to nothing
  if (dg1.text(DG1.action) === 'D') {
    condition.verificationStatus = {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' },
      ],
    };
  }
  if (refs.encounter) condition.encounter = { reference: refs.encounter };
  const onset = dateTimeField(dg1, DG1.time, env.tz, env.warnings); // DG1-5 -> onsetDateTime
  if (onset) condition.onsetDateTime = onset;
  const recorded = dateTimeField(dg1, DG1.attestation, env.tz, env.warnings); // DG1-19 -> recordedDate
  if (recorded) condition.recordedDate = recorded;
  // DG1-16 -> asserter (XCN[Practitioner]); asserter is 0..1, so the first repetition
  const asserter = practitionerReference(dg1.value(DG1.clinician), env, entries);
  if (asserter) condition.asserter = asserter;
  const entry = conditionalPut(condition, key);
  entries.add(entry);
  return entry.fullUrl;
}
