/**
 * PR1 -> Procedure, per "HL7 Segment - FHIR R4_ PR1[Procedure]" (ADT_A01 row 27.1: Procedure.subject
 * -> Patient[1]). The IG leaves status to the message context: a procedure an ADT reports is one
 * that took place, so "completed".
 *
 * Key: PR1-19 (procedure identifier) when valued. Otherwise a derived identifier, system
 * `urn:switchboard:id:procedure`, value uuidV5(Encounter fullUrl, else Patient fullUrl | PR1-3.3 |
 * PR1-3.1, else PR1-4 | PR1-5): one Procedure per code and time per visit.
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type {
  CodeableConcept,
  FhirResource,
  Identifier,
  Period,
  Reference,
} from '../../engine/fhir/types.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime, parseDtm } from '../datatypes/dtm.ts';
import { fieldPath, mapRepetitions } from '../datatypes/field.ts';
import { plToReference } from '../datatypes/pl.ts';
import { eiToIdentifier } from '../common/ei.ts';
import type { EntryList } from '../common/entries.ts';
import { practitionerReference } from '../common/practitioner.ts';
import type { SegmentReader } from '../common/segments.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import type { AdtRefs } from './adt-segments.ts';
import type { SegmentMapEnv } from './env.ts';

const PR1 = {
  code: fieldPath('PR1-3'),
  description: fieldPath('PR1-4'),
  time: fieldPath('PR1-5'),
  functionalType: fieldPath('PR1-6'),
  minutes: fieldPath('PR1-7'),
  anesthesiologist: fieldPath('PR1-8'),
  surgeon: fieldPath('PR1-11'),
  practitioner: fieldPath('PR1-12'),
  diagnosis: fieldPath('PR1-15'),
  identifier: fieldPath('PR1-19'),
  location: fieldPath('PR1-23'),
} as const;

export const PROCEDURE_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}procedure`;
const SCT = 'http://snomed.info/sct';

export interface Procedure extends FhirResource {
  resourceType: 'Procedure';
  identifier: Identifier[];
  status: string;
  category?: CodeableConcept;
  code?: CodeableConcept;
  subject: Reference;
  encounter?: Reference;
  performedDateTime?: string;
  performedPeriod?: Period;
  performer?: { function?: CodeableConcept; actor: Reference }[];
  location?: Reference;
  reasonCode?: CodeableConcept[];
}

/** PR1-8, PR1-11, PR1-12 rows: performer[n].actor and, where the row assigns one, function. */
const PERFORMERS: readonly (readonly [Hl7Path, CodeableConcept | undefined])[] = [
  [PR1.anesthesiologist, { coding: [{ system: SCT, code: '88189002', display: 'Anesthesiologist' }] }],
  [PR1.surgeon, { coding: [{ system: SCT, code: '304292004', display: 'Surgeon' }] }],
  [PR1.practitioner, undefined],
];

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** `start` (a FHIR dateTime with a time and an offset) plus `minutes`, in the same offset. */
export function addMinutes(start: string, minutes: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(start);
  if (!m) return undefined;
  // wall-clock arithmetic: a fixed offset has no daylight saving, so the offset is kept as sent
  const local = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + minutes * 60_000;
  const d = new Date(local);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${time}${m[7] ?? ''}${m[8]}`;
}

function performed(
  env: SegmentMapEnv,
  pr1: SegmentReader,
): Pick<Procedure, 'performedDateTime' | 'performedPeriod'> {
  const raw = pr1.text(PR1.time);
  if (raw === '') return {};
  const start = dtmToDateTime(raw, env.tz);
  if (!start) {
    env.warnings.push(`${pr1.path(PR1.time).text} is not a valid date/time: left out`);
    return {};
  }
  const minutesText = pr1.text(PR1.minutes);
  const minutes = /^\d+$/.test(minutesText) ? Number(minutesText) : undefined;
  const precision = parseDtm(raw)?.precision;
  const toMinute = precision === 'minute' || precision === 'second' || precision === 'fraction';
  // PR1-7 valued and PR1-5 to the minute -> performedPeriod (start + PR1-7 minutes); else PR1-5 -> performedDateTime
  if (minutes !== undefined && toMinute) {
    const end = addMinutes(start.value, minutes);
    if (end) return { performedPeriod: { start: start.value, end } };
  }
  return { performedDateTime: start.value };
}

/** Adds the Procedure of one PR1 (and its clinicians' Practitioners); returns its fullUrl. */
export function mapPr1(
  env: SegmentMapEnv,
  refs: AdtRefs,
  pr1: SegmentReader,
  entries: EntryList,
): string | undefined {
  const codeValue = pr1.value(PR1.code);
  const description = pr1.text(PR1.description);
  let code = cweToCodeableConcept(codeValue); // PR1-3 -> code
  if (description !== '' && codeValue.get(9) === '') code = { ...code, text: description }; // PR1-4 -> code.text
  if (!code) {
    env.warnings.push(`${pr1.path(PR1.code).text} and PR1-4 are empty: PR1 not mapped`);
    return undefined;
  }
  const id = eiToIdentifier(pr1.value(PR1.identifier), env.cx); // PR1-19 -> identifier
  const identifier: Identifier[] = [];
  let key: ResourceKey;
  if (id?.system !== undefined && id.value !== undefined) {
    key = { system: id.system, value: id.value };
    identifier.push(id);
  } else {
    const context = refs.encounter ?? refs.patient;
    const basis = `${context}|${codeValue.get(3)}|${codeValue.get(1) || description}|${pr1.text(PR1.time)}`;
    const value = uuidV5(basis);
    key = { system: PROCEDURE_KEY_SYSTEM, value };
    identifier.push({ use: 'secondary', system: PROCEDURE_KEY_SYSTEM, value });
  }
  const procedure: Procedure = {
    resourceType: 'Procedure',
    identifier,
    status: 'completed',
    subject: { reference: refs.patient },
  };
  const category = cweToCodeableConcept(pr1.value(PR1.functionalType)); // PR1-6 -> category
  if (category) procedure.category = category;
  procedure.code = code;
  if (refs.encounter) procedure.encounter = { reference: refs.encounter };
  Object.assign(procedure, performed(env, pr1));
  const performer: NonNullable<Procedure['performer']> = [];
  for (const [field, fn] of PERFORMERS) {
    for (const actor of mapRepetitions(env.message, pr1.path(field), (v) =>
      practitionerReference(v, env, entries),
    )) {
      performer.push({ ...(fn && { function: structuredClone(fn) }), actor });
    }
  }
  if (performer.length > 0) procedure.performer = performer;
  const location = plToReference(pr1.value(PR1.location)); // PR1-23 -> location (by display)
  if (location) procedure.location = location;
  const reasons = mapRepetitions(env.message, pr1.path(PR1.diagnosis), (v) => cweToCodeableConcept(v)); // PR1-15
  if (reasons.length > 0) procedure.reasonCode = reasons;
  const entry = conditionalPut(procedure, key);
  entries.add(entry);
  return entry.fullUrl;
}
