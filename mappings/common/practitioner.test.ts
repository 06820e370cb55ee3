import { describe, expect, it } from 'vitest';
import { segmentMapEnv } from '../adt/env.ts';
import { fieldPath, fieldValue } from '../datatypes/field.ts';
import { valueFromText } from '../datatypes/value.ts';
import { corpusMessage, mappingContext } from '../testing/fragments.ts';
import { validateFhirResource } from '../validation/validate-resource.ts';
import { dedupeEntries, EntryList } from './entries.ts';
import { practitionerReference, xcnToPractitioner } from './practitioner.ts';
import { practitionerRole } from './practitioner-role.ts';

const env = segmentMapEnv(corpusMessage('hl7/fhir-converter/ADT-A01-01.hl7'), mappingContext());
const PD1_4 = fieldPath('PD1-4');

describe('XCN -> Practitioner (IG XCN[Practitioner])', () => {
  it('maps PD1-4 of fhir-converter/ADT-A01-01 (88^Hippo^rold^H^V^Dr^MD^^TE^^^M10^DN)', () => {
    const mapped = xcnToPractitioner(fieldValue(env.message, PD1_4), env);
    expect(mapped?.entry.request).toEqual({
      method: 'PUT',
      url: 'Practitioner?identifier=urn%3Aswitchboard%3Aid%3ATE|88',
    });
    expect(mapped?.entry.resource).toEqual({
      resourceType: 'Practitioner',
      identifier: [
        {
          extension: [
            { url: 'http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit', valueString: 'M10' },
          ],
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'DN' }] },
          system: 'urn:switchboard:id:TE',
          value: '88',
        },
      ],
      name: [{ family: 'Hippo', given: ['rold', 'H'], prefix: ['Dr'], suffix: ['V'] }],
      qualification: [
        { code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0360', code: 'MD' }] } },
      ],
    });
    expect(mapped?.reference).toEqual({ reference: mapped?.fullUrl, display: 'Dr rold H Hippo V MD' });
    expect(validateFhirResource(mapped!.entry.resource!).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('XCN.9 through the identifierSystems option; XCN.10 name type -> use', () => {
    const ctx = segmentMapEnv(
      env.message,
      mappingContext({ identifierSystems: { NPI: 'http://hl7.org/fhir/sid/us-npi' } }),
    );
    const mapped = xcnToPractitioner(valueFromText('1234567893^Kildare^James^^^Dr^^^NPI^L^^^NPI'), ctx);
    expect(mapped?.key).toEqual({ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' });
    expect(mapped?.entry.resource?.name).toEqual([
      { use: 'official', family: 'Kildare', given: ['James'], prefix: ['Dr'] },
    ]);
  });

  it('no XCN.1: no resource, a display reference; nothing named: no reference', () => {
    const entries = new EntryList();
    expect(xcnToPractitioner(valueFromText('^Kildare^James'), env)).toBeNull();
    expect(practitionerReference(valueFromText('^Kildare^James'), env, entries)).toEqual({
      type: 'Practitioner',
      display: 'James Kildare',
    });
    expect(practitionerReference(valueFromText('^^^^^^^^^^^^MR'), env, entries)).toBeUndefined();
    expect(entries.toArray()).toEqual([]);
  });

  it('the same clinician named twice is one entry', () => {
    const entries = new EntryList();
    const a = practitionerReference(valueFromText('1210^ANES^MARK^B'), env, entries);
    const b = practitionerReference(valueFromText('1210^ANES^MARK'), env, entries);
    expect(a?.reference).toBe(b?.reference);
    expect(entries.toArray()).toHaveLength(1);
    expect(dedupeEntries([...entries.toArray(), ...entries.toArray()])).toHaveLength(1);
  });

  it('PractitionerRole keyed on practitioner and role code; valid', () => {
    const practitioner = xcnToPractitioner(valueFromText('1210^ANES^MARK'), env)!;
    const code = { coding: [{ system: 'http://snomed.info/sct', code: '446050000' }] };
    const one = practitionerRole({ practitioner, code });
    const again = practitionerRole({ practitioner, code });
    const other = practitionerRole({ practitioner });
    expect(one.fullUrl).toBe(again.fullUrl);
    expect(one.fullUrl).not.toBe(other.fullUrl);
    expect(one.entry.resource).toMatchObject({
      practitioner: { reference: practitioner.fullUrl },
      code: [code],
    });
    expect(validateFhirResource(one.entry.resource!).filter((i) => i.severity === 'error')).toEqual([]);
  });
});
