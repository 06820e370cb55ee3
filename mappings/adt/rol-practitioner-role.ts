/**
 * ROL -> PractitionerRole (and its Practitioner), per "HL7 Segment - FHIR R4_
 * ROL[Encounter-PractitionerRole]" and "ROL[Patient-GeneralPractitioner]" (same PractitionerRole
 * rows: ROL-3 -> code via ProviderRole, ROL-4 -> practitioner, ROL-5/6 -> period, ROL-12 ->
 * telecom). Where the ROL stands decides who points at the PractitionerRole (ADT_A01 rows 13, 19):
 * after PID/PD1 with ROL-3 "PP" -> Patient.generalPractitioner; after PV1/PV2 ->
 * Encounter.participant. The Patient and the Encounter are built elsewhere, so
 * `rolGeneralPractitioners` and `rolEncounterParticipants` give those references to their maps.
 * A ROL whose ROL-4 has no XCN.1 cannot be keyed and yields no resource (a display reference only).
 */
import type { CodeableConcept, Period, Reference } from '../../engine/fhir/types.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { fieldPath, mapRepetitions } from '../datatypes/field.ts';
import { xcnDisplay } from '../datatypes/xcn.ts';
import { xtnToContactPoint } from '../datatypes/xtn.ts';
import { EntryList } from '../common/entries.ts';
import { xcnToPractitioner } from '../common/practitioner.ts';
import { practitionerRole } from '../common/practitioner-role.ts';
import { PROVIDER_ROLE } from '../common/segment-vocabulary.ts';
import { dateTimeField, precedingAnchors, segmentReaders, type SegmentReader } from '../common/segments.ts';
import type { SegmentMapEnv } from './env.ts';

const ROL = {
  role: fieldPath('ROL-3'),
  person: fieldPath('ROL-4'),
  begin: fieldPath('ROL-5'),
  end: fieldPath('ROL-6'),
  phone: fieldPath('ROL-12'),
} as const;

/** The segments that open a ROL's context in ADT messages. */
const ANCHORS = ['PID', 'PD1', 'PV1', 'PV2', 'PR1', 'IN1', 'IN2', 'IN3'] as const;
const PATIENT_LEVEL = new Set(['PID', 'PD1']);
const ENCOUNTER_LEVEL = new Set(['PV1', 'PV2']);

export interface RolParticipant {
  type?: CodeableConcept[];
  period?: Period;
  individual: Reference;
}

interface MappedRol {
  readonly anchor: string;
  readonly roleCode: string;
  readonly type?: CodeableConcept;
  readonly period?: Period;
  readonly reference: Reference;
}

function mapOne(
  env: SegmentMapEnv,
  rol: SegmentReader,
  anchor: string,
  entries: EntryList,
): MappedRol | undefined {
  const person = rol.value(ROL.person);
  const roleValue = rol.value(ROL.role);
  const type = cweToCodeableConcept(roleValue, PROVIDER_ROLE); // ROL-3 -> code / participant.type
  const start = dateTimeField(rol, ROL.begin, env.tz, env.warnings);
  const end = dateTimeField(rol, ROL.end, env.tz, env.warnings);
  const period = start || end ? { ...(start && { start }), ...(end && { end }) } : undefined;
  const common = { anchor, roleCode: roleValue.get(1), ...(type && { type }), ...(period && { period }) };
  const practitioner = xcnToPractitioner(person, env); // ROL-4 -> practitioner
  if (!practitioner) {
    const display = xcnDisplay(person);
    return display === '' ? undefined : { ...common, reference: { type: 'Practitioner', display } };
  }
  entries.add(practitioner.entry);
  const telecom = mapRepetitions(env.message, rol.path(ROL.phone), (v) =>
    xtnToContactPoint(v, 'work', env.tz),
  );
  const role = practitionerRole({
    practitioner,
    ...(type && { code: type }),
    ...(period && { period }),
    telecom,
  });
  entries.add(role.entry);
  return { ...common, reference: role.reference };
}

function mapAll(env: SegmentMapEnv, entries: EntryList): MappedRol[] {
  const anchors = precedingAnchors(env.message, 'ROL', ANCHORS);
  const out: MappedRol[] = [];
  segmentReaders(env.message, 'ROL').forEach((rol, i) => {
    const mapped = mapOne(env, rol, anchors[i] ?? '', entries);
    if (mapped) out.push(mapped);
  });
  return out;
}

/** Adds the Practitioner and PractitionerRole entries of every ROL. */
export function mapRols(env: SegmentMapEnv, entries: EntryList): void {
  mapAll(env, entries);
}

/** Patient.generalPractitioner references: ROL-3 "PP" after PID/PD1 (ADT_A01 row 13). */
export function rolGeneralPractitioners(env: SegmentMapEnv): Reference[] {
  const quiet = { ...env, warnings: [] };
  return mapAll(quiet, new EntryList())
    .filter((r) => PATIENT_LEVEL.has(r.anchor) && r.roleCode === 'PP')
    .map((r) => r.reference);
}

/** Encounter.participant entries: every ROL after PV1/PV2 (ADT_A01 row 19). */
export function rolEncounterParticipants(env: SegmentMapEnv): RolParticipant[] {
  const quiet = { ...env, warnings: [] };
  return mapAll(quiet, new EntryList())
    .filter((r) => ENCOUNTER_LEVEL.has(r.anchor))
    .map((r) => ({
      ...(r.type && { type: [r.type] }),
      ...(r.period && { period: r.period }),
      individual: r.reference,
    }));
}
