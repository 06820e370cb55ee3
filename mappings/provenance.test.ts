import { describe, expect, it } from 'vitest';
import { HL7_V2_CONTENT_TYPE } from '../engine/channels/transform.ts';
import type { BundleEntry, FhirBundle, FhirResource } from '../engine/fhir/types.ts';
import { Hl7Message } from '../engine/hl7/message.ts';
import { mappingTransformer } from './index.ts';
import { SOURCE_MESSAGE_SYSTEM, withMessageProvenance } from './provenance.ts';
import { mappingContext } from './testing/fragments.ts';
import { bundleErrors, explainIssues, validateBundle } from './validation/validate-bundle.ts';

function adt(msh: { app?: string; facility?: string; time?: string; controlId?: string } = {}): Hl7Message {
  const segments = [
    `MSH|^~\\&|${msh.app ?? 'REGADT^2.16.840.1.113883.19.1^ISO'}|${msh.facility ?? 'MCM^2.16.840.1.113883.19.2^ISO'}|LAB|HOSP|${msh.time ?? '20261121093000-0500'}||ADT^A01^ADT_A01|${msh.controlId ?? 'CTRL-1'}|P|2.5.1`,
    'PID|1||100001^^^MCM^MR||EVERYWOMAN^EVE||19800101|F',
    'PV1|1|I|W4^401^1^MCM|||||||||||||||||V100001',
  ];
  return Hl7Message.parse(`${segments.join('\r')}\r`);
}

async function map(message: Hl7Message, messageId = '41', options: Record<string, unknown> = {}) {
  const t = mappingTransformer('adt-to-fhir', options);
  const out = await t(
    { contentType: HL7_V2_CONTENT_TYPE, body: Buffer.from('') },
    { message, messageId, channelId: 'adt' },
  );
  return { body: out.body, bundle: JSON.parse(out.body.toString('utf8')) as FhirBundle };
}

const resourceOf = (e: BundleEntry | undefined): FhirResource => e!.resource!;

