/**
 * ROL -> PractitionerRole, per "HL7 Segment - FHIR R4_ ROL[Encounter-PractitionerRole]": ROL-4
 * -> practitioner (XCN[Practitioner]), ROL-3 -> code (through "HL7 Concept Map_ ProviderRole"),
 * ROL-5/ROL-6 -> period, ROL-12 -> telecom.
 *
 * A PractitionerRole is keyed on its practitioner and its role code (ROL-1 role instance ids are
 * set ids in practice, not identifiers): a derived identifier, system
 * `urn:switchboard:id:practitioner-role`, value uuidV5(practitioner fullUrl | role system | role code).
 */
import { identifierResourceId, uuidV5 } from '../../engine/fhir/ids.ts';
import type {
  BundleEntry,
  CodeableConcept,
  ContactPoint,
  FhirResource,
  Identifier,
  Period,
  Reference,
} from '../../engine/fhir/types.ts';
import { conditionalPut, type ResourceKey } from '../bundle.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import type { MappedPractitioner } from './practitioner.ts';

export const PRACTITIONER_ROLE_SYSTEM = `${SWITCHBOARD_ID_PREFIX}practitioner-role`;

export interface PractitionerRole extends FhirResource {
  resourceType: 'PractitionerRole';
  identifier: Identifier[];
  practitioner: Reference;
  code?: CodeableConcept[];
  period?: Period;
  telecom?: ContactPoint[];
}

export interface PractitionerRoleInput {
  readonly practitioner: MappedPractitioner;
  readonly code?: CodeableConcept;
  readonly period?: Period;
  readonly telecom?: ContactPoint[];
}

export interface MappedPractitionerRole {
  readonly entry: BundleEntry;
  readonly fullUrl: string;
  readonly reference: Reference;
}

export function practitionerRole(input: PractitionerRoleInput): MappedPractitionerRole {
  const coding = input.code?.coding?.[0];
  const value = uuidV5(`${input.practitioner.fullUrl}|${coding?.system ?? ''}|${coding?.code ?? ''}`);
  const key: ResourceKey = { system: PRACTITIONER_ROLE_SYSTEM, value };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    identifier: [{ use: 'secondary', system: PRACTITIONER_ROLE_SYSTEM, value }],
    practitioner: { ...input.practitioner.reference },
  };
  if (input.code) role.code = [input.code];
  if (input.period) role.period = input.period;
  if (input.telecom && input.telecom.length > 0) role.telecom = input.telecom;
  const entry = conditionalPut(role, key);
  const fullUrl = entry.fullUrl ?? `urn:uuid:${identifierResourceId('PractitionerRole', key.system, value)}`;
  const display = input.practitioner.reference.display;
  return { entry, fullUrl, reference: { reference: fullUrl, ...(display !== undefined && { display }) } };
}
