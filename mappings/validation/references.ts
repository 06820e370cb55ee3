/**
 * Reference format check (@medplum/core only warns on these): every `Reference.reference` the
 * mappings write is one of
 *   - `urn:uuid:<uuid>` that is the fullUrl of an entry of the same transaction Bundle
 *     (FHIR R4 bundle.html#references: the server resolves it when the transaction is applied);
 *   - `Type/id` (optionally `/_history/vid`) with a known resource type and a valid id;
 *   - an absolute http(s) URL of a resource (`.../Type/id`);
 *   - `#id` of a resource in the same resource's `contained`.
 * and, when the target's type is known (Bundle entry or `Type/id`), it is one the element allows
 * (its targetProfile, e.g. Encounter.subject: Patient or Group) and agrees with `Reference.type`.
 * Messages name the path, never the reference (it can carry an identifier).
 */
import { tryGetDataType } from '@medplum/core';
import type { FhirResource } from '../../engine/fhir/types.ts';
import type { ValidationIssue } from './validate-resource.ts';
import { walkTyped } from './typed-walk.ts';

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RELATIVE = /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE =
  /^https?:\/\/[^\s/]+(?:\/[^\s/]+)*\/([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CONTAINED = /^#[A-Za-z0-9\-.]{1,64}$/;
const PROFILE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

const isResourceType = (type: string): boolean => tryGetDataType(type)?.kind === 'resource';

/** What a reference points at: its resource type when known, or why it is malformed. */
function resolve(
  reference: string,
  fullUrls: ReadonlyMap<string, string>,
  containedIds: ReadonlySet<string>,
): { type?: string; problem?: string } {
  if (reference.startsWith('urn:')) {
    if (!URN_UUID.test(reference)) return { problem: 'reference is a urn but not a lower-case urn:uuid' };
    const type = fullUrls.get(reference);
    return type ? { type } : { problem: 'urn:uuid reference is not the fullUrl of any entry of the Bundle' };
  }
  if (reference.startsWith('#')) {
    if (!CONTAINED.test(reference) || !containedIds.has(reference.slice(1)))
      return { problem: 'local reference does not name a contained resource' };
    return {};
  }
  const match = RELATIVE.exec(reference) ?? ABSOLUTE.exec(reference);
  if (!match) return { problem: 'reference is neither urn:uuid, Type/id nor an absolute resource URL' };
  const type = match[1]!;
  return isResourceType(type) ? { type } : { problem: `reference names unknown resource type ${type}` };
}

/** The types an element's targetProfile allows; undefined when any resource is allowed. */
function allowedTypes(targetProfile: readonly string[] | undefined): Set<string> | undefined {
  if (!targetProfile || targetProfile.length === 0) return undefined;
  const types = targetProfile.map((p) => (p.startsWith(PROFILE_PREFIX) ? p.slice(PROFILE_PREFIX.length) : p));
  return types.includes('Resource') ? undefined : new Set(types);
}

/**
 * `fullUrls`: fullUrl -> resourceType of every entry of the Bundle the resource is in (empty for a
 * resource checked on its own, where a urn:uuid reference then cannot resolve).
 */
export function checkReferences(
  resource: FhirResource,
  fullUrls: ReadonlyMap<string, string>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const contained = new Set(
    (Array.isArray(resource.contained) ? resource.contained : [])
      .map((c) => (c as { id?: unknown }).id)
      .filter((id): id is string => typeof id === 'string'),
  );
  walkTyped(resource, (node) => {
    if (node.type !== 'Reference' || node.value === null || typeof node.value !== 'object') return;
    const ref = node.value as { reference?: unknown; type?: unknown };
    const error = (message: string): void => {
      issues.push({ severity: 'error', path: `${node.path}.reference`, message });
    };
    if (ref.reference === undefined) return; // identifier / display only: a logical reference
    if (typeof ref.reference !== 'string') return error('reference is not a string');
    const { type, problem } = resolve(ref.reference, fullUrls, contained);
    if (problem) return error(problem);
    if (type === undefined) return;
    if (typeof ref.type === 'string' && ref.type !== type) {
      return error(`Reference.type ${ref.type} disagrees with the target, a ${type}`);
    }
    const allowed = allowedTypes(node.element.type.find((t) => t.code === 'Reference')?.targetProfile);
    if (allowed && !allowed.has(type)) {
      error(`target is a ${type}, not one of the types this element allows (${[...allowed].join(', ')})`);
    }
  });
  return issues;
}
