/**
 * HL7 v2 tables -> FHIR codes, copied row by row from the v2-to-FHIR IG concept maps in
 * ../shared/corpus/v2-to-fhir/codesystems/ (file named above each table). Codes a concept map
 * leaves unmapped are absent here, so a lookup returns undefined and the caller keeps the v2 code.
 */
import type { Coding } from '../../engine/fhir/types.ts';

export interface ConceptMap {
  /** The HL7 v2 table, as a FHIR code system URI (for keeping the original code). */
  readonly sourceSystem: string;
  readonly targets: ReadonlyMap<string, Readonly<Coding>>;
}

export const V2_TABLE_SYSTEM = (table: string): string => `http://terminology.hl7.org/CodeSystem/v2-${table}`;

function conceptMap(table: string, system: string, rows: readonly (readonly [string, string, string?])[]) {
  const targets = new Map<string, Readonly<Coding>>();
  for (const [v2, code, display] of rows) {
    targets.set(v2, Object.freeze(display === undefined ? { system, code } : { system, code, display }));
  }
  return Object.freeze({ sourceSystem: V2_TABLE_SYSTEM(table), targets }) satisfies ConceptMap;
}

/** "HL7 Concept Map_ AdministrativeSex" (table 0001 -> administrative-gender). */
export const ADMINISTRATIVE_SEX = conceptMap('0001', 'http://hl7.org/fhir/administrative-gender', [
  ['F', 'female'],
  ['M', 'male'],
  ['O', 'other'],
  ['U', 'unknown'],
  ['A', 'other'],
  ['N', 'other'],
]);

const V3_MARITAL = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';
const V3_NULL = 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor';
/** "HL7 Concept Map_ MaritalStatus" (table 0002; two targets, so system per row). */
export const MARITAL_STATUS: ConceptMap = Object.freeze({
  sourceSystem: V2_TABLE_SYSTEM('0002'),
  targets: new Map<string, Readonly<Coding>>(
    (
      [
        ['A', V3_MARITAL, 'L', 'Legally Separated'],
        ['D', V3_MARITAL, 'D', 'Divorced'],
        ['M', V3_MARITAL, 'M', 'Married'],
        ['S', V3_MARITAL, 'S', 'Never Married'],
        ['W', V3_MARITAL, 'W', 'Widowed'],
        ['C', V3_MARITAL, 'C', 'Common Law'],
        ['G', V3_MARITAL, 'T', 'Domestic partner'],
        ['P', V3_MARITAL, 'T', 'Domestic partner'],
        ['R', V3_MARITAL, 'T', 'Domestic partner'],
        ['E', V3_MARITAL, 'L', 'Legally Separated'],
        ['N', V3_MARITAL, 'A', 'Annulled'],
        ['I', V3_MARITAL, 'I', 'Interlocutory'],
        ['B', V3_MARITAL, 'U', 'unmarried'],
        ['U', V3_NULL, 'UNK', 'Unknown'],
        ['O', V3_NULL, 'OTH', 'Other'],
        ['T', V3_NULL, 'NAVU', 'Not available'],
      ] as const
    ).map(([v2, system, code, display]) => [v2, Object.freeze({ system, code, display })]),
  ),
});

const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** "HL7 Concept Map_ PatientClass[EncounterClass]" (table 0004 -> v3 ActCode; R, B, C, N, U stay v2). */
export const PATIENT_CLASS: ConceptMap = Object.freeze({
  sourceSystem: V2_TABLE_SYSTEM('0004'),
  targets: new Map<string, Readonly<Coding>>(
    (
      [
        ['E', V3_ACT_CODE, 'EMER', 'emergency'],
        ['I', V3_ACT_CODE, 'IMP', 'inpatient encounter'],
        ['O', V3_ACT_CODE, 'AMB', 'ambulatory'],
        ['P', V3_ACT_CODE, 'PRENC', 'pre-admission'],
        ['R', V2_TABLE_SYSTEM('0004'), 'R', 'Recurring patient'],
        ['B', V2_TABLE_SYSTEM('0004'), 'B', 'Obstetrics'],
        ['C', V2_TABLE_SYSTEM('0004'), 'C', 'Commercial Account'],
        ['N', V2_TABLE_SYSTEM('0004'), 'N', 'Not Applicable'],
        ['U', V2_TABLE_SYSTEM('0004'), 'U', 'Unknown'],
      ] as const
    ).map(([v2, system, code, display]) => [v2, Object.freeze({ system, code, display })]),
  ),
});