describe('MSH -> MessageHeader + Provenance on every mapped Bundle', () => {
  it('puts a MessageHeader first and a Provenance targeting every other entry last', async () => {
    const { bundle } = await map(adt());
    const entries = bundle.entry!;
    expect(entries.map((e) => e.resource?.resourceType)).toEqual([
      'MessageHeader',
      'Patient',
      'Encounter',
      'Provenance',
    ]);
    const header = resourceOf(entries[0]);
    expect(header.eventCoding).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v2-0003',
      code: 'A01',
      display: 'ADT^A01^ADT_A01',
    });
    expect(header.source).toEqual({ name: 'REGADT', endpoint: 'urn:oid:2.16.840.1.113883.19.1' });
    expect(header.sender).toEqual({
      type: 'Organization',
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:2.16.840.1.113883.19.2' },
      display: 'MCM',
    });
    expect(header.destination).toEqual([
      {
        name: 'LAB',
        endpoint: 'urn:switchboard:id:LAB',
        receiver: {
          type: 'Organization',
          identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:switchboard:id:HOSP' },
          display: 'HOSP',
        },
      },
    ]);
    expect(header.meta).toEqual({
      tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0103', code: 'P' }],
    });
    const prov = resourceOf(entries[3]);
    expect(prov.target).toEqual(entries.slice(0, 3).map((e) => ({ reference: e.fullUrl })));
    expect(prov.recorded).toBe('2026-11-21T09:30:00-05:00');
    expect(prov.occurredDateTime).toBe('2026-11-21T09:30:00-05:00');
    expect(prov.entity).toEqual([
      {
        role: 'source',
        what: {
          identifier: { system: SOURCE_MESSAGE_SYSTEM, value: '41' },
          display: 'HL7 v2 ADT^A01^ADT_A01 control id CTRL-1',
        },
      },
    ]);
    expect(
      (prov.agent as { type: { coding: { code: string }[] } }[]).map((a) => a.type.coding[0]!.code),
    ).toEqual(['author', 'assembler']);
    for (const e of [entries[0]!, entries[3]!]) {
      expect(e.request).toEqual({ method: 'PUT', url: `${e.resource!.resourceType}/${e.resource!.id}` });
      expect(e.fullUrl).toBe(`urn:uuid:${e.resource!.id}`);
    }
    const errors = bundleErrors(validateBundle(bundle));
    expect(errors, explainIssues(errors)).toEqual([]);
  });

  it('same message and message id: same bytes; a resend (new message id) lands on the same two ids', async () => {
    const first = await map(adt(), '41');
    const again = await map(adt(), '41');
    expect(first.body.equals(again.body)).toBe(true);
    const resend = await map(adt(), '97');
    const urls = (b: FhirBundle) => b.entry!.map((e) => `${e.fullUrl} ${e.request!.url}`);
    expect(urls(resend.bundle)).toEqual(urls(first.bundle));
    const entity = (b: FhirBundle) => JSON.stringify(b.entry!.at(-1)!.resource!.entity);
    expect(entity(resend.bundle)).toContain('"97"');
    // Another control id from the same sender is another message.
    const other = await map(adt({ controlId: 'CTRL-2' }));
    expect(other.bundle.entry![0]!.fullUrl).not.toBe(first.bundle.entry![0]!.fullUrl);
    expect(other.bundle.entry!.at(-1)!.fullUrl).not.toBe(first.bundle.entry!.at(-1)!.fullUrl);
    // The same control id from another sender too.
    const otherSender = await map(adt({ facility: 'OTHER' }));
    expect(otherSender.bundle.entry![0]!.fullUrl).not.toBe(first.bundle.entry![0]!.fullUrl);
  });

  it('recorded is an instant: minute precision padded, the default time zone applied', async () => {
    const { bundle } = await map(adt({ time: '202611210930' }), '1', { defaultTimezone: '+01:00' });
    const prov = resourceOf(bundle.entry!.at(-1));
    expect(prov.recorded).toBe('2026-11-21T09:30:00+01:00');
    expect(prov.occurredDateTime).toBe('2026-11-21T09:30:00+01:00');
    const day = resourceOf((await map(adt({ time: '20261121' }))).bundle.entry!.at(-1));
    expect(day.recorded).toBe('2026-11-21T00:00:00Z');
    expect(day.occurredDateTime).toBe('2026-11-21');
  });

  it('empty MSH-3/5/6, bad MSH-7 and empty MSH-10: data-absent, warnings, keyed on the message id, still valid', () => {
    const message = Hl7Message.parse('MSH|^~\\&|||||20261399||ADT^A01|||2.5\rPID|1||1^^^MCM^MR\r');
    const warnings: string[] = [];
    const patient: BundleEntry = {
      fullUrl: 'urn:uuid:2b1c9a52-3f0e-4d57-9a43-2f7c1e0b8d61',
      resource: { resourceType: 'Patient' },
      request: { method: 'PUT', url: 'Patient?identifier=urn:x|1' },
    };
    const input: FhirBundle = { resourceType: 'Bundle', type: 'transaction', entry: [patient] };
    const a = withMessageProvenance(input, message, mappingContext({}, '5'), 'adt-to-fhir', warnings);
    const b = withMessageProvenance(input, message, mappingContext({}, '6'), 'adt-to-fhir', []);
    expect(warnings).toEqual([
      'MSH-10 is empty: MessageHeader and Provenance are keyed on the stored message id',
      'MSH-7 is not a valid DTM: Provenance.recorded is data-absent',
    ]);
    expect(a.entry![0]!.fullUrl).not.toBe(b.entry![0]!.fullUrl);
    const header = resourceOf(a.entry![0]);
    expect(header.source).toEqual({
      _endpoint: {
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' },
        ],
      },
    });
    expect(header.destination).toBeUndefined();
    const prov = resourceOf(a.entry![2]);
    expect(prov.recorded).toBeUndefined();
    expect(prov.agent).toHaveLength(1);
    const errors = bundleErrors(validateBundle(a));
    expect(errors, explainIssues(errors)).toEqual([]);
  });

  it('an empty Bundle (message not mapped) stays empty', () => {
    const empty: FhirBundle = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    expect(withMessageProvenance(empty, adt(), mappingContext(), 'x', [])).toBe(empty);
  });
});
