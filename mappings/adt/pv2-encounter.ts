/**
 * PV2 -> the Encounter made from PV1, per "HL7 Segment - FHIR R4_ PV2[Encounter] - PV2.csv" (row
 * named at each element): PV2-3 reasonCode, PV2-8/PV2-9 planned start/end (R5 cross-version
 * extensions), PV2-11 length (NM[Quantity-LengthOfStay]), PV2-12 text, PV2-13 referrer participant,
 * PV2-25 priority (EncounterPriority), PV2-38 mode of arrival (ModeOfArrivalCode). Not mapped:
 * PV2-1 (prior pending location: superseded, not the visit's history) and PV2-22 (meta.security).
 */
import type { CodeableConcept, Coding, Encounter, Extension } from '../../engine/fhir/types.ts';
import { cweToCodeableConcept, cweToCoding } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { fieldPath, fieldValue, mapRepetitions } from '../datatypes/field.ts';
import { xcnToReference } from '../datatypes/xcn.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { type ConceptMap, V2_TABLE_SYSTEM } from '../vocabulary/tables.ts';
import type { SegmentMapEnv } from './env.ts';

const PV2 = {
  admitReason: fieldPath('PV2-3'),
  expectedAdmit: fieldPath('PV2-8'),
  expectedDischarge: fieldPath('PV2-9'),
  lengthOfStay: fieldPath('PV2-11'),
  description: fieldPath('PV2-12'),
  referralSource: fieldPath('PV2-13'),
  priority: fieldPath('PV2-25'),
  modeOfArrival: fieldPath('PV2-38'),
} as const;

/** The PV2-8/PV2-9 rows' URLs (the PV2-9 row's "v\5.0" is a typo for "5.0"). */
export const PLANNED_START_URL =
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedStartDate';
export const PLANNED_END_URL =
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate';
export const MODE_OF_ARRIVAL_URL = 'http://hl7.org/fhir/StructureDefinition/encounter-modeOfArrival';

const frozenMap = (table: string, rows: readonly (readonly [string, Coding])[]): ConceptMap =>
  Object.freeze({ sourceSystem: V2_TABLE_SYSTEM(table), targets: new Map(rows) });

const ACT_PRIORITY = 'http://terminology.hl7.org/CodeSystem/v3-ActPriority';
/** "HL7 Concept Map_ EncounterPriority" (table 0217 -> v3-ActPriority). */
const ENCOUNTER_PRIORITY = frozenMap('0217', [
  ['1', { system: ACT_PRIORITY, code: 'EM', display: 'emergency' }],
  ['2', { system: ACT_PRIORITY, code: 'UR', display: 'urgent' }],
  ['3', { system: ACT_PRIORITY, code: 'EL', display: 'elective' }],
]);

/** "HL7 Concept Map_ ModeOfArrivalCode" (table 0430, identity map onto v2-0430). */
const MODE_OF_ARRIVAL = frozenMap(
  '0430',
  (
    [
      ['A', 'Ambulance'],
      ['C', 'Car'],
      ['F', 'On foot'],
      ['H', 'Helicopter'],
      ['P', 'Public Transport'],
      ['O', 'Other'],
      ['U', 'Unknown'],
    ] as const
  ).map(([code, display]) => [code, { system: V2_TABLE_SYSTEM('0430'), code, display }] as const),
);

type CodingExtension = Extension & { valueCoding?: Coding };

/** The PV2 fields an Encounter carries beyond what engine/fhir/types.ts declares. */
interface EncounterWithPv2 extends Encounter {
  extension?: CodingExtension[];
  text?: { status: 'generated'; div: string };
  reasonCode?: CodeableConcept[];
  length?: { value: number; unit: string; system: string; code: string };
  priority?: CodeableConcept;
}

const escapeXhtml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function plannedDate(env: SegmentMapEnv, field: Hl7Path, url: string): Extension | undefined {
  const raw = fieldValue(env.message, field).get(1);
  if (raw === '') return undefined;
  const value = dtmToDateTime(raw, env.tz);
  if (!value) {
    env.warnings.push(`${field.text} is not a valid DTM: left out`);
    return undefined;
  }
  if (value.offsetAssumed) env.warnings.push(`${field.text} has no time zone: read as ${env.tz}`);
  return { url, valueDateTime: value.value };
}

/** Adds what the message's first PV2 says to `target` (no PV2: unchanged). */
export function applyPv2(env: SegmentMapEnv, target: Encounter): void {
  const { message } = env;
  if (message.segmentCount('PV2') === 0) return;
  const encounter = target as EncounterWithPv2;
  const extensions: CodingExtension[] = [];
  const reason = cweToCodeableConcept(fieldValue(message, PV2.admitReason)); // PV2-3 -> reasonCode[1]
  if (reason) encounter.reasonCode = [reason];
  const start = plannedDate(env, PV2.expectedAdmit, PLANNED_START_URL); // PV2-8 -> extension[1]
  if (start) extensions.push(start);
  const end = plannedDate(env, PV2.expectedDischarge, PLANNED_END_URL); // PV2-9 -> extension[2]
  if (end) extensions.push(end);
  const stay = fieldValue(message, PV2.lengthOfStay).get(1); // PV2-11 -> length, "If positive"
  if (stay !== '') {
    if (/^\+?\d+(\.\d+)?$/.test(stay) && Number(stay) > 0) {
      encounter.length = {
        value: Number(stay),
        unit: 'days',
        system: 'http://unitsofmeasure.org',
        code: 'd',
      };
    } else env.warnings.push('PV2-11 is not a positive number: length left out');
  }
  const description = fieldValue(message, PV2.description).get(1); // PV2-12 -> text.div
  if (description !== '') {
    encounter.text = {
      status: 'generated',
      div: `<div xmlns="http://www.w3.org/1999/xhtml">${escapeXhtml(description)}</div>`,
    };
  }
  // PV2-13 -> participant, type REF "referrer"
  for (const individual of mapRepetitions(message, PV2.referralSource, (v) => xcnToReference(v, env.cx))) {
    const type = {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'REF' }],
      text: 'referrer',
    };
    encounter.participant = [...(encounter.participant ?? []), { type: [type], individual }];
  }
  const priority = cweToCodeableConcept(fieldValue(message, PV2.priority), ENCOUNTER_PRIORITY); // PV2-25
  if (priority) encounter.priority = priority;
  const arrival = cweToCoding(fieldValue(message, PV2.modeOfArrival), MODE_OF_ARRIVAL); // PV2-38
  if (arrival) extensions.push({ url: MODE_OF_ARRIVAL_URL, valueCoding: arrival });
  if (extensions.length > 0) encounter.extension = [...(encounter.extension ?? []), ...extensions];
}