const ENCOUNTER_STATUS = 'http://hl7.org/fhir/encounter-status';
/** "HL7 Concept Map_ PatientClass[EncounterStatus]" (PV1-2 -> status when PV1-45 is not valued). */
export const PATIENT_CLASS_STATUS = conceptMap('0004', ENCOUNTER_STATUS, [
  ['E', 'in-progress'],
  ['I', 'in-progress'],
  ['O', 'in-progress'],
  ['P', 'planned'],
  ['R', 'in-progress'],
  ['B', 'in-progress'],
  ['C', 'in-progress'],
  ['N', 'in-progress'],
  ['U', 'unknown'],
]);

/** "HL7 Concept Map_ Event[EncounterStatus]" (MSH-9.2 trigger, table 0003 -> encounter-status). */
export const EVENT_ENCOUNTER_STATUS = conceptMap('0003', ENCOUNTER_STATUS, [
  ['A01', 'in-progress'],
  ['A02', 'in-progress'],
  ['A03', 'finished'],
  ['A04', 'planned'],
  ['A05', 'planned'],
  ['A08', 'unknown'],
  ['A11', 'cancelled'],
  ['A13', 'in-progress'],
]);

/** "HL7 Concept Map_ NameType" (table 0200 -> name-use). */
export const NAME_TYPE = conceptMap('0200', 'http://hl7.org/fhir/name-use', [
  ['BAD', 'old'],
  ['D', 'usual'],
  ['L', 'official'],
  ['M', 'maiden'],
  ['MSK', 'anonymous'],
  ['N', 'nickname'],
  ['NAV', 'temp'],
  ['R', 'official'],
  ['TEMP', 'temp'],
]);

/** "HL7 Concept Map_ AddressType[Use]" (table 0190 -> address-use). */
export const ADDRESS_USE = conceptMap('0190', 'http://hl7.org/fhir/address-use', [
  ['BA', 'old'],
  ['BI', 'billing'],
  ['C', 'temp'],
  ['B', 'work'],
  ['H', 'home'],
  ['O', 'work'],
]);

/** "HL7 Concept Map_ AddressType[Type]" (table 0190 -> address-type). */
export const ADDRESS_TYPE = conceptMap('0190', 'http://hl7.org/fhir/address-type', [
  ['M', 'postal'],
  ['SH', 'postal'],
]);

/** "HL7 Concept Map_ TelecommunicationUseCode" (table 0201 -> contact-point-use). */
export const TELECOM_USE = conceptMap('0201', 'http://hl7.org/fhir/contact-point-use', [
  ['PRN', 'home'],
  ['WPN', 'work'],
  ['PRS', 'mobile'],
]);

/**
 * "HL7 Concept Map_ TelecommunicationEquipmentType" (table 0202 -> contact-point-system). The map
 * sends CP to contact-point-use "mobile"; the system of a cell phone is "phone".
 */
export const TELECOM_EQUIPMENT = conceptMap('0202', 'http://hl7.org/fhir/contact-point-system', [
  ['PH', 'phone'],
  ['FX', 'fax'],
  ['MD', 'other'],
  ['CP', 'phone'],
  ['SAT', 'other'],
  ['BP', 'pager'],
  ['Internet', 'email'],
  ['X.400', 'email'],
  ['TDD', 'other'],
  ['TTY', 'other'],
]);

/** "HL7 Concept Map_ YesNoIndicator" (table 0136 -> boolean). */
export const YES_NO: ReadonlyMap<string, boolean> = new Map([
  ['Y', true],
  ['N', false],
]);

/** "HL7 Concept Map_ IdentifierType": table 0203 maps to itself (v2-0203); these are its codes. */
export const IDENTIFIER_TYPES: ReadonlySet<string> = new Set(
  (
    'ACSN AM AMA AN ANON ANC AND ANT APRN ASID BA BC BCT BR BRN BSNR CC CONM CZ CY DDS DEA DI DFN DL DN DO ' +
    'DP DPM DR DS EI EN ESN FI GI GL GN HC JHN IND LACSN LANR LI LN LR MA MB MC MCD MCN MCR MCT MD MI MR MRT ' +
    'MS NBSNR NCT NE NH NI NII NIIP NNxxx NP NPI OD PA PC PCN PE PEN PI PN PNT PPIN PPN PRC PRN PT QA RI RPH ' +
    'RN RR RRI RRP SID SL SN SP SR SS TAX TN TPR U UPIN USID VN VP VS WC WCN WP XX'
  ).split(' '),
);

/** Looks a v2 code up; undefined when the concept map has no target for it. */
export function mapCode(map: ConceptMap, v2Code: string): Readonly<Coding> | undefined {
  return map.targets.get(v2Code);
}
