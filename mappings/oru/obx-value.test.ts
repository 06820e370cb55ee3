import { describe, expect, it } from 'vitest';
import { validateFhirResource } from '../validation/validate-resource.ts';
import { mediaType, OBSERVATION_VALUE_ATTACHMENT, tmToTime } from './obx-value.ts';
import { observationOf } from './testing.ts';

const UCUM = 'http://unitsofmeasure.org';
const obx = (type: string, value: string, units = '', more = '') =>
  `OBX|1|${type}|2093-3^Cholesterol^LN||${value}|${units}|${more}||||F`;

function valid(obs: object): void {
  const errors = validateFhirResource(obs as never).filter((i) => i.severity === 'error');
  expect(errors).toEqual([]);
}

describe('OBX-5 by value type (OBX[Observation] OBX-5 rows)', () => {
  it('NM -> valueQuantity, OBX-6 UCUM units -> system and code', () => {
    const { obs } = observationOf(obx('NM', '185.5', 'mg/dL^milligrams per deciliter^UCUM'));
    expect(obs.valueQuantity).toEqual({
      value: 185.5,
      unit: 'milligrams per deciliter',
      system: UCUM,
      code: 'mg/dL',
    });
    valid(obs);
  });

  it('NM with units but no coding system -> unit only (qty-3: no code without a system)', () => {
    const { obs } = observationOf(obx('NM', '007', 'mg/dL'));
    expect(obs.valueQuantity).toEqual({ value: 7, unit: 'mg/dL' });
  });

  it('NM that is not a number -> valueString and a warning naming the path', () => {
    const { obs, warnings } = observationOf(obx('NM', 'see note'));
    expect(obs.valueString).toBe('see note');
    expect(warnings).toContain('OBX[1]-5 is not a number although OBX-2 is NM: kept as valueString');
  });

  it('NM repeating -> one component per repetition (OBX[Observation-Component])', () => {
    const { obs } = observationOf(obx('NM', '27~25'));
    expect(obs.valueQuantity).toBeUndefined();
    expect(obs.component?.map((c) => c.valueQuantity?.value)).toEqual([27, 25]);
    expect(obs.component?.[0]?.code).toEqual(obs.code);
    valid(obs);
  });

  it('SN comparator -> valueQuantity.comparator', () => {
    expect(observationOf(obx('SN', '<^5', 'mg/L^^UCUM')).obs.valueQuantity).toEqual({
      value: 5,
      comparator: '<',
      unit: 'mg/L',
      system: UCUM,
      code: 'mg/L',
    });
    expect(observationOf(obx('SN', '>=^10')).obs.valueQuantity).toEqual({ value: 10, comparator: '>=' });
    expect(observationOf(obx('SN', '=^10')).obs.valueQuantity).toEqual({ value: 10 });
    expect(observationOf(obx('SN', '^3.5')).obs.valueQuantity).toEqual({ value: 3.5 });
  });

  it('SN with ":" or "/" -> valueRatio; with "-" -> valueRange (units on both ends); originalText kept', () => {
    const ratio = observationOf(obx('SN', '^1^:^128')).obs;
    expect(ratio.valueRatio).toMatchObject({ numerator: { value: 1 }, denominator: { value: 128 } });
    expect(ratio.valueRatio?.extension?.[0]?.valueString).toBe('1 : 128');
    valid(ratio);
    const range = observationOf(obx('SN', '^2^-^8', 'mmol/L^^UCUM')).obs;
    expect(range.valueRange).toMatchObject({
      low: { value: 2, unit: 'mmol/L', system: UCUM },
      high: { value: 8, unit: 'mmol/L', system: UCUM },
    });
    valid(range);
  });

  it('SN with "+" or "<>" -> valueString of its parts and the units', () => {
    expect(observationOf(obx('SN', '^2^+')).obs.valueString).toBe('2 +');
    expect(observationOf(obx('SN', '<>^5', 'mg')).obs.valueString).toBe('<> 5 mg');
  });

  it('ST / FT / TX -> valueString with escapes decoded, repetitions as lines', () => {
    expect(observationOf(obx('ST', 'A\\F\\B \\T\\ C\\S\\D')).obs.valueString).toBe('A|B & C^D');
    expect(observationOf(obx('FT', 'line 1\\.br\\line 2')).obs.valueString).toBe('line 1\nline 2');
    expect(observationOf(obx('TX', 'first~second')).obs.valueString).toBe('first\nsecond');
  });

  it('CE / CWE -> valueCodeableConcept with the code system URI', () => {
    const { obs } = observationOf(obx('CWE', '260373001^Detected^SCT^DET^Detected^HL70078'));
    expect(obs.valueCodeableConcept).toEqual({
      coding: [
        { system: 'http://snomed.info/sct', code: '260373001', display: 'Detected' },
        { system: 'http://terminology.hl7.org/CodeSystem/v2-0078', code: 'DET', display: 'Detected' },
      ],
    });
    valid(obs);
  });

  it('DT / TS / DTM -> valueDateTime, precision and zone kept; a time without zone gets the default and a warning', () => {
    expect(observationOf(obx('DT', '20240229')).obs.valueDateTime).toBe('2024-02-29');
    expect(observationOf(obx('TS', '202402')).obs.valueDateTime).toBe('2024-02');
    expect(observationOf(obx('DTM', '20240301123456.12+0530')).obs.valueDateTime).toBe(
      '2024-03-01T12:34:56.12+05:30',
    );
    const { obs, warnings } = observationOf(obx('DTM', '202403011234'));
    expect(obs.valueDateTime).toBe('2024-03-01T12:34:00Z');
    expect(warnings).toContain('OBX[1]-5 has no time zone: read as Z');
  });

  it('TM -> valueTime (FHIR time has no zone)', () => {
    expect(observationOf(obx('TM', '0930')).obs.valueTime).toBe('09:30:00');
    expect(tmToTime('235959.5-0500')).toBe('23:59:59.5');
    expect(tmToTime('2460')).toBeUndefined();
  });

  it('ED base64 -> the IG valueAttachment extension, content type from ED.2/ED.3', () => {
    const pdf = Buffer.from('%PDF-1.4 test').toString('base64');
    const { obs } = observationOf(obx('ED', `LAB^Application^PDF^Base64^${pdf}`));
    expect(obs.extension?.[0]).toEqual({
      url: OBSERVATION_VALUE_ATTACHMENT,
      valueAttachment: { contentType: 'application/pdf', data: pdf },
    });
    expect(obs.valueString).toBeUndefined();
    valid(obs);
  });

  it('ED hex and ASCII encodings become base64; broken base64 is left out with a warning', () => {
    const hex = observationOf(obx('ED', '^TEXT^PLAIN^Hex^48690a')).obs;
    expect(hex.extension?.[0]?.valueAttachment).toEqual({ contentType: 'text/plain', data: 'SGkK' });
    const ascii = observationOf(obx('ED', '^TEXT^^A^Hi')).obs;
    expect(ascii.extension?.[0]?.valueAttachment?.data).toBe('SGk=');
    const broken = observationOf(obx('ED', '^Application^PDF^Base64^not*base64'));
    expect(broken.obs.extension).toBeUndefined();
    expect(broken.warnings).toContain('OBX[1]-5.5 is not valid base64 although ED.4 is Base64: left out');
  });

  it('RP -> the valueAttachment extension with the pointer as url', () => {
    const { obs } = observationOf(obx('RP', 'https://images.example/1^^IMAGE^JPEG'));
    expect(obs.extension?.[0]?.valueAttachment).toEqual({
      url: 'https://images.example/1',
      contentType: 'image/jpeg',
    });
    valid(obs);
  });

  it('other types (XAD, CX, TN...) -> valueString of the components joined by spaces', () => {
    expect(observationOf(obx('XAD', '1 Main St^^Springfield^IL^62701')).obs.valueString).toBe(
      '1 Main St Springfield IL 62701',
    );
  });

  it('media types from v2 type and subtype', () => {
    expect(mediaType('Application', 'PDF')).toBe('application/pdf');
    expect(mediaType('NS', 'Octet-stream')).toBe('application/octet-stream');
    expect(mediaType('IMAGE', '')).toBeUndefined();
    expect(mediaType('', '')).toBeUndefined();
  });
});
