/**
 * Our check of REQUIRED value-set bindings (FHIR R4 terminologies.html#required), which
 * @medplum/core validateResource does not do: every `code`, `Coding` and `CodeableConcept` whose
 * element definition binds it with strength "required" must hold a code of that value set
 * (Patient.gender, Encounter.status, Observation.status, Identifier.use, ContactPoint.system,
 * AllergyIntolerance.clinicalStatus, ...). Which elements are bound comes from the
 * StructureDefinitions; the codes from value-sets.generated.ts. A required binding whose value set
 * has no table there is itself an error, so a mapping cannot emit an unchecked code.
 *
 * Beyond the spec, ENFORCED_WHEN_SYSTEM_MATCHES holds extensible bindings that we enforce for
 * codings in the value set's own code system (Encounter.class: a v3-ActCode coding must be an
 * ActEncounterCode), since our concept maps are closed lists and a wrong code there is our bug.
 *
 * Messages name the path and the value set, never the value (PHI rule: a misplaced free text
 * could land in a code element).
 */
import type { FhirResource } from '../../engine/fhir/types.ts';
import type { ValidationIssue } from './validate-resource.ts';
import { walkTyped, type TypedNode } from './typed-walk.ts';
import { VALUE_SET_CODES } from './value-sets.generated.ts';

/** Value sets that cannot be enumerated, checked by shape. */
const PATTERN_VALUE_SETS: ReadonlyMap<string, RegExp> = new Map([
  // BCP 13 (RFC 6838 type/subtype, optional parameters)
  ['http://hl7.org/fhir/ValueSet/mimetypes', /^[A-Za-z0-9][\w!#$&^.+-]*\/[A-Za-z0-9][\w!#$&^.+-]*(\s*;.*)?$/],
  // ISO 4217
  ['http://hl7.org/fhir/ValueSet/currencies', /^[A-Z]{3}$/],
]);

/** Element path (type.element) -> value set enforced for codings of that value set's systems. */
const ENFORCED_WHEN_SYSTEM_MATCHES: ReadonlyMap<string, string> = new Map([
  ['Encounter.class', 'http://terminology.hl7.org/ValueSet/v3-ActEncounterCode'],
]);

interface ValueSetTable {
  readonly systems: ReadonlyMap<string, ReadonlySet<string>>;
  readonly anyCode: ReadonlySet<string>;
}

const tables = new Map<string, ValueSetTable>();

function tableFor(url: string): ValueSetTable | undefined {
  const cached = tables.get(url);
  if (cached) return cached;
  const rows = VALUE_SET_CODES[url];
  if (!rows) return undefined;
  const systems = new Map(rows.map(([system, codes]) => [system, new Set(codes)] as const));
  const table = { systems, anyCode: new Set(rows.flatMap(([, codes]) => codes)) };
  tables.set(url, table);
  return table;
}

type Coding = { readonly system?: unknown; readonly code?: unknown };

function codingIn(table: ValueSetTable, coding: Coding): boolean {
  return (
    typeof coding.system === 'string' &&
    typeof coding.code === 'string' &&
    table.systems.get(coding.system)?.has(coding.code) === true
  );
}

function checkRequired(node: TypedNode, url: string): string | undefined {
  const pattern = PATTERN_VALUE_SETS.get(url);
  if (pattern) {
    return typeof node.value === 'string' && pattern.test(node.value) ? undefined : `not a code of ${url}`;
  }
  const table = tableFor(url);
  if (!table)
    return `required binding to ${url}, which has no code table (regenerate value-sets.generated.ts)`;
  if (node.type === 'code') {
    return typeof node.value === 'string' && table.anyCode.has(node.value)
      ? undefined
      : `not a code of ${url}`;
  }
  if (node.type === 'Coding') {
    return codingIn(table, node.value as Coding) ? undefined : `coding is not in ${url} (system and code)`;
  }
  if (node.type === 'CodeableConcept') {
    const codings = (node.value as { coding?: unknown }).coding;
    const ok = Array.isArray(codings) && codings.some((c) => codingIn(table, c as Coding));
    return ok ? undefined : `has no coding from ${url} (required binding)`;
  }
  return undefined;
}

/** Codings of an enforced extensible binding that claim the value set's system but are not in it. */
function checkEnforced(node: TypedNode, url: string): string | undefined {
  const table = tableFor(url);
  if (!table)
    return `enforced binding to ${url}, which has no code table (regenerate value-sets.generated.ts)`;
  const codings =
    node.type === 'Coding'
      ? [node.value as Coding]
      : node.type === 'CodeableConcept'
        ? (((node.value as { coding?: unknown }).coding ?? []) as Coding[])
        : [];
  for (const c of codings) {
    if (typeof c.system === 'string' && table.systems.has(c.system) && !codingIn(table, c)) {
      return `coding claims ${c.system} but is not in ${url}`;
    }
  }
  return undefined;
}

/** Element path without indexes, for ENFORCED_WHEN_SYSTEM_MATCHES: `Encounter.class`. */
const schemaPath = (path: string): string => path.replace(/\[\d+\]/g, '');

export function checkBindings(resource: FhirResource): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  walkTyped(resource, (node) => {
    const binding = node.element.binding;
    let problem: string | undefined;
    if (binding?.strength === 'required' && binding.valueSet) {
      problem = checkRequired(node, binding.valueSet.split('|')[0]!);
    } else {
      const enforced = ENFORCED_WHEN_SYSTEM_MATCHES.get(schemaPath(node.path));
      if (enforced) problem = checkEnforced(node, enforced);
    }
    if (problem) issues.push({ severity: 'error', path: node.path, message: problem });
  });
  return issues;
}
