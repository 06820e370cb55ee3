/**
 * Literal references inside a resource: rewriting a transaction's `urn:uuid:` fullUrls to the
 * `Type/id` they resolved to (FHIR R4 http.html#trules), and listing `Type/id` references with
 * their element path for the fhir_references index.
 */
import type { FhirResource } from './types.ts';

export interface FoundReference {
  /** Element path without array indexes, e.g. `subject`, `participant.individual`. */
  readonly path: string;
  readonly targetType: string;
  readonly targetId: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function walk(
  value: unknown,
  path: string,
  visit: (holder: Record<string, unknown>, path: string) => void,
): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, path, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.reference === 'string') visit(record, path);
  for (const [key, child] of Object.entries(record)) {
    // contained resources are indexed with their container only by reference, not walked into.
    if (key === 'contained' || key === 'meta' || key === 'text') continue;
    if (child !== null && typeof child === 'object') walk(child, path === '' ? key : `${path}.${key}`, visit);
  }
}

/**
 * A copy of `resource` with every reference found in `resolved` (fullUrl -> `Type/id`) replaced.
 * Returns the `urn:` references that are not in the Bundle (a dangling reference is an error).
 */
export function rewriteReferences(
  resource: FhirResource,
  resolved: ReadonlyMap<string, string>,
): { resource: FhirResource; unresolved: string[] } {
  const copy = structuredClone(resource);
  const unresolved: string[] = [];
  walk(copy, '', (holder) => {
    const ref = holder.reference as string;
    const target = resolved.get(ref);
    if (target !== undefined) holder.reference = target;
    else if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) unresolved.push(ref);
  });
  return { resource: copy, unresolved };
}

/** Every relative literal reference (`Type/id`), deduplicated; absolute and `#contained` ones are left out. */
export function findReferences(resource: FhirResource): FoundReference[] {
  const out = new Map<string, FoundReference>();
  walk(resource, '', (holder, path) => {
    const m = RELATIVE.exec(holder.reference as string);
    if (m) out.set(`${path}|${m[1]}|${m[2]}`, { path, targetType: m[1]!, targetId: m[2]! });
  });
  return [...out.values()];
}
