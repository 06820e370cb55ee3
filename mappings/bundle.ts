/**
 * Transaction Bundles of conditional entries: every resource is written with
 * `PUT Type?identifier=system|value`, so a resent message updates instead of duplicating
 * (DESIGN.md "Mappings"). fullUrls are name-based UUIDs of type + identifier, equal to the id the
 * store gives a resource it creates from that identifier (engine/fhir/ids.ts).
 */
import { identifierResourceId } from '../engine/fhir/ids.ts';
import type { BundleEntry, FhirBundle, FhirResource } from '../engine/fhir/types.ts';

export interface ResourceKey {
  readonly system: string;
  readonly value: string;
}

/** FHIR search token escaping (R4 search section 3.1.1.4.7: `\`, `|`, `,`, `$`), then URL encoding. */
function tokenPart(text: string): string {
  return encodeURIComponent(text.replace(/[\\|,$]/g, (c) => `\\${c}`));
}

export function conditionalUrl(resourceType: string, key: ResourceKey): string {
  return `${resourceType}?identifier=${tokenPart(key.system)}|${tokenPart(key.value)}`;
}

export function fullUrlFor(resourceType: string, key: ResourceKey): string {
  return `urn:uuid:${identifierResourceId(resourceType, key.system, key.value)}`;
}

export function conditionalPut(resource: FhirResource, key: ResourceKey): BundleEntry {
  return {
    fullUrl: fullUrlFor(resource.resourceType, key),
    resource,
    request: { method: 'PUT', url: conditionalUrl(resource.resourceType, key) },
  };
}

export function transactionBundle(entries: BundleEntry[]): FhirBundle {
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
