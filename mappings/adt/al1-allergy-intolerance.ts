/**
 * AL1 -> AllergyIntolerance, per "HL7 Segment - FHIR R4_ AL1[AllergyIntolerance]" (ADT_A01 row 23:
 * AllergyIntolerance.patient -> Patient[1]). AL1-4 follows the row "severity used equivalent to
 * criticality" (the IG's note: criticality matches v2 better than the point-in-time
 * reaction.severity).
 *
 * Key: AL1-1 "doesn't warrant mapping" and senders renumber lists, so the AllergyIntolerance is
 * keyed on the patient and the allergen: a derived identifier, system
 * `urn:switchboard:id:allergy`, value uuidV5(Patient fullUrl | AL1-3.3 | AL1-3.1, else AL1-3.2).
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type {
  CodeableConcept,
  Element,
  Extension,
  FhirResource,
  Identifier,
  Reference,
} from '../../engine/fhir/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { cweToCode, cweToCodeableConcept } from '../datatypes/cwe.ts';
import { fieldPath, mapRepetitions } from '../datatypes/field.ts';
import type { EntryList } from '../common/entries.ts';
import { dateTimeField, type SegmentReader } from '../common/segments.ts';
import {
  ALLERGEN_CATEGORY,
  ALLERGEN_ORIGINAL_CATEGORY,
  ALLERGY_CRITICALITY,
  ALLERGY_SEVERITY_ORIGINAL,
  ALLERGY_TYPE,
} from '../common/segment-vocabulary.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import { mapCode } from '../vocabulary/tables.ts';
import type { AdtRefs } from './adt-segments.ts';
import type { SegmentMapEnv } from './env.ts';

const AL1 = {
  type: fieldPath('AL1-2'),
  code: fieldPath('AL1-3'),
  severity: fieldPath('AL1-4'),
  reaction: fieldPath('AL1-5'),
  identified: fieldPath('AL1-6'),
} as const;

export const ALLERGY_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}allergy`;
const ALTERNATE_CODES = 'http://hl7.org/fhir/StructureDefinition/alternate-codes';

export interface AllergyIntolerance extends FhirResource {
  resourceType: 'AllergyIntolerance';
  identifier: Identifier[];
  clinicalStatus: CodeableConcept;
  type?: string;
  category?: string[];
  _category?: (Element | null)[];
  criticality?: string;
  _criticality?: Element;
  code?: CodeableConcept;
  patient: Reference;
  onsetDateTime?: string;
  reaction?: { manifestation: CodeableConcept[] }[];
}

const alternateCodes = (concept: CodeableConcept): Extension => ({
  url: ALTERNATE_CODES,
  valueCodeableConcept: concept,
});

/** Adds the AllergyIntolerance of one AL1; skips (with a warning) an AL1 without AL1-3. */
export function mapAl1(env: SegmentMapEnv, refs: AdtRefs, al1: SegmentReader, entries: EntryList): void {
  const codeValue = al1.value(AL1.code);
  const code = cweToCodeableConcept(codeValue); // AL1-3 -> code
  if (!code) {
    env.warnings.push(`${al1.path(AL1.code).text} (allergen) is empty: AL1 not mapped`);
    return;
  }
  const allergen = codeValue.get(1) || codeValue.get(2);
  const value = uuidV5(`${refs.patient}|${codeValue.get(3)}|${allergen}`);
  const key: ResourceKey = { system: ALLERGY_KEY_SYSTEM, value };
  const allergy: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    identifier: [{ use: 'secondary', system: ALLERGY_KEY_SYSTEM, value }],
    // AL1 (segment) -> clinicalStatus "active" (constraint ait-1)
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
      ],
    },
    patient: { reference: refs.patient },
  };
  const typeValue = al1.value(AL1.type);
  const typeCode = cweToCode(typeValue);
  if (typeCode !== '') {
    const type = mapCode(ALLERGY_TYPE, typeCode)?.code; // AL1-2 -> type (AllergyType)
    if (type) allergy.type = type;
    const category = mapCode(ALLERGEN_CATEGORY, typeCode)?.code; // AL1-2 -> category
    const original = cweToCodeableConcept(typeValue, ALLERGEN_ORIGINAL_CATEGORY);
    if (category) allergy.category = [category];
    // AL1-2 -> category.extension alternate-codes (the v2 code; kept even when category is unmapped)
    if (original) allergy._category = [{ extension: [alternateCodes(original)] }];
    if (!mapCode(ALLERGEN_ORIGINAL_CATEGORY, typeCode)) {
      env.warnings.push(`${al1.path(AL1.type).text} code "${typeCode}" is not in table 0127`);
    }
  }
  const severityValue = al1.value(AL1.severity);
  const severity = cweToCode(severityValue);
  if (severity !== '') {
    const criticality = mapCode(ALLERGY_CRITICALITY, severity)?.code; // AL1-4 -> criticality
    if (criticality) allergy.criticality = criticality;
    const original = cweToCodeableConcept(severityValue, ALLERGY_SEVERITY_ORIGINAL);
    if (original) allergy._criticality = { extension: [alternateCodes(original)] };
    if (!mapCode(ALLERGY_SEVERITY_ORIGINAL, severity)) {
      env.warnings.push(`${al1.path(AL1.severity).text} code "${severity}" is not in table 0128`);
    }
  }
  allergy.code = code;
  const onset = dateTimeField(al1, AL1.identified, env.tz, env.warnings); // AL1-6 -> onsetDateTime
  if (onset) allergy.onsetDateTime = onset;
  // AL1-5 (ST, repeating) -> reaction.manifestation.text, one manifestation per repetition
  const manifestation = mapRepetitions(env.message, al1.path(AL1.reaction), (v) => {
    const text = v.get(1);
    return text === '' ? undefined : { text };
  });
  if (manifestation.length > 0) allergy.reaction = [{ manifestation }];
  entries.add(conditionalPut(allergy, key));
}
