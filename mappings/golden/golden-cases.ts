/**
 * The corpus messages whose mapped Bundles are checked in as golden files (`<name>.json` next to
 * this file): a handful per type, chosen small enough to review by hand. Each runs through the
 * mapping transformer a shipped channel uses, with default options, so the golden file is what the
 * FHIR store would be sent. Regenerate with `UPDATE_GOLDEN=1 npx vitest run mappings/golden` and
 * review the diff (mappings/golden/README.md).
 */
export interface GoldenCase {
  /** File name of the golden Bundle, without `.json`. */
  readonly name: string;
  /** Path under ../shared/corpus/hl7/. */
  readonly source: string;
  readonly mapping: 'adt-to-fhir' | 'orm-to-fhir' | 'oru-to-fhir';
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'adt-a01-fhir-converter-01', source: 'fhir-converter/ADT-A01-01.hl7', mapping: 'adt-to-fhir' },
  { name: 'adt-a03-fhir-converter-02', source: 'fhir-converter/ADT-A03-02.hl7', mapping: 'adt-to-fhir' },
  { name: 'adt-a08-google-hdh-ex1', source: 'google-hdh/adt_a08_ex1.hl7', mapping: 'adt-to-fhir' },
  { name: 'orm-o01-fhir-converter-lab-1', source: 'fhir-converter/LAB-ORM-1.hl7', mapping: 'orm-to-fhir' },
  {
    name: 'orm-o01-trusted-intermediary-003-short',
    source: 'cdc-trusted-intermediary/003_1_ORM_O01_short_linked_to_002_ORU_R01_short.hl7',
    mapping: 'orm-to-fhir',
  },
  {
    name: 'oru-r01-trusted-intermediary-002-short',
    source: 'cdc-trusted-intermediary/002_1_ORU_R01_short_linked_to_003_ORM_O01_short.hl7',
    mapping: 'oru-to-fhir',
  },
  { name: 'oru-r01-cdc-covid25', source: 'cdc-data-exchange-hl7/covid25.hl7', mapping: 'oru-to-fhir' },
];
