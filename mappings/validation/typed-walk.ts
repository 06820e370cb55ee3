/**
 * Walks a resource element by element with the FHIR R4 type of each (from the StructureDefinitions
 * @medplum/core indexed), so the binding and reference checks work on any resource the mappings
 * emit without a list of paths per resource: `value[x]` choices are resolved from the JSON key,
 * backbone elements get their inner type, contained resources their own resourceType.
 */
import { tryGetDataType, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import { ensureStructureDefinitions } from './structure-definitions.ts';

export interface TypedNode {
  /** The JSON value of one occurrence (an array element for repeating elements). */
  readonly value: unknown;
  /** Its FHIR type code, e.g. `code`, `Coding`, `Reference`, `PatientContact`. */
  readonly type: string;
  readonly element: InternalSchemaElement;
  /** FHIRPath-like location with indexes, e.g. `Patient.contact[0].gender`. */
  readonly path: string;
}

function elementFor(
  schema: InternalTypeSchema,
  key: string,
): { element: InternalSchemaElement; type: string } | undefined {
  const direct = schema.elements[key];
  if (direct) return direct.type.length === 1 ? { element: direct, type: direct.type[0]!.code } : undefined;
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const prefix = name.slice(0, -3);
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    const suffix = key.slice(prefix.length);
    const type = element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
    if (type) return { element, type: type.code };
  }
  return undefined;
}

function walkObject(
  value: Record<string, unknown>,
  typeName: string,
  path: string,
  visit: (node: TypedNode) => void,
): void {
  const schema = tryGetDataType(typeName);
  if (!schema) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const found = elementFor(schema, key);
    if (!found) continue; // unknown elements are the structural validator's to report
    const items = Array.isArray(child) ? child : [child];
    items.forEach((item, i) => {
      const at = Array.isArray(child) ? `${path}.${key}[${i}]` : `${path}.${key}`;
      const isResource = found.type === 'Resource' && item !== null && typeof item === 'object';
      const type = isResource ? String((item as { resourceType?: unknown }).resourceType) : found.type;
      visit({ value: item, type, element: found.element, path: at });
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        walkObject(item as Record<string, unknown>, type, at, visit);
      }
    });
  }
}

/** Calls `visit` for every element occurrence of `resource`, depth first, in document order. */
export function walkTyped(
  resource: { readonly resourceType: string },
  visit: (node: TypedNode) => void,
): void {
  ensureStructureDefinitions();
  walkObject(
    resource as unknown as Record<string, unknown>,
    resource.resourceType,
    resource.resourceType,
    visit,
  );
}
