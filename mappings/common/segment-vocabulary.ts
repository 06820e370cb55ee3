/**
 * The v2-to-FHIR IG concept maps the NK1, AL1, ROL and IN1 maps use, copied row by row from
 * ../shared/corpus/v2-to-fhir/codesystems/ (file named above each). Codes a concept map leaves
 * unmapped are absent: a lookup returns undefined and the caller keeps the v2 code only.
 */
import type { Coding } from '../../engine/fhir/types.ts';
import { type ConceptMap, V2_TABLE_SYSTEM } from '../vocabulary/tables.ts';

type Row = readonly [v2: string, system: string, code: string, display: string];

function map(table: string, rows: readonly Row[]): ConceptMap {
  return Object.freeze({
    sourceSystem: V2_TABLE_SYSTEM(table),
    targets: new Map<string, Readonly<Coding>>(
      rows.map(([v2, system, code, display]) => [v2, Object.freeze({ system, code, display })]),
    ),
  });
}

const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const V2_0063 = V2_TABLE_SYSTEM('0063');
const V2_0131 = V2_TABLE_SYSTEM('0131');

/** "HL7 Concept Map_ Relationship" (table 0063 -> v3 RoleCode, some v2-0063 / v2-0131). */
export const RELATIONSHIP = map('0063', [
  ['SEL', ROLE_CODE, 'ONESELF', 'self'],
  ['SPO', ROLE_CODE, 'SPS', 'spouse'],
  ['DOM', ROLE_CODE, 'SIGOTHR', 'significant other'],
  ['CHD', ROLE_CODE, 'CHILD', 'child'],
  ['GCH', ROLE_CODE, 'GRNDCHILD', 'grandchild'],
  ['NCH', ROLE_CODE, 'NCHILD', 'natural child'],
  ['SCH', ROLE_CODE, 'STPCHLD', 'step child'],
  ['FCH', ROLE_CODE, 'CHLDFOST', 'foster child'],
  ['DEP', V2_0063, 'DEP', 'Handicapped dependent'],
  ['WRD', V2_0063, 'WRD', 'Ward of court'],
  ['PAR', ROLE_CODE, 'PRN', 'parent'],
  ['MTH', ROLE_CODE, 'MTH', 'mother'],
  ['FTH', ROLE_CODE, 'FTH', 'father'],
  ['CGV', V2_0063, 'CGV', 'Care giver'],
  ['GRD', V2_0063, 'GRD', 'Guardian'],
  ['GRP', ROLE_CODE, 'GRPRN', 'grandparent'],
  ['EXF', ROLE_CODE, 'EXT', 'extended family member'],
  ['SIB', ROLE_CODE, 'SIB', 'sibling'],
  ['BRO', ROLE_CODE, 'BRO', 'brother'],
  ['SIS', ROLE_CODE, 'SIS', 'sister'],
  ['FND', ROLE_CODE, 'FRND', 'unrelated friend'],
  ['OAD', V2_0063, 'OAD', 'Other adult'],
  ['EME', V2_0063, 'EME', 'Employee'],
  ['EMR', V2_0131, 'E', 'Employer'],
  ['ASC', V2_0063, 'ASC', 'Associate'],
  ['EMC', V2_0131, 'C', 'Emergency Contact'],
  ['OWN', V2_0063, 'OWN', 'Owner'],
  ['TRA', V2_0063, 'TRA', 'Trainer'],
  ['MGR', V2_0063, 'MGR', 'Manager'],
  ['NON', V2_0063, 'NON', 'None'],
  ['UNK', V2_0131, 'U', 'Unknown'],
  ['OTH', V2_0131, 'O', 'Other'],
]);

/** "HL7 Concept Map_ ContactRole" (table 0131 maps to itself). */
export const CONTACT_ROLE = map('0131', [
  ['E', V2_0131, 'E', 'Employer'],
  ['C', V2_0131, 'C', 'Emergency Contact'],
  ['F', V2_0131, 'F', 'Federal Agency'],
  ['I', V2_0131, 'I', 'Insurance Company'],
  ['N', V2_0131, 'N', 'Next-of-Kin'],
  ['S', V2_0131, 'S', 'State Agency'],
  ['O', V2_0131, 'O', 'Other'],
  ['U', V2_0131, 'U', 'Unknown'],
]);

