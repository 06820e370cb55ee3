import { describe, expect, it } from 'vitest';
import { HL7_V2_CONTENT_TYPE } from '../../engine/channels/transform.ts';
import type { FhirBundle, FhirResource } from '../../engine/fhir/types.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { mappingTransformer } from '../index.ts';
import { readMappingOptions } from '../options.ts';
import { validateBundle } from '../validation/validate-bundle.ts';
import { applyCodeTables } from './apply-code-tables.ts';

const SSN_URL = 'http://example.org/fhir/StructureDefinition/ssn-local';
const ADT = [
  'MSH|^~\\&|APP|FAC|RCV|RFAC|20240101120000||ADT^A01|C1|P|2.5',
  'EVN|A01|20240101120000',
  'PID|1||123^^^HOSP^MR||Doe^John||19700101|M|||||||||||999-99-9999~888-88-8888',
  'PV1|1|X|ICU^1^A||||||||||||||||V1^^^HOSP^VN',
].join('\r');

async function mapWith(options: Record<string, unknown>, text = ADT): Promise<FhirBundle> {
  const t = mappingTransformer('adt-to-fhir', options);
  const ctx = { message: Hl7Message.parse(text), messageId: '1', channelId: 'adt' };
  const out = await t({ contentType: HL7_V2_CONTENT_TYPE, body: Buffer.from(text) }, ctx);
  return JSON.parse(out.body.toString('utf8')) as FhirBundle;
}

const first = (bundle: FhirBundle, type: string): FhirResource | undefined =>
  bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource;

describe('mapping options: extensions and codeTables are checked at load', () => {
  it('accepts a valid configuration', () => {
    const { overrides } = readMappingOptions({
      extensions: [{ path: 'PID-19', url: SSN_URL, resource: 'Patient' }],
      codeTables: {
        'PV1-2': { X: 'I' },
        'OBX-3': { GLU: { code: '2345-7', system: 'LN', display: 'Glucose' } },
      },
    });
    expect(overrides.extensions).toHaveLength(1);
    expect(overrides.extensions[0]).toMatchObject({ url: SSN_URL, resource: 'Patient', valueType: 'string' });
    expect(overrides.codeTables.map((t) => t.path.text)).toEqual(['PV1-2', 'OBX-3']);
  });

  it('names every problem with its path and what was expected', () => {
    let message = '';
    try {
      readMappingOptions({
        extensions: [
          { path: 'PID19', url: SSN_URL, resource: 'Patient' },
          { path: 'PID-19', url: 'ssn-local', resource: 'patient', colour: 'red', valueType: 'int' },
        ],
        codeTables: { 'PV1-2': {}, 'XX-1': { A: 'B' }, 'OBX-3.2': { A: { code: 'B', system: 'LN' } } },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid mapping options: /);
    expect(message).toContain("extensions[0].path: Invalid HL7 path 'PID19'");
    expect(message).toContain('extensions[1].url: expected an absolute URI');
    expect(message).toContain(
      'extensions[1].resource: expected a FHIR resource type like Patient, got "patient"',
    );
    expect(message).toContain('extensions[1]: unknown key "colour"');
    expect(message).toContain('extensions[1].valueType: expected one of string, code, got "int"');
    expect(message).toContain('codeTables.PV1-2: expected a table of local code -> standard code');
    expect(message).toContain("codeTables.XX-1: Invalid HL7 path 'XX-1'");
    expect(message).toContain('codeTables.OBX-3.2.A.system: only for a coded element');
    expect(() => readMappingOptions({ extensions: { path: 'PID-19' } })).toThrow(
      /extensions: expected a list/,
    );
  });
});

describe('extensions', () => {
  it('adds one extension per repetition to the first Patient; the Bundle stays valid and deterministic', async () => {
    const options = { extensions: [{ path: 'PID-19', url: SSN_URL, resource: 'Patient' }] };
    const bundle = await mapWith(options);
    expect(first(bundle, 'Patient')?.extension).toEqual([
      { url: SSN_URL, valueString: '999-99-9999' },
      { url: SSN_URL, valueString: '888-88-8888' },
    ]);
    expect(validateBundle(bundle).filter((i) => i.severity === 'error')).toEqual([]);
    expect(JSON.stringify(await mapWith(options))).toBe(JSON.stringify(bundle));
    const plain = await mapWith({});
    expect(first(plain, 'Patient')?.extension ?? []).not.toContainEqual(
      expect.objectContaining({ url: SSN_URL }),
    );
  });

  it('a named component, valueCode, and a type absent from the Bundle', async () => {
    const bundle = await mapWith({
      extensions: [
        {
          path: 'PV1-3.1',
          url: 'http://example.org/fhir/StructureDefinition/unit',
          resource: 'Encounter',
          valueType: 'code',
        },
        { path: 'PID-19', url: SSN_URL, resource: 'Specimen' },
      ],
    });
    expect(first(bundle, 'Encounter')?.extension).toContainEqual({
      url: 'http://example.org/fhir/StructureDefinition/unit',
      valueCode: 'ICU',
    });
    expect(bundle.entry?.some((e) => e.resource?.resourceType === 'Specimen')).toBe(false);
  });
});

describe('codeTables', () => {
  it('maps a local patient class to the standard one before the standard mapping', async () => {
    const local = await mapWith({});
    const mapped = await mapWith({ codeTables: { 'PV1-2': { X: 'I' } } });
    const standard = await mapWith({}, ADT.replace('PV1|1|X|', 'PV1|1|I|'));
    expect(first(mapped, 'Encounter')?.class).toEqual(first(standard, 'Encounter')?.class);
    expect(first(mapped, 'Encounter')?.class).not.toEqual(first(local, 'Encounter')?.class);
  });

  it('rewrites a CWE code, text and system in every occurrence, leaving the source message as it was', () => {
    const text = [
      'MSH|^~\\&|LAB|FAC|||20240101120000||ORU^R01|C2|P|2.5',
      'OBX|1|NM|GLU^Sugar^L||5.4',
      'OBX|2|NM|NA^Sodium^L||140',
      'OBX|3|NM|GLU^Sugar^L~K^Potassium^L||4.1',
    ].join('\r');
    const message = Hl7Message.parse(text);
    const { overrides } = readMappingOptions({
      codeTables: { 'OBX-3': { GLU: { code: '2345-7', system: 'LN', display: 'Glucose' }, K: '2823-3' } },
    });
    const mapped = applyCodeTables(message, overrides);
    expect(mapped.getAll('OBX-3')).toEqual(['2345-7^Glucose^LN']);
    expect(mapped.get('OBX[2]-3')).toBe('NA^Sodium^L');
    expect(mapped.getAll('OBX[3]-3')).toEqual(['2345-7^Glucose^LN', '2823-3^Potassium^L']);
    expect(message.toString()).toBe(text);
    expect(applyCodeTables(message, readMappingOptions({}).overrides)).toBe(message);
  });
});
