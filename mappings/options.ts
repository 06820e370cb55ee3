/**
 * The options every mapping takes (channel YAML: `transformers: [{ mapping: adt-to-fhir, options: ... }]`),
 * checked as a whole at load so a typo fails the deployment, not a message at 3 a.m.
 */
import { isValidOffset } from './datatypes/dtm.ts';
import { createIdentifierSystemTable, type IdentifierSystemTable } from './identifier-systems.ts';

export interface MappingOptions {
  /**
   * Offset given to v2 times that carry none ('Z' or ±hh:mm; default 'Z'). FHIR requires a zone on
   * every dateTime with a time; set this to the senders' local offset.
   */
  readonly defaultTimezone: string;
  /** Assigning authority (namespace id or universal id) -> Identifier.system URI. */
  readonly identifierSystems: IdentifierSystemTable;
}

const KNOWN_KEYS = ['defaultTimezone', 'identifierSystems'];

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
  if (problems.length > 0 || identifierSystems === undefined) {
    throw new TypeError(`invalid mapping options: ${problems.join('; ')}`);
  }
  return Object.freeze({ defaultTimezone: tz, identifierSystems });
}

export function defaultTimezone(options: Readonly<Record<string, unknown>>): string {
  const tz = options.defaultTimezone ?? 'Z';
  if (typeof tz !== 'string' || !isValidOffset(tz)) {
    throw new TypeError(`defaultTimezone: expected 'Z' or an offset like +01:00, got ${JSON.stringify(tz)}`);
  }
  return tz;
}
