/**
 * Finds the order a DICOM study was made for, by its AccessionNumber and PatientID.
 *
 * The accession number is looked up on both sides an ORM^O01 writes: the FHIR ServiceRequest
 * (identifiers of type ACSN from OBR-18/OBR-20, else a placer or filler order number equal to it,
 * as many RIS use the filler number as accession) and the HMS order (placer or filler number equal
 * to the accession number, or to an order number of the ServiceRequest found). When both the study
 * and the order name a patient, one of the order patient's identifier values must equal the DICOM
 * PatientID (DICOM carries no assigning authority, so the value alone is compared). More than one
 * candidate left on a side is ambiguous: the study stays unmatched rather than being given a guess.
 */
import type { SqlQueryable } from '../../db/sql.ts';
import type { FhirResource, Identifier } from '../../fhir/types.ts';

export type UnmatchedReason = 'no-accession-number' | 'no-order' | 'patient-id-mismatch' | 'ambiguous-order';

export interface StudyMatchKeys {
  readonly accessionNumber: string | null;
  readonly patientId: string;
}

export interface FoundOrder {
  readonly kind: 'matched';
  /** hms_orders.id, null when only the FHIR side has the order (no `hms` destination). */
  readonly orderId: string | null;
  readonly orderStatus: string | null;
  /** The ServiceRequest's id, null when only the HMS side has the order. */
  readonly serviceRequestId: string | null;
  /** The ServiceRequest's subject as stored (`Patient/<id>`), when there is one. */
  readonly subjectReference: string | null;
}

export interface NoOrder {
  readonly kind: 'unmatched';
  readonly reason: UnmatchedReason;
}

export type OrderMatch = FoundOrder | NoOrder;

interface RequestCandidate {
  readonly id: string;
  readonly resource: FhirResource & { identifier?: Identifier[]; subject?: { reference?: string } };
}

interface HmsCandidate {
  readonly id: string;
  readonly status: string | null;
  readonly patient_id: string | null;
}

const typeCode = (i: Identifier): string | undefined => i.type?.coding?.[0]?.code;

async function serviceRequests(tx: SqlQueryable, accession: string): Promise<RequestCandidate[]> {
  const { rows } = await tx.query<RequestCandidate>(
    `SELECT DISTINCT r.id, r.resource FROM fhir_identifiers i
       JOIN fhir_resources r ON r.resource_type = i.resource_type AND r.id = i.id
     WHERE i.resource_type = 'ServiceRequest' AND i.value = $1 AND NOT r.deleted`,
    [accession],
  );
  const named = (r: RequestCandidate, types: readonly string[]): boolean =>
    (r.resource.identifier ?? []).some((i) => i.value === accession && types.includes(typeCode(i) ?? ''));
  // An accession number sent as such beats an order number that happens to be equal to it.
  const byAccession = rows.filter((r) => named(r, ['ACSN']));
  return byAccession.length > 0 ? byAccession : rows.filter((r) => named(r, ['PLAC', 'FILL']));
}

async function hmsOrders(tx: SqlQueryable, numbers: readonly string[]): Promise<HmsCandidate[]> {
  const { rows } = await tx.query<HmsCandidate>(
    `SELECT id::text AS id, status, patient_id::text AS patient_id FROM hms_orders
     WHERE placer_number = ANY($1::text[]) OR filler_number = ANY($1::text[]) ORDER BY id`,
    [numbers],
  );
  return rows;
}

/** Identifier values of a FHIR Patient (by `Patient/<id>`), or null when the reference is not one. */
async function fhirPatientIds(tx: SqlQueryable, reference: string | undefined): Promise<string[] | null> {
  const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '');
  if (!m) return null;
  const { rows } = await tx.query<{ value: string }>(
    `SELECT value FROM fhir_identifiers WHERE resource_type = 'Patient' AND id = $1`,
    [m[1]],
  );
  return rows.map((r) => r.value);
}

async function hmsPatientIds(tx: SqlQueryable, patientId: string | null): Promise<string[] | null> {
  if (patientId === null) return null;
  const { rows } = await tx.query<{ value: string }>(
    'SELECT value FROM hms_patient_identifiers WHERE patient_id = $1',
    [patientId],
  );
  return rows.map((r) => r.value);
}

/** True unless both sides name a patient and the identifiers differ. */
function samePatient(dicomPatientId: string, orderPatientIds: readonly string[] | null): boolean {
  if (dicomPatientId === '' || orderPatientIds === null || orderPatientIds.length === 0) return true;
  return orderPatientIds.includes(dicomPatientId);
}

export async function findOrderForStudy(tx: SqlQueryable, study: StudyMatchKeys): Promise<OrderMatch> {
  const accession = study.accessionNumber?.trim() ?? '';
  if (accession === '') return { kind: 'unmatched', reason: 'no-accession-number' };
  const patientId = study.patientId.trim();

  const requestsFound = await serviceRequests(tx, accession);
  const requests: RequestCandidate[] = [];
  for (const r of requestsFound) {
    if (samePatient(patientId, await fhirPatientIds(tx, r.resource.subject?.reference))) requests.push(r);
  }
  const numbers = new Set([accession]);
  for (const r of requests) {
    for (const i of r.resource.identifier ?? []) {
      const code = typeCode(i);
      if ((code === 'PLAC' || code === 'FILL') && i.value) numbers.add(i.value);
    }
  }
  const ordersFound = await hmsOrders(tx, [...numbers]);
  const orders: HmsCandidate[] = [];
  for (const o of ordersFound) {
    if (samePatient(patientId, await hmsPatientIds(tx, o.patient_id))) orders.push(o);
  }

  if (requests.length > 1 || orders.length > 1) return { kind: 'unmatched', reason: 'ambiguous-order' };
  const request = requests[0];
  const order = orders[0];
  if (!request && !order) {
    const seen = requestsFound.length + ordersFound.length > 0;
    return { kind: 'unmatched', reason: seen ? 'patient-id-mismatch' : 'no-order' };
  }
  return {
    kind: 'matched',
    orderId: order?.id ?? null,
    orderStatus: order?.status ?? null,
    serviceRequestId: request?.id ?? null,
    subjectReference: request?.resource.subject?.reference ?? null,
  };
}
