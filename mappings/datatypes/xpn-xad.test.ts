import { describe, expect, it } from 'vitest';
import { fragment } from '../testing/fragments.ts';
import { fieldPath, fieldValue } from './field.ts';
import { valueFromText } from './value.ts';
import { xadToAddress } from './xad.ts';
import { xpnToHumanNames } from './xpn.ts';

const NK1_2 = fieldPath('NK1-2');
const NK1_32 = fieldPath('NK1-32');

describe('XPN -> HumanName (IG XPN[HumanName], FN[HumanName])', () => {
  it('maps family, given, prefix, suffixes, use, FN extensions and XPN.12/13 period (xpn fragment)', () => {
    const names = xpnToHumanNames(
      fieldValue(fragment('xpn/xpn-to-humanname-xpn12-13-populated-xpn10-empty.hl7'), NK1_2),
    );
    expect(names).toEqual([
      {
        family: 'BEETHOVEN',
        _family: {
          extension: [
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix', valueString: 'VAN' },
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-name', valueString: 'BEETHOVEN' },
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-partner-prefix', valueString: 'VAL' },
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-partner-name', valueString: 'ROGER' },
          ],
        },
        given: ['LUDWIG', 'B'],
        prefix: ['DR'],
        suffix: ['2ND', 'MD', 'MD'],
        period: { start: '2022-05-01T10:25:31-04:00', end: '2023-05-01T10:25:31-04:00' },
      },
    ]);
  });

  it('uses XPN.10 (DR) for the period only when XPN.12/13 are empty', () => {
    const [name] = xpnToHumanNames(
      fieldValue(fragment('xpn/xpn-to-humanname-xpn10-populated-xpn12-13-empty.hl7'), NK1_2),
    );
    expect(name?.period).toEqual({ start: '2022-05-01T10:25:31-04:00', end: '2023-05-01T10:25:31-04:00' });
  });

  it('XPN.7 via NameType; XPN.15 "Called By" becomes a nickname', () => {
    expect(xpnToHumanNames(valueFromText('Lerr^Todd^G.^Jr^^^L^^^^^^^^Toddy'))).toEqual([
      { use: 'official', family: 'Lerr', given: ['Todd', 'G.'], suffix: ['Jr'] },
      { use: 'nickname', given: ['Toddy'] },
    ]);
    expect(xpnToHumanNames(valueFromText('^^^^^^L'))).toEqual([]);
  });
});

describe('XAD -> Address (IG XAD[Address], SAD[Address])', () => {
  it('maps lines, city, state, postal code, country, district, use and period (xad fragment, type H)', () => {
    expect(xadToAddress(fieldValue(fragment('xad/xad-to-address-type-h.hl7'), NK1_32))).toEqual({
      line: ['4861', '20TH AVE', '1', 'Other Designation', 'Adressee'],
      city: 'THUNDER MOUNTAIN',
      state: 'IG',
      postalCode: '99999',
      country: 'USA',
      district: 'County',
      use: 'home',
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-censusTract', valueString: '6059' },
      ],
      period: { start: '2022-05-01T10:25:31-04:00', end: '2023-05-01T10:25:31-04:00' },
    });
  });

  it('XAD.7 M and SH are a type, BA old, HV gets its extension', () => {
    // (the corpus's xad-to-address-type-m fragment actually carries H, so M is written out here)
    expect(xadToAddress(valueFromText('1 Main St^^Springfield^^^^M'))).toMatchObject({ type: 'postal' });
    expect(xadToAddress(valueFromText('1 Main St^^Springfield^^^^M'))?.use).toBeUndefined();
    expect(xadToAddress(fieldValue(fragment('xad/xad-to-address-type-ba.hl7'), NK1_32))?.use).toBe('old');
    expect(
      xadToAddress(fieldValue(fragment('xad/xad-to-address-type-hv.hl7'), NK1_32))?.extension?.[0],
    ).toEqual({
      url: 'http://hl7.org/fhir/StructureDefinition/iso21090-AD-use',
      valueCode: 'HV',
    });
  });

  it('XAD.12 gives the period only when XAD.13/14 are empty', () => {
    const uses12 = xadToAddress(fieldValue(fragment('xad/xad-to-address-uses-xad12.hl7'), NK1_32));
    expect(uses12?.period).toEqual({ start: '2022-05-01T10:25:31-04:00', end: '2023-05-01T10:25:31-04:00' });
  });

  it('no address part, no Address', () => {
    expect(xadToAddress(valueFromText('^^^^^^H'))).toBeUndefined();
  });
});
