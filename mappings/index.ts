/**
 * The mapping registry: the names a channel's `transformers: [{ mapping: <name> }]` may use.
 */
import { FHIR_JSON_CONTENT_TYPE, type Payload, type Transformer } from '../engine/channels/transform.ts';
import { adtToFhir } from './adt/adt-to-fhir.ts';
import { readMappingOptions } from './options.ts';
import { ormToFhir } from './orm/orm-to-fhir.ts';
import { oruToFhir } from './oru/oru-to-fhir.ts';
import { applyCodeTables } from './overrides/apply-code-tables.ts';
import { applyOverrides } from './overrides/apply-overrides.ts';
import { withMessageProvenance } from './provenance.ts';
import type { Mapping, MappingContext } from './types.ts';
import { assertValidBundle } from './validation/validate-bundle.ts';

export type { Mapping, MappingContext, MappingResult } from './types.ts';

export const mappings: ReadonlyMap<string, Mapping> = new Map(
  [adtToFhir, ormToFhir, oruToFhir].map((m) => [m.name, m] as const),
);

export interface MappingWarningSink {
  (warnings: readonly string[], ctx: { readonly messageId: string; readonly mapping: string }): void;
}

/**
 * A channel transformer running mapping `name`: its input is ignored (a mapping reads the parsed
 * source message), its output is the transaction Bundle as `application/fhir+json`. Unknown names
 * and bad options throw here, when the channel is loaded. Warnings go to `onWarnings` (they name
 * paths and codes, never patient data). Every non-empty Bundle gets the MessageHeader and
 * Provenance of its source message; with option `validate: true` an invalid Bundle throws.
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
  const { identifierSystems, overrides, validate } = readMappingOptions(options);
  return (_input, tctx): Payload => {
    const ctx: MappingContext = { messageId: tctx.messageId, options, identifierSystems };
    const source = applyCodeTables(tctx.message, overrides);
    const mapped = mapping.map(source, ctx);
    const { bundle: overridden, warnings: extra } = applyOverrides(mapped.bundle, source, overrides);
    const warnings = [...mapped.warnings, ...extra];
    // MSH -> MessageHeader + Provenance for every mapping (provenance.ts), after the overrides.
    const bundle = withMessageProvenance(overridden, source, ctx, name, warnings);
    if (warnings.length > 0) onWarnings?.(warnings, { messageId: tctx.messageId, mapping: name });
    // Option `validate`: an invalid Bundle throws, which makes the message an error with this text.
    if (validate) assertValidBundle(bundle);
    return { contentType: FHIR_JSON_CONTENT_TYPE, body: Buffer.from(JSON.stringify(bundle), 'utf8') };
  };
}
