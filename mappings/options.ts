/**
 * The options every mapping takes (channel YAML: `transformers: [{ mapping: adt-to-fhir, options: ... }]`),
 * checked as a whole at load so a typo fails the deployment, not a message at 3 a.m.
 */
import { isValidOffset } from './datatypes/dtm.ts';
import { createIdentifierSystemTable, type IdentifierSystemTable } from './identifier-systems.ts';
import { readOverrides, type MappingOverrides } from './overrides/read-overrides.ts';

export interface MappingOptions {
  /**
   * Offset given to v2 times that carry none ('Z' or ±hh:mm; default 'Z'). FHIR requires a zone on
   * every dateTime with a time; set this to the senders' local offset.
   */
  readonly defaultTimezone: string;
  /** Assigning authority (namespace id or universal id) -> Identifier.system URI. */
  readonly identifierSystems: IdentifierSystemTable;
  /** Per-channel `extensions` and `codeTables` (mappings/overrides/read-overrides.ts). */
  readonly overrides: MappingOverrides;
  /**
   * Validate the Bundle before it is handed on (mappings/validation/validate-bundle.ts); any error
   * makes the message an error whose text is the validator's explanation. Default false.
   */
  readonly validate: boolean;
}

const KNOWN_KEYS = ['defaultTimezone', 'identifierSystems', 'extensions', 'codeTables', 'validate'];

export function readMappingOptions(options: Readonly<Record<string, unknown>>): MappingOptions {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.includes(key)) problems.push(`unknown option "${key}" (known: ${KNOWN_KEYS.join(', ')})`);
  }
  let tz = 'Z';
  try {
    tz = defaultTimezone(options);
  } catch (err) {
    problems.push((err as Error).message);
  }
  let identifierSystems: IdentifierSystemTable | undefined;
  try {
    identifierSystems = createIdentifierSystemTable(options.identifierSystems ?? {});
  } catch (err) {
    problems.push((err as Error).message);
  }
  const overrides = readOverrides(options, problems);
  const validate = options.validate ?? false;
  if (typeof validate !== 'boolean')
    problems.push(`validate: expected true or false, got ${JSON.stringify(validate)}`);
  if (problems.length > 0 || identifierSystems === undefined) {
    throw new TypeError(`invalid mapping options: ${problems.join('; ')}`);
  }
  return Object.freeze({ defaultTimezone: tz, identifierSystems, overrides, validate: validate === true });
}

export function defaultTimezone(options: Readonly<Record<string, unknown>>): string {
  const tz = options.defaultTimezone ?? 'Z';
  if (typeof tz !== 'string' || !isValidOffset(tz)) {
    throw new TypeError(`defaultTimezone: expected 'Z' or an offset like +01:00, got ${JSON.stringify(tz)}`);
  }
  return tz;
}
