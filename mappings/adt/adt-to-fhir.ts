/**
 * ADT -> Patient + Encounter, after "HL7 Message - FHIR R4_ ADT_A01" (PID -> Patient[1] via
 * PID[Patient]; PV1 -> Encounter[1] via PV1[Encounter], Encounter.subject -> Patient[1]). The
 * triggers below share that shape (PID then PV1); other ADT events (merges, links, person-only
 * updates) yield an empty transaction and a warning until they get maps of their own.
 */
import type { BundleEntry } from '../../engine/fhir/types.ts';
import type { Hl7Message } from '../../engine/hl7/message.ts';
import { conditionalPut, fullUrlFor, transactionBundle } from '../bundle.ts';
import type { Mapping, MappingContext, MappingResult } from '../types.ts';
import { segmentMapEnv } from './env.ts';
import { mapPatient } from './pid-patient.ts';
import { mapEncounter } from './pv1-encounter.ts';

/** A01 admit, A02 transfer, A03 discharge, A04 register, A05 pre-admit, A06/A07 class change, A08 update, A11 cancel admit, A13 cancel discharge. */
export const ADT_TRIGGERS: ReadonlySet<string> = new Set([
  'A01',
  'A02',
  'A03',
  'A04',
  'A05',
  'A06',
  'A07',
  'A08',
  'A11',
  'A13',
]);

function mapAdt(message: Hl7Message, ctx: MappingContext): MappingResult {
  const { messageType, triggerEvent } = message.header;
  const env = segmentMapEnv(message, ctx);
  if (messageType !== 'ADT' || !ADT_TRIGGERS.has(triggerEvent)) {
    env.warnings.push(`${messageType}^${triggerEvent} not mapped yet: empty transaction`);
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  if (message.segmentCount('PID') === 0) {
    env.warnings.push(`ADT^${triggerEvent} has no PID segment: empty transaction`);
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  const entries: BundleEntry[] = [];
  const { patient, key: patientKey } = mapPatient(env);
  const patientEntry = conditionalPut(patient, patientKey);
  entries.push(patientEntry);
  if (message.segmentCount('PV1') > 0) {
    const fullUrl = patientEntry.fullUrl ?? fullUrlFor('Patient', patientKey);
    const { encounter, key } = mapEncounter(env, triggerEvent, { fullUrl, key: patientKey });
    entries.push(conditionalPut(encounter, key));
  } else {
    env.warnings.push(`ADT^${triggerEvent} has no PV1 segment: no Encounter`);
  }
  return { bundle: transactionBundle(entries), warnings: env.warnings };
}

export const adtToFhir: Mapping = Object.freeze({
  name: 'adt-to-fhir',
  description:
    'HL7 v2 ADT (A01, A02, A03, A04, A05, A06, A07, A08, A11, A13) to a FHIR R4 transaction of a Patient ' +
    '(PID) and an Encounter (PV1), each a conditional update on its identifier (PID-3, PV1-19), ' +
    'following the HL7 v2-to-FHIR IG tables.',
  map: mapAdt,
});
