/**
 * Per-channel overrides of a mapping, read from its options (channel YAML) and checked at load:
 * `extensions` (an extra v2 field -> an extension on the first resource of a type) and `codeTables`
 * (local codes -> standard ones, substituted before the standard mapping). An analyst extends a
 * mapping for one sender without forking `mappings/` (docs/configuration.md "Mapping options").
 */
import { Hl7PathError, parseHl7Path } from '../../engine/hl7/path.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';

export const EXTENSION_VALUE_TYPES = ['string', 'code'] as const;
export type ExtensionValueType = (typeof EXTENSION_VALUE_TYPES)[number];

export interface ExtensionOverride {
  /** The v2 element to carry; without a component, component 1 of each repetition. */
  readonly path: Hl7Path;
  /** Extension.url: an absolute URI (the StructureDefinition of the local extension). */
  readonly url: string;
  /** The extension goes on the first entry of this resource type in the Bundle. */
  readonly resource: string;
  readonly valueType: ExtensionValueType;
}

export interface CodeReplacement {
  /** The standard code written in place of the local one. */
  readonly code: string;
  /** v2 coding system name (e.g. LN, HL70004), written to the component after the text (CWE.3). */
  readonly system?: string;
  /** Written to the text component (CWE.2). */
  readonly display?: string;
}

export interface CodeTable {
  /** The coded element: a field (its component 1) or a component; every occurrence unless one is named. */
  readonly path: Hl7Path;
  readonly codes: ReadonlyMap<string, CodeReplacement>;
}

export interface MappingOverrides {
  readonly extensions: readonly ExtensionOverride[];
  readonly codeTables: readonly CodeTable[];
}

export const NO_OVERRIDES: MappingOverrides = Object.freeze({ extensions: [], codeTables: [] });

const RESOURCE_TYPE = /^[A-Z][A-Za-z]{2,63}$/;
const ABSOLUTE_URI = /^(?:https?:\/\/[^\s/]+\/\S*|urn:(?:oid|uuid):\S+)$/;
const EXTENSION_KEYS = ['path', 'url', 'resource', 'valueType'];
const REPLACEMENT_KEYS = ['code', 'system', 'display'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function readPath(text: unknown, at: string, problems: string[]): Hl7Path | undefined {
  if (typeof text !== 'string') {
    problems.push(`${at}: expected an HL7 path like PID-19 or PV1-2, got ${show(text)}`);
    return undefined;
  }
  try {
    const path = parseHl7Path(text);
    if (path.segment === 'MSH' && path.field <= 2) {
      problems.push(`${at}: MSH-1 and MSH-2 are the delimiters, not data`);
      return undefined;
    }
    return path;
  } catch (err) {
    if (!(err instanceof Hl7PathError)) throw err;
    problems.push(`${at}: ${err.message}`);
    return undefined;
  }
}

function unknownKeys(value: Record<string, unknown>, known: string[], at: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`${at}: unknown key "${key}" (known: ${known.join(', ')})`);
  }
}

function readExtension(value: unknown, at: string, problems: string[]): ExtensionOverride | undefined {
  if (!isRecord(value)) {
    problems.push(`${at}: expected { path, url, resource }, got ${show(value)}`);
    return undefined;
  }
  unknownKeys(value, EXTENSION_KEYS, at, problems);
  const path = readPath(value.path, `${at}.path`, problems);
  const { url, resource } = value;
  const valueType = value.valueType ?? 'string';
  let ok = path !== undefined;
  if (typeof url !== 'string' || !ABSOLUTE_URI.test(url)) {
    problems.push(`${at}.url: expected an absolute URI (http(s)://... or urn:oid:...), got ${show(url)}`);
    ok = false;
  }
  if (typeof resource !== 'string' || !RESOURCE_TYPE.test(resource)) {
    problems.push(`${at}.resource: expected a FHIR resource type like Patient, got ${show(resource)}`);
    ok = false;
  }
  if (!(EXTENSION_VALUE_TYPES as readonly unknown[]).includes(valueType)) {
    problems.push(
      `${at}.valueType: expected one of ${EXTENSION_VALUE_TYPES.join(', ')}, got ${show(valueType)}`,
    );
    ok = false;
  }
  if (!ok || path === undefined) return undefined;
  return Object.freeze({
    path,
    url: url as string,
    resource: resource as string,
    valueType: valueType as ExtensionValueType,
  });
}

