/**
 * Organizations named by a segment (IN1-3/IN1-4 payer, PD1-3 primary facility), per "HL7 Data
 * Type - FHIR R4_ XON[Organization]" (XON.1 -> name) with the identifier the segment carries. An
 * Organization is a conditional entry keyed on that identifier; one without an identifier cannot
 * be keyed, so it is referenced by display (its name) only.
 */
import type {
  Address,
  BundleEntry,
  ContactPoint,
  FhirResource,
  Identifier,
  Reference,
} from '../../engine/fhir/types.ts';
import { conditionalPut } from '../bundle.ts';
import type { EntryList } from './entries.ts';

export interface Organization extends FhirResource {
  resourceType: 'Organization';
  identifier: Identifier[];
  name?: string;
  telecom?: ContactPoint[];
  address?: Address[];
}

export interface OrganizationInput {
  readonly identifier?: Identifier;
  readonly name: string;
  readonly address?: Address[];
  readonly telecom?: ContactPoint[];
}

export interface MappedOrganization {
  readonly entry: BundleEntry;
  readonly fullUrl: string;
}

export function organizationEntry(input: OrganizationInput): MappedOrganization | null {
  const { identifier } = input;
  if (identifier?.system === undefined || identifier.value === undefined) return null;
  const organization: Organization = { resourceType: 'Organization', identifier: [identifier] };
  if (input.name !== '') organization.name = input.name;
  if (input.telecom && input.telecom.length > 0) organization.telecom = input.telecom;
  if (input.address && input.address.length > 0) organization.address = input.address;
  const entry = conditionalPut(organization, { system: identifier.system, value: identifier.value });
  return { entry, fullUrl: entry.fullUrl! };
}

/** A reference to the organization: its entry (added once) when it has an identifier, else its name. */
export function organizationReference(input: OrganizationInput, entries: EntryList): Reference | undefined {
  const mapped = organizationEntry(input);
  if (mapped) {
    entries.add(mapped.entry);
    return { reference: mapped.fullUrl, ...(input.name !== '' && { display: input.name }) };
  }
  return input.name === '' ? undefined : { type: 'Organization', display: input.name };
}
