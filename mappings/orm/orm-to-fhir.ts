/**
 * ORM^O01 -> a FHIR R4 transaction, after "HL7 Message - FHIR R4_ ORM_O01": PID -> Patient[1]
 * (PID[Patient]), PV1 -> Encounter[1] (PV1[Encounter], subject Patient[1]), each ORDER group's
 * ORC + OBR + TQ1 + NTE -> one ServiceRequest (subject Patient[1]), ordering providers and note
 * authors -> Practitioner. ServiceRequests are conditional updates on the order number, so NW then
 * CA of one order is one resource in two versions. Patient and Encounter are conditional creates:
 * an order names the patient and visit, ADT owns them (mappings/README.md, ORM).
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
import { EntryList } from '../common/entries.ts';
import { fieldPath, fieldValue } from '../datatypes/field.ts';
import type { Mapping, MappingContext, MappingResult } from '../types.ts';
import { orderGroups } from './order-groups.ts';
import { mapServiceRequest } from './service-request.ts';

const PV1_19 = fieldPath('PV1-19');
const PV1_44 = fieldPath('PV1-44');

/** `POST Type` with `ifNoneExist: identifier=system|value`: created when absent, never overwritten. */
export function conditionalCreate(resource: FhirResource, key: ResourceKey): BundleEntry {
  const type = resource.resourceType;
  return {
    fullUrl: fullUrlFor(type, key),
    resource,
    request: { method: 'POST', url: type, ifNoneExist: conditionalUrl(type, key).slice(type.length + 1) },
  };
}

function encounterEntry(
  env: SegmentMapEnv,
  patient: { fullUrl: string; key: ResourceKey },
): BundleEntry | undefined {
  if (env.message.segmentCount('PV1') === 0) return undefined;
  // Without PV1-19 or PV1-44 the visit key would come from MSH-10: a new Encounter per order message.
  if (fieldValue(env.message, PV1_19).get(1) === '' && fieldValue(env.message, PV1_44).get(1) === '') {
    env.warnings.push(
      'PV1-19 (visit number) and PV1-44 are empty: no Encounter, ServiceRequest.encounter left out',
    );
    return undefined;
  }
  // No ADT trigger: the status comes from PV1-45 / PV1-2 (PatientClass[EncounterStatus]).
  const { encounter, key } = mapEncounter(env, 'O01', patient);
  return conditionalCreate(encounter, key);
}

function mapOrm(message: Hl7Message, ctx: MappingContext): MappingResult {
  const { messageType, triggerEvent } = message.header;
  const env = segmentMapEnv(message, ctx);
  if (messageType !== 'ORM' || triggerEvent !== 'O01') {
    env.warnings.push(`${messageType}^${triggerEvent} is not ORM^O01: empty transaction`);
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  // ORM_O01 4.2.1.1: OBR -> SupplyRequest "IF PID NOT VALUED"; ServiceRequest.subject is 1..1.
  if (message.segmentCount('PID') === 0) {
    env.warnings.push('ORM^O01 has no PID segment: empty transaction (a ServiceRequest needs a subject)');
    return { bundle: transactionBundle([]), warnings: env.warnings };
  }
  const groups = orderGroups(message);
  if (groups.length === 0) env.warnings.push('ORM^O01 has no ORC or OBR segment: no ServiceRequest');
  if (groups.some((g) => g.sharesOrc)) env.warnings.push('an OBR follows another OBR without its own ORC');
  const entries = new EntryList();
  const { patient, key: patientKey } = mapPatient(env);
  const patientEntry = conditionalCreate(patient, patientKey);
  const patientRef: Reference = { reference: patientEntry.fullUrl! };
  entries.add(patientEntry);
  const encounter = encounterEntry(env, { fullUrl: patientEntry.fullUrl!, key: patientKey });
  if (encounter) entries.add(encounter);
  const encounterRef: Reference | undefined = encounter ? { reference: encounter.fullUrl! } : undefined;
  const usedKeys = new Set<string>();
  const requests: BundleEntry[] = [];
  for (const group of groups) {
    const { serviceRequest, key } = mapServiceRequest(
      { env, entries, patient: patientRef, encounter: encounterRef, usedKeys },
      group,
    );
    requests.push(conditionalPut(serviceRequest, key));
  }
  for (const request of requests) entries.add(request);
  return { bundle: transactionBundle(entries.toArray()), warnings: env.warnings };
}

export const ormToFhir: Mapping = Object.freeze({
  name: 'orm-to-fhir',
  description:
    'HL7 v2 ORM^O01 (order control NW, OK, CA, CR, DC, XO, SC, HD, RL ...) to a FHIR R4 transaction: ' +
    'one ServiceRequest per ORC/OBR group, a conditional update on its placer (else filler) order ' +
    'number, status from ORC-5/ORC-1; Patient (PID) and Encounter (PV1) as conditional creates; ' +
    'ordering providers as Practitioner; following the HL7 v2-to-FHIR IG tables.',
  map: mapOrm,
});
