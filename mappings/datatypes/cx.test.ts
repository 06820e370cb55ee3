import { describe, expect, it } from 'vitest';
import { createIdentifierSystemTable } from '../identifier-systems.ts';
import { fragment } from '../testing/fragments.ts';
import { type CxContext, cxToIdentifier } from './cx.ts';
import { fieldPath, fieldValue } from './field.ts';
import { valueFromText } from './value.ts';

const OBR_53 = fieldPath('OBR-53');
const ctx = (systems: Record<string, string> = {}): CxContext => ({
  systems: createIdentifierSystemTable(systems),
  defaultAuthority: { namespaceId: 'SENDFAC', universalId: '', universalIdType: '' },
});
const fromFragment = (name: string) => cxToIdentifier(fieldValue(fragment(`cx/${name}.hl7`), OBR_53), ctx());

describe('CX -> Identifier (IG CX[Identifier]) on the cx fragments', () => {
  it('maps CX.1 value, CX.2/CX.3 check digit extensions, CX.5 type, CX.7/CX.8 period', () => {
    expect(fromFragment('cx-identifier-system-iso')).toEqual({
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/identifier-checkDigit', valueString: 'checkdigit' },
        {
          url: 'http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit',
          valueString: 'checkdigitscheme',
        },
      ],
      type: { text: 'PLAC' },
      // CX.4 testcx41&testcx42&ISO: 'testcx42' is no OID, so the namespace id names the system.
      system: 'urn:switchboard:id:testcx41',
      value: 'IDNumber',
      period: { start: '1988-07-04', end: '2088-07-04' },
    });
  });

  it('CX.4 ISO without namespace: the universal id names the system (not an OID here, so a Switchboard URN)', () => {
    expect(fromFragment('cx-identifier-system-iso-no-cx-4-1')?.system).toBe('urn:switchboard:id:testcx42');
    expect(fromFragment('cx-identifier-system-uuid-no-cx-4-1')?.system).toBe('urn:switchboard:id:testcx42');
    expect(fromFragment('cx-identifier-system-iso-no-cx-4-2')?.system).toBe('urn:switchboard:id:testcx41');
  });

  it('codes of table 0203 get the v2-0203 system (cx-5: ACSN)', () => {
    expect(fromFragment('cx-5')?.type).toEqual({
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }],
    });
  });
});

describe('assigning authority -> system', () => {
  it('an ISO OID becomes urn:oid:, a UUID urn:uuid:, a namespace a Switchboard URN', () => {
    const id = (text: string) => cxToIdentifier(valueFromText(text), ctx())?.system;
    expect(id('PATID1234^^^NIST MPI&2.16.840.1.113883.3.72.5.30.2&ISO^MR')).toBe(
      'urn:oid:2.16.840.1.113883.3.72.5.30.2',
    );
    expect(id('1^^^&6F9619FF-8B86-D011-B42D-00C04FC964FF&UUID')).toBe(
      'urn:uuid:6f9619ff-8b86-d011-b42d-00c04fc964ff',
    );
    expect(id('2590157853^^^SIMULATOR MRN^MRN')).toBe('urn:switchboard:id:SIMULATOR%20MRN');
  });

  it('the identifierSystems option wins, by namespace id or universal id', () => {
    const c = ctx({
      'SIMULATOR MRN': 'https://sim.example/mrn',
      '2.16.840.1.113883.4.1': 'http://hl7.org/fhir/sid/us-ssn',
    });
    expect(cxToIdentifier(valueFromText('2590157853^^^SIMULATOR MRN^MRN'), c)?.system).toBe(
      'https://sim.example/mrn',
    );
    expect(cxToIdentifier(valueFromText('111111111^^^SSN&2.16.840.1.113883.4.1&ISO^SS'), c)?.system).toBe(
      'http://hl7.org/fhir/sid/us-ssn',
    );
  });

  it('an identifier without CX.4 is the sender facility’s, per type, so MR 1 and SS 1 never meet', () => {
    expect(cxToIdentifier(valueFromText('123^^^^MR'), ctx())?.system).toBe('urn:switchboard:id:SENDFAC/MR');
    expect(cxToIdentifier(valueFromText('123^^^^SS'), ctx())?.system).toBe('urn:switchboard:id:SENDFAC/SS');
    expect(cxToIdentifier(valueFromText('151'), ctx())?.system).toBe('urn:switchboard:id:SENDFAC');
  });

  it('no CX.1, no identifier; HL7 null "" counts as absent', () => {
    expect(cxToIdentifier(valueFromText('^^^MRN^MR'), ctx())).toBeUndefined();
    expect(cxToIdentifier(valueFromText('""^^^MRN^MR'), ctx())).toBeUndefined();
  });

  it('rejects a malformed identifierSystems option with every problem', () => {
    expect(() => createIdentifierSystemTable({ a: 'not a uri', b: 3 })).toThrow(
      /identifierSystems\.a.*identifierSystems\.b/,
    );
  });
});
