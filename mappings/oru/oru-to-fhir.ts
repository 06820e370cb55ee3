/**
 * ORU^R01 -> a FHIR R4 transaction, after "HL7 Message - FHIR R4_ ORU_R01": PID -> Patient[1]
 * (PID[Patient], shared with ADT), PV1 -> Encounter[1] (PV1[Encounter]), each ORDER_OBSERVATION
 * (ORC, OBR, NTE, OBX, NTE, SPM) -> one DiagnosticReport with its Observations (result) and
 * Specimens (specimen). Patient and Encounter are conditional creates (POST + ifNoneExist): a lab
 * result names the patient and visit but is not their source of truth, so an existing Patient or
 * Encounter (from ADT) is referenced as it is, never overwritten by the thinner PID/PV1 of a result.
 * Reports, observations and specimens are conditional updates on their keys (keys.ts), so a
 * preliminary, final and corrected result update the same resources.
 */
import type { BundleEntry, FhirResource, Reference } from '../../engine/fhir/types.ts';
import type { Hl7Message } from '../../engine/hl7/message.ts';
import { segmentMapEnv, type SegmentMapEnv } from '../adt/env.ts';
import { mapPatient } from '../adt/pid-patient.ts';
import { mapEncounter } from '../adt/pv1-encounter.ts';
import {
  conditionalPut,
  conditionalUrl,
  fullUrlFor,
  type ResourceKey,
  transactionBundle,
} from '../bundle.ts';
import type { Mapping, MappingContext, MappingResult } from '../types.ts';
import { type OrderGroup, readOruStructure } from './groups.ts';
import { derivedKey, REPORT_KEY_SYSTEM } from './keys.ts';
import { mapObservation, observationIdentity } from './obx-observation.ts';
import { mapReport, orderNumbers, reportIdentity } from './obr-report.ts';
import { mapSpecimen } from './spm-specimen.ts';

/** The entries of one Bundle, one per resource key: a key met again keeps the first resource. */
class Entries {
  readonly list: BundleEntry[] = [];
  readonly #byUrl = new Map<string, string>();

  constructor(private readonly warnings: string[]) {}

  /** Adds a conditional update; returns the fullUrl to reference it by. */
  put(resource: FhirResource, key: ResourceKey, path: string): string {
    return this.#add(conditionalPut(resource, key), path);
  }

  /** Adds a conditional create (POST + ifNoneExist on the key). */
  create(resource: FhirResource, key: ResourceKey, path: string): string {
    const url = conditionalUrl(resource.resourceType, key);
    const entry: BundleEntry = {
      fullUrl: fullUrlFor(resource.resourceType, key),
      resource,
      request: { method: 'POST', url: resource.resourceType, ifNoneExist: url.slice(url.indexOf('?') + 1) },
    };
    return this.#add(entry, path);
  }

  #add(entry: BundleEntry, path: string): string {
    const fullUrl = entry.fullUrl!;
    const json = JSON.stringify(entry.resource);
    const seen = this.#byUrl.get(fullUrl);
    if (seen === undefined) {
      this.#byUrl.set(fullUrl, json);
      this.list.push(entry);
    } else if (seen !== json) {
      this.warnings.push(
        `${path}: a ${entry.resource?.resourceType} with the same key is already in the message and differs: the first is kept`,
      );
    }
    return fullUrl;
  }
}

/** Counts how often each identity was seen, for the ordinals of keys.ts. */
function ordinals(): (identity: string) => number {
  const seen = new Map<string, number>();
  return (identity) => {
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    return n;
  };
}

interface Subject {
  readonly subject: Reference;
  readonly encounter?: Reference;
}

