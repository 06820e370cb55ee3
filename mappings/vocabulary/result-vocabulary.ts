/**
 * Result vocabularies of ORU^R01 copied row by row from the v2-to-FHIR IG concept maps in
 * ../shared/corpus/v2-to-fhir/codesystems/ (file named above each table).
 */
import { type ConceptMap, V2_TABLE_SYSTEM } from './tables.ts';
import type { Coding } from '../../engine/fhir/types.ts';

export const V3_OBSERVATION_INTERPRETATION =
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

function conceptMap(
  table: string,
  system: string,
  rows: readonly (readonly [string, string, string])[],
): ConceptMap {
  const targets = new Map<string, Readonly<Coding>>();
  for (const [v2, code, display] of rows) targets.set(v2, Object.freeze({ system, code, display }));
  return Object.freeze({ sourceSystem: V2_TABLE_SYSTEM(table), targets });
}

/**
 * "HL7 Concept Map_ InterpretationCodes" (table 0078 -> v3 ObservationInterpretation), OBX-8. Codes
 * the map leaves blank (AC, HM, OBX, QCF, TOX: inactive in the v3 value set) keep their v2-0078 coding.
 */
export const INTERPRETATION = conceptMap('0078', V3_OBSERVATION_INTERPRETATION, [
  ['<', '<', 'Off scale low'],
  ['>', '>', 'Off scale high'],
  ['A', 'A', 'Abnormal'],
  ['AA', 'AA', 'Critical abnormal'],
  ['B', 'B', 'Better'],
  ['CAR', 'CAR', 'Carrier'],
  ['D', 'D', 'Significant change down'],
  ['DET', 'DET', 'Detected'],
  ['E', 'E', 'Equivocal'],
  ['EX', 'EX', 'outside threshold'],
  ['EXP', 'EXP', 'Expected'],
  ['H', 'H', 'High'],
  ['HH', 'HH', 'Critical high'],
  ['HU', 'HU', 'Significantly high'],
  ['I', 'I', 'Intermediate'],
  ['IE', 'IE', 'Insufficient evidence'],
  ['IND', 'IND', 'Indeterminate'],
  ['L', 'L', 'Low'],
  ['LL', 'LL', 'Critical low'],
  ['LU', 'LU', 'Significantly low'],
  ['MS', 'MS', 'moderately susceptible'],
  ['N', 'N', 'Normal'],
  ['NCL', 'NCL', 'No CLSI defined breakpoint'],
  ['ND', 'ND', 'Not detected'],
  ['NEG', 'NEG', 'Negative'],
  ['NR', 'NR', 'Non-reactive'],
  ['NS', 'NS', 'Non-susceptible'],
  ['POS', 'POS', 'Positive'],
  ['R', 'R', 'Resistant'],
  ['RR', 'RR', 'Reactive'],
  ['S', 'S', 'Susceptible'],
  ['SDD', 'SDD', 'Susceptible-dose dependent'],
  ['SYN-R', 'SYN-R', 'Synergy - resistant'],
  ['SYN-S', 'SYN-S', 'Synergy - susceptible'],
  ['U', 'U', 'Significant change up'],
  ['VS', 'VS', 'very susceptible'],
  ['UNE', 'UNE', 'Unexpected'],
  ['W', 'W', 'Worse'],
  ['WR', 'WR', 'Weakly reactive'],
]);

/** "HL7 Concept Map_ DiagnosticServiceSectionID" (table 0074 -> v2-0074, the identity), OBR-24. */
export const DIAGNOSTIC_SERVICE_SECTION = conceptMap('0074', V2_TABLE_SYSTEM('0074'), [
  ['AU', 'AU', 'Audiology'],
  ['BG', 'BG', 'Blood Gases'],
  ['BLB', 'BLB', 'Blood Bank'],
  ['CG', 'CG', 'Cytogenetics'],
  ['CUS', 'CUS', 'Cardiac Ultrasound'],
  ['CTH', 'CTH', 'Cardiac Catheterization'],
  ['CT', 'CT', 'CAT Scan'],
  ['CH', 'CH', 'Chemistry'],
  ['CP', 'CP', 'Cytopathology'],
  ['EC', 'EC', 'Electrocardiac (e.g., EKG,  EEC, Holter)'],
  ['EN', 'EN', 'Electroneuro (EEG, EMG,EP,PSG)'],
  ['GE', 'GE', 'Genetics'],
  ['HM', 'HM', 'Hematology'],
  ['ICU', 'ICU', 'Bedside ICU Monitoring'],
  ['IMM', 'IMM', 'Immunology'],
  ['LAB', 'LAB', 'Laboratory'],
  ['MB', 'MB', 'Microbiology'],
  ['MCB', 'MCB', 'Mycobacteriology'],
  ['MYC', 'MYC', 'Mycology'],
  ['NMS', 'NMS', 'Nuclear Medicine Scan'],
  ['NMR', 'NMR', 'Nuclear Magnetic Resonance'],
  ['NRS', 'NRS', 'Nursing Service Measures'],
  ['OUS', 'OUS', 'OB Ultrasound'],
  ['OT', 'OT', 'Occupational Therapy'],
  ['OTH', 'OTH', 'Other'],
  ['OSL', 'OSL', 'Outside Lab'],
  ['PHR', 'PHR', 'Pharmacy'],
  ['PT', 'PT', 'Physical Therapy'],
  ['PHY', 'PHY', 'Physician (Hx. Dx, admission note, etc.)'],
  ['PF', 'PF', 'Pulmonary Function'],
  ['RAD', 'RAD', 'Radiology'],
  ['RX', 'RX', 'Radiograph'],
  ['RUS', 'RUS', 'Radiology Ultrasound'],
  ['RC', 'RC', 'Respiratory Care (therapy)'],
  ['RT', 'RT', 'Radiation Therapy'],
  ['SR', 'SR', 'Serology'],
  ['SP', 'SP', 'Surgical Pathology'],
  ['TX', 'TX', 'Toxicology'],
  ['VUS', 'VUS', 'Vascular Ultrasound'],
  ['VR', 'VR', 'Virology'],
  ['XRC', 'XRC', 'Cineradiograph'],
]);

/** "HL7 Concept Map_ NatureOfAbnormalTesting" (table 0080 -> v2-0080, the identity), OBX-10. */
export const NATURE_OF_ABNORMAL_TEST = conceptMap('0080', V2_TABLE_SYSTEM('0080'), [
  ['A', 'A', 'An age-based population'],
  ['N', 'N', 'None - generic normal range'],
  ['R', 'R', 'A race-based population'],
  ['S', 'S', 'A sex-based population'],
  ['SP', 'SP', 'Species'],
  ['B', 'B', 'Breed'],
  ['ST', 'ST', 'Strain'],
]);

/**
 * "HL7 Concept Map_ SpecimenType" maps table 0487 to itself (v2-0487), SPM-4: a code without a
 * coding system name is read as a v2-0487 code.
 */
export const SPECIMEN_TYPE: ConceptMap = Object.freeze({
  sourceSystem: V2_TABLE_SYSTEM('0487'),
  targets: new Map(),
});

/** "HL7 Concept Map_ YesNoIndicator[AvailabilityStatus]" (table 0136 -> specimen-status), SPM-20. */
export const SPECIMEN_AVAILABILITY: ReadonlyMap<string, 'available' | 'unavailable'> = new Map([
  ['Y', 'available'],
  ['N', 'unavailable'],
]);
