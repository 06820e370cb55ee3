import { describe, expect, it } from 'vitest';
import { FHIR_JSON_CONTENT_TYPE, HL7_V2_CONTENT_TYPE } from '../engine/channels/transform.ts';
import type { FhirBundle } from '../engine/fhir/types.ts';
import { mappingTransformer, mappings } from './index.ts';
import { corpusMessage, mappingContext } from './testing/fragments.ts';

const input = { contentType: HL7_V2_CONTENT_TYPE, body: Buffer.from('') };

describe('mapping registry', () => {
  it('registers adt-to-fhir and the ORM/ORU placeholders', () => {
    expect([...mappings.keys()]).toEqual(['adt-to-fhir', 'orm-to-fhir', 'oru-to-fhir']);
    for (const m of mappings.values()) expect(m.description.length).toBeGreaterThan(20);
    expect(mappings.get('oru-to-fhir')?.description).toMatch(/until the mapping issue/);
  });

  it('the placeholders return an empty transaction and say so', () => {
    const result = mappings
      .get('oru-to-fhir')!
      .map(corpusMessage('hl7/fhir-converter/ORU-R01-01.hl7'), mappingContext());
    expect(result.bundle).toEqual({ resourceType: 'Bundle', type: 'transaction', entry: [] });
    expect(result.warnings[0]).toMatch(/not mapped yet/);
  });
});

describe('mappingTransformer', () => {
  it('produces application/fhir+json, identical bytes for the same message, warnings to the sink', async () => {
    const seen: string[] = [];
    const t = mappingTransformer('adt-to-fhir', {}, (w, ctx) =>
      seen.push(`${ctx.mapping}:${ctx.messageId}:${w.length}`),
    );
    const ctx = {
      message: corpusMessage('hl7/google-hdh/adt_a08_ex1.hl7'),
      messageId: '42',
      channelId: 'adt',
    };
    const first = await t(input, ctx);
    const second = await t(input, { ...ctx, message: corpusMessage('hl7/google-hdh/adt_a08_ex1.hl7') });
    expect(first.contentType).toBe(FHIR_JSON_CONTENT_TYPE);
    expect(first.body.equals(second.body)).toBe(true);
    const bundle = JSON.parse(first.body.toString('utf8')) as FhirBundle;
    expect(bundle.entry?.map((e) => e.resource?.resourceType)).toEqual(['Patient', 'Encounter']);
    expect(seen).toEqual(['adt-to-fhir:42:1', 'adt-to-fhir:42:1']);
  });

  it('fails at load on an unknown mapping or bad options, naming every problem', () => {
    expect(() => mappingTransformer('adt-to-fhr', {})).toThrow(
      /unknown mapping "adt-to-fhr" \(known: adt-to-fhir/,
    );
    expect(() => mappingTransformer('adt-to-fhir', { defaultTimezone: '+2', identifierSytems: {} })).toThrow(
      /unknown option "identifierSytems".*defaultTimezone/,
    );
    expect(() => mappingTransformer('adt-to-fhir', { identifierSystems: { MRN: 'no uri' } })).toThrow(
      /identifierSystems\.MRN/,
    );
  });
});
