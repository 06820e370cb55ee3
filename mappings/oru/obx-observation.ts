/**
 * OBX (+ its NTEs) -> Observation, per "HL7 Segment - FHIR R4_ OBX[Observation]" and
 * "NTE[Observation]" (row named at each element); status per "HL7 Concept Map_
 * ObservationResultStatusCodesInterpretation", interpretation per "InterpretationCodes".
 */
import type { CodeableConcept, Reference } from '../../engine/fhir/types.ts';
import type { ResourceKey } from '../bundle.ts';
import type { SegmentMapEnv } from '../adt/env.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { mapRepetitions } from '../datatypes/field.ts';
import { xcnToReference } from '../datatypes/xcn.ts';
import { OBSERVATION_RESULT_STATUS_SYSTEM, observationStatus } from '../vocabulary/result-status.ts';
import { INTERPRETATION, NATURE_OF_ABNORMAL_TEST } from '../vocabulary/result-vocabulary.ts';
import { eiToIdentifier } from './ei-identifier.ts';
import { derivedKey, OBSERVATION_KEY_SYSTEM } from './keys.ts';
import { ntesToAnnotations } from './nte-annotation.ts';
import { mapObxValue } from './obx-value.ts';
import { referenceRange } from './reference-range.ts';
import type { Observation, OruExtension } from './resources.ts';
import { type SegmentAt, label, pathAt, textAt, valueAt } from './seg-path.ts';
import { cweToQuantityUnit } from './units.ts';

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const DATA_ABSENT_SYSTEM = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';
const NATURE_OF_ABNORMAL = 'http://hl7.org/fhir/StructureDefinition/observation-nature-of-abnormal-test';
const ANALYSIS_TIME = 'http://hl7.org/fhir/StructureDefinition/observation-analysis-date-time';
const ALTERNATE_CODES = 'http://hl7.org/fhir/StructureDefinition/alternate-codes';

export interface ObservationContext {
  readonly subject: Reference;
  readonly encounter?: Reference;
  readonly specimen?: Reference;
  /** The DiagnosticReport key the Observation key derives from. */
  readonly reportKey: ResourceKey;
  /** 1 for the first OBX with this OBX-3 code and OBX-4 sub-id in the report, 2 for the next... */
  readonly ordinal: number;
}

export interface MappedObservation {
  readonly observation: Observation;
  readonly key: ResourceKey;
}

/** What identifies an OBX inside its report: OBX-3.1 + OBX-3.3 (code and system name) and OBX-4. */
export function observationIdentity(env: SegmentMapEnv, obx: number): string {
  const seg = { message: env.message, name: 'OBX', occurrence: obx };
  const code = valueAt(seg, 3);
  return [code.get(1) || code.get(4), code.get(3) || code.get(6), textAt(seg, 4)].join('|');
}

function status(env: SegmentMapEnv, seg: SegmentAt, obs: Observation): void {
  const code = textAt(seg, 11);
  const mapped = observationStatus(code);
  obs.status = mapped.status;
  if (code === '') env.warnings.push(`${label(seg, 11)} is empty: Observation.status "unknown"`);
  else if (mapped.how === 'unknown')
    env.warnings.push(`${label(seg, 11)} code "${code}" is not in table 0085: Observation.status "unknown"`);
  // OBX-11 "IF OBX-11 IS X" -> status.extension alternate-codes (the v2 code is kept).
  if (code === 'X') {
    const ext: OruExtension = {
      url: ALTERNATE_CODES,
      valueCodeableConcept: { coding: [{ system: OBSERVATION_RESULT_STATUS_SYSTEM, code: 'X' }] },
    };
    obs._status = { extension: [ext] };
  }
}

function absentReason(code: string): CodeableConcept {
  return { coding: [{ system: DATA_ABSENT_SYSTEM, code }] };
}

function extensions(env: SegmentMapEnv, seg: SegmentAt): OruExtension[] {
  const out: OruExtension[] = [];
  // OBX-10 -> extension observation-nature-of-abnormal-test (NatureOfAbnormalTesting)
  for (const cc of mapRepetitions(env.message, pathAt(seg, 10), (v) =>
    cweToCodeableConcept(v, NATURE_OF_ABNORMAL_TEST),
  ))
    out.push({ url: NATURE_OF_ABNORMAL, valueCodeableConcept: cc });
  // OBX-19 -> extension observation-analysis-date-time
  const analysis = dtmToDateTime(textAt(seg, 19), env.tz);
  if (analysis) out.push({ url: ANALYSIS_TIME, valueDateTime: analysis.value });
  return out;
}

