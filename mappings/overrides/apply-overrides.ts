/**
 * Per-channel extensions, applied to the mapped Bundle: each configured v2 element becomes an
 * extension (valueString or valueCode) on the first resource of the configured type, one per
 * non-empty repetition, in configuration order. Deterministic: same message, same bytes.
 */
import type { Extension, FhirBundle } from '../../engine/fhir/types.ts';
import type { Hl7Message } from '../../engine/hl7/message.ts';
import { formatHl7Path } from '../../engine/hl7/path.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { clean } from '../datatypes/value.ts';
import type { ExtensionOverride, MappingOverrides } from './read-overrides.ts';

export interface OverridesResult {
  readonly bundle: FhirBundle;
  /** Name the configured path and resource type only (never values). */
  readonly warnings: string[];
}

/** Without a component the path reads component 1 (the value of an ST/IS/ID field). */
function valuePath(path: Hl7Path): Hl7Path {
  if (path.component !== undefined) return path;
  const parts = { ...path, component: 1 };
  return { ...parts, text: formatHl7Path(parts) };
}

function valuesOf(message: Hl7Message, override: ExtensionOverride): string[] {
  const path = valuePath(override.path);
  const values = path.repetition !== undefined ? [message.get(path)] : message.getAll(path);
  return values.map(clean).filter((v) => v !== '');
}

function extensionOf(override: ExtensionOverride, value: string): Extension {
  return override.valueType === 'code'
    ? { url: override.url, valueCode: value }
    : { url: override.url, valueString: value };
}

export function applyOverrides(
  bundle: FhirBundle,
  message: Hl7Message,
  overrides: MappingOverrides,
): OverridesResult {
  const warnings: string[] = [];
  if (overrides.extensions.length === 0) return { bundle, warnings };
  const entries = [...(bundle.entry ?? [])];
  for (const override of overrides.extensions) {
    const values = valuesOf(message, override);
    if (values.length === 0) continue;
    const index = entries.findIndex((e) => e.resource?.resourceType === override.resource);
    const entry = entries[index];
    if (entry?.resource === undefined) {
      warnings.push(`extension ${override.path.text}: no ${override.resource} in the Bundle, not added`);
      continue;
    }
    const existing = (entry.resource.extension as Extension[] | undefined) ?? [];
    const extension = [...existing, ...values.map((v) => extensionOf(override, v))];
    entries[index] = { ...entry, resource: { ...entry.resource, extension } };
  }
  return { bundle: { ...bundle, entry: entries }, warnings };
}
