import { describe, expect, it } from 'vitest';
import { fragment } from '../testing/fragments.ts';
import { MARITAL_STATUS, PATIENT_CLASS } from '../vocabulary/tables.ts';
import { cweToCode, cweToCodeableConcept, cweToCoding } from './cwe.ts';
import { fieldPath, fieldValue } from './field.ts';
import { valueFromText } from './value.ts';
import { xtnToContactPoint } from './xtn.ts';

const NK1_40 = fieldPath('NK1-40');
const xtn = (name: string, defaultUse?: string) =>
  xtnToContactPoint(fieldValue(fragment(`xtn/contact-point/${name}.hl7`), NK1_40), defaultUse);
const ABSENT = {
  extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }],
};

describe('XTN -> ContactPoint (IG XTN[ContactPoint]) on the xtn fragments', () => {
  it('XTN.4 is the value of Internet and X.400 addresses', () => {
    expect(xtn('xtn_8_xtn3_internet_xtn4_test_email')).toEqual({ system: 'email', value: 'test@aol.net' });
    expect(xtn('xtn_8_xtn3_x400_xtn4_test_email')).toEqual({ system: 'email', value: 'test@aol.net' });
    expect(xtn('xtn_6_xtn3_no_value_xtn4_valued')).toEqual({ system: 'email', value: 'test@aol.net' });
  });

  it('XTN.12 (unformatted) is the value of a phone; no XTN.3 and no XTN.4 gives a data-absent system', () => {
    expect(xtn('xtn_17_xtn12_has_value_xtn3_is_PH')).toEqual({ system: 'phone', value: '281-3308004' });
    expect(xtn('xtn_3_no_value_in_xtn3_xtn7_xtn12')).toEqual({ _system: ABSENT, value: '12813308004' });
  });

  it('XTN.7 composes with XTN.5/6/8 as the XTN.7 rows assign', () => {
    expect(xtnToContactPoint(valueFromText('^PRN^PH^^1^555^7259890^4'))).toMatchObject({
      system: 'phone',
      use: 'home',
      value: '+1 555 7259890 X4',
    });
    expect(xtn('xtn_12_xtn7_has_value_xtn3_is_PH')?.value).toBe('12813308004');
  });

  it('XTN.2 via TelecommunicationUseCode, then the segment default (PID-13 home) when XTN.2 is empty', () => {
    expect(xtn('xtn_4_PRS_in_xtn2')).toBeUndefined(); // a use without a number is no ContactPoint
    expect(xtnToContactPoint(valueFromText('555-1234^WPN^PH'), 'home')?.use).toBe('work');
    expect(xtnToContactPoint(valueFromText('555-1234^^PH'), 'home')?.use).toBe('home');
    expect(xtnToContactPoint(valueFromText('555-1234^ORN^PH'), 'home')?.use).toBeUndefined();
    expect(xtnToContactPoint(valueFromText('555-1234^^CP'), 'home')).toEqual({
      system: 'phone',
      value: '555-1234',
      use: 'mobile',
    });
  });

  it('XTN.18 is the rank when it is a positive integer', () => {
    expect(xtnToContactPoint(valueFromText('555-1234^^PH^^^^^^^^^^^^^^^2'))?.rank).toBe(2);
    expect(xtnToContactPoint(valueFromText('555-1234^^PH^^^^^^^^^^^^^^^-1'))?.rank).toBeUndefined();
    // the xtn_23 fragments carry a rank but no number: nothing to contact, no ContactPoint
    expect(xtn('xtn_23_xtn18_has_positive_value')).toBeUndefined();
  });
});

describe('CWE -> CodeableConcept / Coding / code', () => {
  it('maps the three codings and the original text (IG CWE[CodeableConcept])', () => {
    expect(
      cweToCodeableConcept(valueFromText('2106-3^White^CDCREC^W^White^L^1.1^4^race text^X^Other^HL70005')),
    ).toEqual({
      coding: [
        { system: 'urn:oid:2.16.840.1.113883.6.238', version: '1.1', code: '2106-3', display: 'White' },
        { system: 'urn:switchboard:codesystem:L', version: '4', code: 'W', display: 'White' },
        { system: 'http://terminology.hl7.org/CodeSystem/v2-0005', code: 'X', display: 'Other' },
      ],
      text: 'race text',
    });
  });

  it('a vocabulary map puts the FHIR code first and keeps the v2 code (PID-16 via MaritalStatus)', () => {
    expect(cweToCodeableConcept(valueFromText('A^Separated^HL70002'), MARITAL_STATUS)).toEqual({
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
          code: 'L',
          display: 'Legally Separated',
        },
        { system: 'http://terminology.hl7.org/CodeSystem/v2-0002', code: 'A', display: 'Separated' },
      ],
    });
    // no coding system name: the code is taken to be from the map's v2 table
    expect(cweToCodeableConcept(valueFromText('Q'), MARITAL_STATUS)).toEqual({
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0002', code: 'Q' }],
    });
  });

  it('CWE[Coding] through PatientClass[EncounterClass]; CWE[code] falls back to CWE.4', () => {
    expect(cweToCoding(valueFromText('I'), PATIENT_CLASS)).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'IMP',
      display: 'inpatient encounter',
    });
    expect(cweToCoding(valueFromText('Z'), PATIENT_CLASS)).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v2-0004',
      code: 'Z',
    });
    expect(cweToCode(valueFromText('^^^ALT'))).toBe('ALT');
    expect(cweToCodeableConcept(valueFromText(''))).toBeUndefined();
  });
});