const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const SCT = 'http://snomed.info/sct';
/** "HL7 Concept Map_ ProviderRole" (table 0443; rows without a target are left out). */
export const PROVIDER_ROLE = map('0443', [
  ['AD', PARTICIPATION, 'ADM', 'admitter'],
  ['AT', PARTICIPATION, 'ATND', 'attender'],
  ['CP', PARTICIPATION, 'CON', 'consultant'],
  ['PP', SCT, '446050000', 'PCP - Primary care physician'],
  ['RP', PARTICIPATION, 'REF', 'referrer'],
  ['PI', SCT, '40570005', 'Interpreter'],
]);

const CATEGORY = 'http://hl7.org/fhir/allergy-intolerance-category';
/** "HL7 Concept Map_ AllergenType[AllergyIntoleranceCategory]" (table 0127; MA and MC unmapped). */
export const ALLERGEN_CATEGORY = map('0127', [
  ['DA', CATEGORY, 'medication', 'Medication'],
  ['FA', CATEGORY, 'food', 'Food'],
  ['EA', CATEGORY, 'environment', 'Environment'],
  ['AA', CATEGORY, 'biologic', 'Biologic'],
  ['PA', CATEGORY, 'environment', 'Environment'],
  ['LA', CATEGORY, 'environment', 'Environment'],
]);

const V2_0127 = V2_TABLE_SYSTEM('0127');
/** "HL7 Concept Map_ AllergenType[AllergyIntoleranceOriginalCategory]" (table 0127 to itself). */
export const ALLERGEN_ORIGINAL_CATEGORY = map('0127', [
  ['DA', V2_0127, 'DA', 'Drug allergy'],
  ['FA', V2_0127, 'FA', 'Food allergy'],
  ['MA', V2_0127, 'MA', 'Miscellaneous allergy'],
  ['MC', V2_0127, 'MC', 'Miscellaneous contraindication'],
  ['EA', V2_0127, 'EA', 'Environmental allergy'],
  ['AA', V2_0127, 'AA', 'Animal allergy'],
  ['PA', V2_0127, 'PA', 'Plant allergy'],
  ['LA', V2_0127, 'LA', 'Pollen allergy'],
]);

const TYPE = 'http://hl7.org/fhir/allergy-intolerance-type';
/** "HL7 Concept Map_ AllergyType" (table 0127 -> allergy-intolerance-type; MC unmapped). */
export const ALLERGY_TYPE = map(
  '0127',
  ['DA', 'FA', 'MA', 'EA', 'AA', 'PA', 'LA'].map((v2) => [v2, TYPE, 'allergy', 'Allergy'] as const),
);

const CRITICALITY = 'http://hl7.org/fhir/allergy-intolerance-criticality';
/** "HL7 Concept Map_ AllergySeverity[AllergyIntolerance.criticality]" (table 0128; MO and U unmapped). */
export const ALLERGY_CRITICALITY = map('0128', [
  ['SV', CRITICALITY, 'high', 'High Risk'],
  ['MI', CRITICALITY, 'low', 'Low Risk'],
]);

const V2_0128 = V2_TABLE_SYSTEM('0128');
/** "HL7 Concept Map_ AllergySeverity[AllergyIntolerance.criticality-original]" (table 0128 to itself). */
export const ALLERGY_SEVERITY_ORIGINAL = map('0128', [
  ['SV', V2_0128, 'SV', 'Severe'],
  ['MO', V2_0128, 'MO', 'Moderate'],
  ['MI', V2_0128, 'MI', 'Mild'],
  ['U', V2_0128, 'U', 'Unknown'],
]);

const REACTION_SEVERITY = 'http://hl7.org/fhir/reaction-event-severity';
/** "HL7 Concept Map_ AllergySeverity[AllergyIntolerance.reaction.severity]" (U unmapped). */
export const ALLERGY_REACTION_SEVERITY = map('0128', [
  ['SV', REACTION_SEVERITY, 'severe', 'Severe'],
  ['MO', REACTION_SEVERITY, 'moderate', 'Moderate'],
  ['MI', REACTION_SEVERITY, 'mild', 'Mild'],
]);
