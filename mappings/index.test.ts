import { describe, expect, it } from 'vitest';
import { FHIR_JSON_CONTENT_TYPE, HL7_V2_CONTENT_TYPE } from '../engine/channels/transform.ts';
import type { FhirBundle } from '../engine/fhir/types.ts';
import { mappingTransformer, mappings } from './index.ts';
import { corpusMessage, mappingContext } from './testing/fragments.ts';

const input = { contentType: HL7_V2_CONTENT_TYPE, body: Buffer.from('') };

describe('mapping registry', () => {
  it('registers adt-to-fhir, orm-to-fhir and oru-to-fhir', () => {
    expect([...mappings.keys()]).toEqual(['adt-to-fhir', 'orm-to-fhir', 'oru-to-fhir']);
    for (const m of mappings.values()) expect(m.description.length).toBeGreaterThan(20);
  });

  it('oru-to-fhir maps a result message (no longer a placeholder)', () => {
    const result = mappings
      .get('oru-to-fhir')!
      .map(corpusMessage('hl7/fhir-converter/ORU-R01-01.hl7'), mappingContext());
    expect(result.bundle.entry?.map((e) => e.resource?.resourceType)).toContain('DiagnosticReport');
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
    const types = bundle.entry?.map((e) => e.resource?.resourceType) ?? [];
    // MSH -> MessageHeader first and Provenance last (provenance.ts), the mapping's entries between.
    expect([types[0], types.at(-1)]).toEqual(['MessageHeader', 'Provenance']);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Encounter']));
    expect(seen).toEqual(['adt-to-fhir:42:1', 'adt-to-fhir:42:1']);
  });

  it('option validate: true throws the validator explanation on an invalid Bundle, passes a valid one', async () => {
    expect(() => mappingTransformer('adt-to-fhir', { validate: 'yes' })).toThrow(
      /validate: expected true or false/,
    );
    const t = mappingTransformer('adt-to-fhir', { validate: true });
    const ctx = {
      message: corpusMessage('hl7/google-hdh/adt_a08_ex1.hl7'),
      messageId: '42',
      channelId: 'adt',
    };
    await expect((async () => t(input, ctx))()).resolves.toMatchObject({
      contentType: FHIR_JSON_CONTENT_TYPE,
    });
    // A sender claiming a v3-ActCode patient class that does not exist: Encounter.class fails.
    const message = corpusMessage('hl7/google-hdh/adt_a08_ex1.hl7');
    message.set('PV1-2.1', 'ZZ');
    message.set('PV1-2.3', 'http://terminology.hl7.org/CodeSystem/v3-ActCode');
    const invalid = (async () => t(input, { ...ctx, message }))();
    await expect(invalid).rejects.toThrow(
      /^FHIR validation failed \(1 error\): entry\[\d+\] Encounter\.class: coding claims http:\/\/terminology\.hl7\.org\/CodeSystem\/v3-ActCode but is not in http:\/\/terminology\.hl7\.org\/ValueSet\/v3-ActEncounterCode$/,
    );
    // Without the option the same Bundle goes through.
    const lenient = mappingTransformer('adt-to-fhir', {});
    await expect((async () => lenient(input, { ...ctx, message }))()).resolves.toBeDefined();
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
