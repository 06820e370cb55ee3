/**
 * The mapping registry: the names a channel's `transformers: [{ mapping: <name> }]` may use.
 */
import { FHIR_JSON_CONTENT_TYPE, type Payload, type Transformer } from '../engine/channels/transform.ts';
import { adtToFhir } from './adt/adt-to-fhir.ts';
import { readMappingOptions } from './options.ts';
import { placeholderMapping } from './placeholder.ts';
import type { Mapping, MappingContext } from './types.ts';

export type { Mapping, MappingContext, MappingResult } from './types.ts';

export const mappings: ReadonlyMap<string, Mapping> = new Map(
  [adtToFhir, placeholderMapping('orm-to-fhir', 'ORM^O01'), placeholderMapping('oru-to-fhir', 'ORU^R01')].map(
    (m) => [m.name, m] as const,
  ),
);

export interface MappingWarningSink {
  (warnings: readonly string[], ctx: { readonly messageId: string; readonly mapping: string }): void;
}

/**
 * A channel transformer running mapping `name`: its input is ignored (a mapping reads the parsed
 * source message), its output is the transaction Bundle as `application/fhir+json`. Unknown names
 * and bad options throw here, when the channel is loaded. Warnings go to `onWarnings` (they name
 * paths and codes, never patient data).
 */
export function mappingTransformer(
  name: string,
  options: Readonly<Record<string, unknown>>,
  onWarnings?: MappingWarningSink,
): Transformer {
  const mapping = mappings.get(name);
  if (!mapping) {
    throw new Error(`unknown mapping "${name}" (known: ${[...mappings.keys()].join(', ')})`);
  }
  const { identifierSystems } = readMappingOptions(options);
  return (_input, tctx): Payload => {
    const ctx: MappingContext = { messageId: tctx.messageId, options, identifierSystems };
    const { bundle, warnings } = mapping.map(tctx.message, ctx);
    if (warnings.length > 0) onWarnings?.(warnings, { messageId: tctx.messageId, mapping: name });
    return { contentType: FHIR_JSON_CONTENT_TYPE, body: Buffer.from(JSON.stringify(bundle), 'utf8') };
  };
}
