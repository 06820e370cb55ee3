import { transactionBundle } from './bundle.ts';
import type { Mapping } from './types.ts';

/**
 * A registered name whose real mapping is a later issue: it yields an empty transaction and says
 * so in a warning, so a channel can be configured today and start producing resources once the
 * mapping lands, without pretending to map anything now.
 */
export function placeholderMapping(name: string, messages: string): Mapping {
  return Object.freeze({
    name,
    description: `${messages} to FHIR R4: not mapped yet (until the mapping issue); yields an empty transaction Bundle`,
    map: () => ({
      bundle: transactionBundle([]),
      warnings: [`${name}: ${messages} is not mapped yet (until the mapping issue): empty transaction`],
    }),
  });
}
