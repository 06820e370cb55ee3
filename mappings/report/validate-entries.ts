/**
 * The report's validation: the whole Bundle as the engine validates a mapping's output
 * (mappings/validation/validate-bundle.ts: structure, StructureDefinitions, required bindings,
 * references); errors only, each named by the entry's resource type and the path inside it.
 */
import type { FhirBundle } from '../../engine/fhir/types.ts';
import { validateBundle } from '../validation/validate-bundle.ts';
import type { ValidateBundle } from './build-report.ts';

export const validateEntries: ValidateBundle = (bundle: FhirBundle) =>
  validateBundle(bundle)
    .filter((i) => i.severity === 'error')
    .map((i) => {
      const type = i.entry === null ? 'Bundle' : (bundle.entry?.[i.entry]?.resource?.resourceType ?? 'entry');
      return { path: i.path.startsWith(type) ? i.path : `${type} ${i.path}`, message: i.message };
    });