function readReplacement(
  value: unknown,
  component: number,
  at: string,
  problems: string[],
): CodeReplacement | undefined {
  if (typeof value === 'string' && value.trim() !== '') return Object.freeze({ code: value.trim() });
  if (!isRecord(value)) {
    problems.push(`${at}: expected the standard code, or { code, system, display }, got ${show(value)}`);
    return undefined;
  }
  unknownKeys(value, REPLACEMENT_KEYS, at, problems);
  const { code, system, display } = value;
  let ok = true;
  if (typeof code !== 'string' || code.trim() === '') {
    problems.push(`${at}.code: expected a non-empty code, got ${show(code)}`);
    ok = false;
  }
  for (const [key, v] of [
    ['system', system],
    ['display', display],
  ] as const) {
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(`${at}.${key}: expected a non-empty string, got ${show(v)}`);
      ok = false;
    } else if (component !== 1 && component !== 4) {
      problems.push(
        `${at}.${key}: only for a coded element's identifier (component 1, or 4 for the alternate code)`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  return Object.freeze({
    code: (code as string).trim(),
    ...(typeof system === 'string' ? { system: system.trim() } : {}),
    ...(typeof display === 'string' ? { display: display.trim() } : {}),
  });
}

function readCodeTable(key: string, value: unknown, problems: string[]): CodeTable | undefined {
  const at = `codeTables.${key}`;
  const path = readPath(key, at, problems);
  if (path?.subcomponent !== undefined) {
    problems.push(`${at}: name a field or a component, not a subcomponent`);
    return undefined;
  }
  if (!isRecord(value) || Object.keys(value).length === 0) {
    problems.push(`${at}: expected a table of local code -> standard code, got ${show(value)}`);
    return undefined;
  }
  const codes = new Map<string, CodeReplacement>();
  for (const [local, replacement] of Object.entries(value)) {
    const read = readReplacement(replacement, path?.component ?? 1, `${at}.${local}`, problems);
    if (read !== undefined) codes.set(local, read);
  }
  if (path === undefined || codes.size !== Object.keys(value).length) return undefined;
  return Object.freeze({ path, codes });
}

/** Reads `extensions` and `codeTables` from a mapping's options; every problem found goes to `problems`. */
export function readOverrides(
  options: Readonly<Record<string, unknown>>,
  problems: string[],
): MappingOverrides {
  const extensions: ExtensionOverride[] = [];
  const codeTables: CodeTable[] = [];
  const rawExtensions = options.extensions ?? [];
  if (!Array.isArray(rawExtensions)) {
    problems.push(`extensions: expected a list of { path, url, resource }, got ${show(rawExtensions)}`);
  } else {
    rawExtensions.forEach((value: unknown, i) => {
      const read = readExtension(value, `extensions[${i}]`, problems);
      if (read !== undefined) extensions.push(read);
    });
  }
  const rawTables = options.codeTables ?? {};
  if (!isRecord(rawTables)) {
    problems.push(
      `codeTables: expected a map of HL7 path -> { local code: standard code }, got ${show(rawTables)}`,
    );
  } else {
    for (const [key, value] of Object.entries(rawTables)) {
      const read = readCodeTable(key, value, problems);
      if (read !== undefined) codeTables.push(read);
    }
  }
  if (extensions.length === 0 && codeTables.length === 0) return NO_OVERRIDES;
  return Object.freeze({ extensions: Object.freeze(extensions), codeTables: Object.freeze(codeTables) });
}
