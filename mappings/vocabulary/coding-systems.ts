/**
 * CWE.3 / CWE.6 / CWE.12 "name of coding system" (HL7 table 0396) -> FHIR code system URI. The
 * IG's CWE[CodeableConcept] rows note "the vocabulary table will give the actual uri" without
 * publishing one, so the URIs below are those of the FHIR R4 terminology registry
 * (http://hl7.org/fhir/R4/terminologies-systems.html).
 */
const KNOWN: ReadonlyMap<string, string> = new Map([
  ['LN', 'http://loinc.org'],
  ['SCT', 'http://snomed.info/sct'],
  ['SNM', 'http://snomed.info/sct'],
  ['I10', 'http://hl7.org/fhir/sid/icd-10'],
  ['I10C', 'http://hl7.org/fhir/sid/icd-10-cm'],
  ['ICD10CM', 'http://hl7.org/fhir/sid/icd-10-cm'],
  ['I9', 'http://hl7.org/fhir/sid/icd-9-cm'],
  ['I9C', 'http://hl7.org/fhir/sid/icd-9-cm'],
  ['I9CDX', 'http://hl7.org/fhir/sid/icd-9-cm'],
  ['CPT', 'http://www.ama-assn.org/go/cpt'],
  ['C4', 'http://www.ama-assn.org/go/cpt'],
  ['UCUM', 'http://unitsofmeasure.org'],
  ['NDC', 'http://hl7.org/fhir/sid/ndc'],
  ['CVX', 'http://hl7.org/fhir/sid/cvx'],
  ['RXNORM', 'http://www.nlm.nih.gov/research/umls/rxnorm'],
  ['ISO3166_1', 'urn:iso:std:iso:3166'],
  ['ISO639', 'urn:ietf:bcp:47'],
  ['CDCREC', 'urn:oid:2.16.840.1.113883.6.238'],
]);

/**
 * `HL7nnnn` and `HL7nnnn`-style names become terminology.hl7.org v2 tables; names nobody
 * registered keep their text in a Switchboard URN (valid URI, reversible), never dropped.
 */
export function codingSystemUri(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  const known = KNOWN.get(trimmed.toUpperCase());
  if (known) return known;
  const table = /^HL7(\d{4})$/i.exec(trimmed);
  if (table) return `http://terminology.hl7.org/CodeSystem/v2-${table[1]}`;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/\s/.test(trimmed)) return trimmed;
  return `urn:switchboard:codesystem:${encodeURIComponent(trimmed)}`;
}