function performers(env: SegmentMapEnv, seg: SegmentAt): Reference[] {
  // OBX-16 -> performer (XCN[Practitioner]; a reference by identifier and name, no PractitionerRole yet)
  const out = mapRepetitions(env.message, pathAt(seg, 16), (v) => xcnToReference(v, env.cx));
  // OBX-23 -> performer (XON[Organization]): a reference by name (XON.1)
  const org = valueAt(seg, 23).get(1);
  if (org !== '') out.push({ type: 'Organization', display: org });
  return out;
}

export function mapObservation(
  env: SegmentMapEnv,
  obx: number,
  notes: readonly number[],
  ctx: ObservationContext,
): MappedObservation {
  const seg: SegmentAt = { message: env.message, name: 'OBX', occurrence: obx };
  const { key, identifier: keyId } = derivedKey(OBSERVATION_KEY_SYSTEM, [
    ctx.reportKey.value,
    observationIdentity(env, obx),
    String(ctx.ordinal),
  ]);
  // OBX-3 -> code (1..1 in R4: an OBX without one gets data-absent "unknown")
  let code = cweToCodeableConcept(valueAt(seg, 3));
  if (!code) {
    env.warnings.push(`${label(seg, 3)} is empty: Observation.code is data-absent "unknown"`);
    code = { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] };
  }
  const obs: Observation = { resourceType: 'Observation', status: 'unknown', code };
  // OBX-21 -> identifier (EI, type FILL), then the key
  const instance = eiToIdentifier(valueAt(seg, 21), 'FILL', env.cx);
  obs.identifier = instance ? [instance, keyId] : [keyId];
  status(env, seg, obs);
  obs.subject = ctx.subject; // ORU_R01 4.2.4.3.1: Observation.subject -> Patient[1]
  if (ctx.encounter) obs.encounter = ctx.encounter; // ... Observation.encounter -> Encounter[1]
  const effective = textAt(seg, 14); // OBX-14 -> effectiveDateTime
  if (effective !== '') {
    const dt = dtmToDateTime(effective, env.tz);
    if (dt) obs.effectiveDateTime = dt.value;
    else env.warnings.push(`${label(seg, 14)} is not a valid DTM: left out`);
  }
  const performer = performers(env, seg);
  if (performer.length > 0) obs.performer = performer;
  const value = mapObxValue({ seg, tz: env.tz, warnings: env.warnings });
  if (value.value) Object.assign(obs, value.value);
  if (value.components) obs.component = value.components.map((v) => ({ code, ...v }));
  const ext = extensions(env, seg);
  if (value.extension) ext.unshift(value.extension);
  if (ext.length > 0) obs.extension = ext;
  const hasValue =
    value.value !== undefined || value.components !== undefined || value.extension !== undefined;
  const statusCode = textAt(seg, 11);
  // OBX-11 "N" -> dataAbsentReason not-asked; "X" (concept map comment) -> a reason for the missing value.
  if (!hasValue && statusCode === 'N') obs.dataAbsentReason = absentReason('not-asked');
  else if (!hasValue && statusCode === 'X') obs.dataAbsentReason = absentReason('not-performed');
  // OBX-8 -> interpretation (InterpretationCodes)
  const interpretation = mapRepetitions(env.message, pathAt(seg, 8), (v) =>
    cweToCodeableConcept(v, INTERPRETATION),
  );
  if (interpretation.length > 0) obs.interpretation = interpretation;
  const note = ntesToAnnotations(env, notes); // ORU_R01 4.2.4.3.3 NTE -> Observation.note
  if (note.length > 0) obs.note = note;
  const bodySite = cweToCodeableConcept(valueAt(seg, 20)); // OBX-20 -> bodySite
  if (bodySite) obs.bodySite = bodySite;
  const method = cweToCodeableConcept(valueAt(seg, 17)); // OBX-17 -> method
  if (method) obs.method = method;
  if (ctx.specimen) obs.specimen = ctx.specimen;
  const type = valueAt(seg, 2).get(1).toUpperCase();
  const unit = type === 'NM' || type === 'SN' ? cweToQuantityUnit(valueAt(seg, 6)) : {};
  const range = referenceRange(textAt(seg, 7), unit); // OBX-7 -> referenceRange
  if (range) obs.referenceRange = [range];
  return { observation: obs, key };
}
