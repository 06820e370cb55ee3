/**
 * The corpus gate (issue 4 "Done means"): every ADT, ORM^O01 and ORU^R01 file of
 * ../shared/corpus/hl7/ goes through the mapping the SHIPPED channels (channels/*.yaml) route it
 * to, with that channel's options, and the Bundle must have zero validation errors
 * (validate-bundle.ts: R4 StructureDefinitions, required bindings, references). One test per
 * file, named by its corpus path, so a failure names the file and lists every error.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesMessageType } from '../engine/channels/filters.ts';
import { HL7_V2_CONTENT_TYPE } from '../engine/channels/transform.ts';
import type { ChannelSpec } from '../engine/channels/types.ts';
import { loadChannels } from '../engine/channels/load.ts';
import type { FhirBundle } from '../engine/fhir/types.ts';
import { Hl7Message } from '../engine/hl7/message.ts';
import { readBytes, readManifest, repoRoot } from '../engine/hl7/testing/corpus.ts';
import { mappingTransformer, mappings } from './index.ts';
import { bundleErrors, explainIssues, validateBundle } from './validation/validate-bundle.ts';

/** Manifest MSH-9 (always written with `^`): the message types this gate covers. */
const GATED = /^(ADT\^|ORM\^O01(\^|$)|ORU\^R01(\^|$))/;
const rows = readManifest('hl7').filter((r) => GATED.test(r.msh9));

/** The first mapping transformer of the first shipped channel that takes this message type. */
function routedMapping(channels: readonly ChannelSpec[], message: Hl7Message) {
  const { messageType, triggerEvent } = message.header;
  for (const channel of channels) {
    if (!matchesMessageType(channel.source.messageTypes, messageType, triggerEvent)) continue;
    for (const d of channel.destinations) {
      for (const t of [...channel.transformers, ...d.transformers]) {
        if (t.kind === 'mapping') return { channel: channel.id, name: t.name, options: t.options };
      }
    }
  }
  return undefined;
}

describe('corpus gate: ADT, ORM^O01, ORU^R01 map to valid FHIR R4', () => {
  let channels: readonly ChannelSpec[] = [];

  beforeAll(async () => {
    const loaded = await loadChannels({
      dir: path.join(repoRoot, 'channels'),
      knownListeners: new Set(['mllp']),
      knownMappings: new Set(mappings.keys()),
    });
    expect(loaded.problems).toEqual([]);
    channels = loaded.channels;
  });

  it('covers the corpus (a manifest change that empties the gate fails here)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(140);
  });

  for (const row of rows) {
    it(row.path, async () => {
      const message = Hl7Message.parse(readBytes(row));
      const route = routedMapping(channels, message);
      expect(route, 'no shipped channel maps this message type').toBeDefined();
      // Validation runs here, not in the transformer, so the test lists every error instead of the throw.
      const transform = mappingTransformer(route!.name, { ...route!.options, validate: false });
      const out = await transform(
        { contentType: HL7_V2_CONTENT_TYPE, body: readBytes(row) },
        { message, messageId: '1', channelId: route!.channel },
      );
      const bundle = JSON.parse(out.body.toString('utf8')) as FhirBundle;
      const errors = bundleErrors(validateBundle(bundle));
      expect(errors, explainIssues(errors)).toEqual([]);
    });
  }
});