function mapOrder(
  env: SegmentMapEnv,
  group: OrderGroup,
  who: Subject,
  reportOrdinal: number,
  entries: Entries,
): void {
  const report = mapReport(env, group, { ...who, ordinal: reportOrdinal });
  const specimenRefs: Reference[] = [];
  const specimenUrls = new Map<number, string>();
  group.specimens.forEach((s, i) => {
    const { specimen, key } = mapSpecimen(env, s.spm, who.subject, { reportKey: report.key, ordinal: i + 1 });
    const url = entries.put(specimen, key, `SPM[${s.spm}]`);
    specimenUrls.set(s.spm, url);
    if (!specimenRefs.some((r) => r.reference === url)) specimenRefs.push({ reference: url });
  });
  // OBR[Specimen]: "one Specimen resource that all Observations generated for the same OBR need to reference".
  const groupSpecimen = specimenRefs.length === 1 ? specimenRefs[0] : undefined;
  const nextOrdinal = ordinals();
  const results: Reference[] = [];
  const observations = [
    ...group.observations.map((o) => ({ ...o, specimen: groupSpecimen })),
    ...group.specimens.flatMap((s) =>
      s.observations.map((o) => ({ ...o, specimen: { reference: specimenUrls.get(s.spm)! } })),
    ),
  ];
  for (const o of observations) {
    const { observation, key } = mapObservation(env, o.obx, o.notes, {
      ...who,
      ...(o.specimen && { specimen: o.specimen }),
      reportKey: report.key,
      ordinal: nextOrdinal(observationIdentity(env, o.obx)),
    });
    results.push({ reference: entries.put(observation, key, `OBX[${o.obx}]`) });
  }
  if (specimenRefs.length > 0) report.report.specimen = specimenRefs;
  if (results.length > 0) report.report.result = results;
  entries.put(report.report, report.key, `OBR[${group.obr}]`);
}

function mapOru(message: Hl7Message, ctx: MappingContext): MappingResult {
  const { messageType, triggerEvent } = message.header;
  const env = segmentMapEnv(message, ctx);
  if (messageType !== 'ORU' || triggerEvent !== 'R01') {
    env.warnings.push(`${messageType}^${triggerEvent} is not ORU^R01: empty transaction`);
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  if (message.segmentCount('PID') === 0) {
    env.warnings.push('ORU^R01 has no PID segment: empty transaction');
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  if (message.segmentCount('PID') > 1) {
    env.warnings.push('ORU^R01 has several PID segments: every result is filed under the first');
  }
  const entries = new Entries(env.warnings);
  const { patient, key: patientKey } = mapPatient(env);
  const patientUrl = entries.create(patient, patientKey, 'PID[1]');
  let encounter: Reference | undefined;
  if (message.segmentCount('PV1') > 0) {
    const mapped = mapEncounter(env, triggerEvent, { fullUrl: patientUrl, key: patientKey });
    encounter = { reference: entries.create(mapped.encounter, mapped.key, 'PV1[1]') };
  }
  const who: Subject = { subject: { reference: patientUrl }, ...(encounter && { encounter }) };
  const structure = readOruStructure(message);
  if (structure.stray.length > 0) {
    env.warnings.push(`${structure.stray.join(', ')} outside an OBR/OBX group: not mapped`);
  }
  // PATIENT_OBSERVATION OBX -> Observation[1], subject Patient[1], keyed under the patient.
  const patientScope = derivedKey(REPORT_KEY_SYSTEM, ['patient', patientKey.system, patientKey.value]).key;
  const nextPatientOrdinal = ordinals();
  for (const o of structure.patientObservations) {
    const { observation, key } = mapObservation(env, o.obx, o.notes, {
      subject: who.subject,
      reportKey: patientScope,
      ordinal: nextPatientOrdinal(observationIdentity(env, o.obx)),
    });
    entries.put(observation, key, `OBX[${o.obx}]`);
  }
  const nextOrdinal = ordinals();
  for (const group of structure.orders) {
    const identity = reportIdentity({ ...env, warnings: [] }, group, orderNumbers(env, group)).join('|');
    mapOrder(env, group, who, nextOrdinal(identity), entries);
  }
  return { bundle: transactionBundle(entries.list), warnings: env.warnings };
}

export const oruToFhir: Mapping = Object.freeze({
  name: 'oru-to-fhir',
  description:
    'HL7 v2 ORU^R01 to a FHIR R4 transaction: Patient (PID) and Encounter (PV1) as conditional creates, ' +
    'and per OBR group a DiagnosticReport with its Observations (OBX, NTE) and Specimens (SPM) as ' +
    'conditional updates on derived keys, following the HL7 v2-to-FHIR IG tables.',
  map: mapOru,
});
