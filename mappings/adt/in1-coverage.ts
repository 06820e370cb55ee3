/**
 * IN1 -> Coverage and its payer Organization, per "HL7 Segment - FHIR R4_ IN1[Coverage]" (ADT_A01
 * row 29.1: Coverage.beneficiary -> Patient[1]). Coverage.status is 1..1 and IN1 carries none: an
 * insurance an ADT reports is "active". Deviations (mappings/README.md): IN1-2 (plan) goes to
 * class "plan" rather than identifier, IN1-36 (policy number) to identifier, IN1-49 to subscriberId.
 *
 * Payer: IN1-3 (company id, CX) -> Organization.identifier and the conditional key; IN1-4 -> name,
 * IN1-5 -> address, IN1-7 -> telecom. Without IN1-3 the payer is referenced by IN1-4 only.
 *
 * Key: IN1-36 as an identifier of system `urn:switchboard:id:policy/<IN1-3.1, else IN1-4.1>`, else a
 * derived identifier, system `urn:switchboard:id:coverage`, value uuidV5(Patient fullUrl | payer |
 * IN1-2.1): one Coverage per patient, payer and plan.
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type {
  CodeableConcept,
  FhirResource,
  Identifier,
  Period,
  Reference,
} from '../../engine/fhir/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { fieldPath, mapRepetitions } from '../datatypes/field.ts';
import { xadToAddress } from '../datatypes/xad.ts';
import { xtnToContactPoint } from '../datatypes/xtn.ts';
import type { EntryList } from '../common/entries.ts';
import { organizationReference } from '../common/organization.ts';
import { RELATIONSHIP } from '../common/segment-vocabulary.ts';
import { dateTimeField, type SegmentReader } from '../common/segments.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import type { AdtRefs } from './adt-segments.ts';
import type { SegmentMapEnv } from './env.ts';

const IN1 = {
  plan: fieldPath('IN1-2'),
  companyId: fieldPath('IN1-3'),
  companyName: fieldPath('IN1-4'),
  companyAddress: fieldPath('IN1-5'),
  companyPhone: fieldPath('IN1-7'),
  groupNumber: fieldPath('IN1-8'),
  groupName: fieldPath('IN1-9'),
  effective: fieldPath('IN1-12'),
  expiration: fieldPath('IN1-13'),
  planType: fieldPath('IN1-15'),
  relationship: fieldPath('IN1-17'),
  policyNumber: fieldPath('IN1-36'),
  insuredId: fieldPath('IN1-49'),
} as const;

export const COVERAGE_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}coverage`;
export const POLICY_SYSTEM_PREFIX = `${SWITCHBOARD_ID_PREFIX}policy/`;
const COVERAGE_CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';

export interface Coverage extends FhirResource {
  resourceType: 'Coverage';
  identifier: Identifier[];
  status: 'active';
  type?: CodeableConcept;
  subscriber?: Reference;
  subscriberId?: string;
  beneficiary: Reference;
  relationship?: CodeableConcept;
  period?: Period;
  payor: Reference[];
  class?: { type: CodeableConcept; value: string; name?: string }[];
}

const coverageClass = (code: string, value: string, name: string) => ({
  type: { coding: [{ system: COVERAGE_CLASS, code }] },
  value,
  ...(name !== '' && { name }),
});

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** Adds the Coverage of one IN1 and its payer Organization; returns the Coverage fullUrl. */
export function mapIn1(env: SegmentMapEnv, refs: AdtRefs, in1: SegmentReader, entries: EntryList): string {
  const companyId = in1.value(IN1.companyId);
  const payerName = in1.text(IN1.companyName);
  const payerIdentifier = cxToIdentifier(companyId, env.cx);
  const payer = organizationReference(
    {
      ...(payerIdentifier && { identifier: payerIdentifier }),
      name: payerName, // IN1-4 -> payor(Organization.name)
      address: mapRepetitions(env.message, in1.path(IN1.companyAddress), (v) => xadToAddress(v, env.tz)),
      telecom: mapRepetitions(env.message, in1.path(IN1.companyPhone), (v) =>
        xtnToContactPoint(v, 'work', env.tz),
      ),
    },
    entries,
  );
  if (!payer) env.warnings.push(`${in1.path(IN1.companyId).text} and IN1-4 are empty: payor is data-absent`);
  const plan = in1.value(IN1.plan);
  const policy = in1.text(IN1.policyNumber);
  const payerKeyName = companyId.get(1) || payerName;
  const identifier: Identifier[] = [];
  let key: ResourceKey;
  if (policy !== '' && payerKeyName !== '') {
    const system = `${POLICY_SYSTEM_PREFIX}${encodeURIComponent(payerKeyName)}`;
    key = { system, value: policy };
    identifier.push({ type: { text: 'policy number' }, system, value: policy }); // IN1-36
  } else {
    const value = uuidV5(`${refs.patient}|${payerIdentifier?.system ?? ''}|${payerKeyName}|${plan.get(1)}`);
    key = { system: COVERAGE_KEY_SYSTEM, value };
    identifier.push({ use: 'secondary', system: COVERAGE_KEY_SYSTEM, value });
  }
  const coverage: Coverage = {
    resourceType: 'Coverage',
    identifier,
    status: 'active',
    beneficiary: { reference: refs.patient },
    payor: [payer ?? { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] }],
  };
  const type = cweToCodeableConcept(in1.value(IN1.planType)); // IN1-15 -> type
  if (type) coverage.type = type;
  const relationshipValue = in1.value(IN1.relationship);
  const relationship = cweToCodeableConcept(relationshipValue, RELATIONSHIP); // IN1-17 -> relationship
  if (relationship) coverage.relationship = relationship;
  // IN1-16/IN1-17: the insured is the patient ("SEL") -> subscriber(Patient)
  if (relationshipValue.get(1) === 'SEL') coverage.subscriber = { reference: refs.patient };
  const insuredId = in1.text(IN1.insuredId); // IN1-49 -> subscriberId
  if (insuredId !== '') coverage.subscriberId = insuredId;
  const start = dateTimeField(in1, IN1.effective, env.tz, env.warnings); // IN1-12 -> period.start
  const end = dateTimeField(in1, IN1.expiration, env.tz, env.warnings); // IN1-13 -> period.end
  if (start || end) coverage.period = { ...(start && { start }), ...(end && { end }) };
  const classes = [];
  if (plan.get(1) !== '') classes.push(coverageClass('plan', plan.get(1), plan.get(2))); // IN1-2
  const group = in1.text(IN1.groupNumber);
  if (group !== '') classes.push(coverageClass('group', group, in1.text(IN1.groupName))); // IN1-8/IN1-9
  if (classes.length > 0) coverage.class = classes;
  const entry = conditionalPut(coverage, key);
  entries.add(entry);
  return entry.fullUrl!;
}
