import { describe, expect, it } from 'vitest';
import { checkReferences } from './references.ts';

const PATIENT_URL = 'urn:uuid:2b1c9a52-3f0e-4d57-9a43-2f7c1e0b8d61';
const inBundle = new Map([[PATIENT_URL, 'Patient']]);

function encounterWith(subject: object, extra: object = {}) {
  return { resourceType: 'Encounter', status: 'planned', class: {}, subject, ...extra };
}

describe('checkReferences', () => {
  it('accepts urn:uuid of a Bundle entry, Type/id, absolute URLs, contained and logical references', () => {
    for (const subject of [
      { reference: PATIENT_URL },
      { reference: 'Patient/abc-1' },
      { reference: 'Patient/abc-1/_history/2' },
      { reference: 'https://fhir.example.org/r4/Patient/abc-1' },
      { identifier: { system: 'urn:x', value: '1' }, display: 'someone' },
      { reference: 'Patient/abc-1', type: 'Patient' },
    ]) {
      expect(checkReferences(encounterWith(subject), inBundle), JSON.stringify(subject)).toEqual([]);
    }
    const contained = encounterWith(
      { reference: '#p1' },
      { contained: [{ resourceType: 'Patient', id: 'p1' }] },
    );
    expect(checkReferences(contained, inBundle)).toEqual([]);
  });

  it('rejects every other form, naming the path and not the reference', () => {
    const cases: [object, RegExp][] = [
      [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, /not the fullUrl of any entry/],
      [{ reference: 'urn:uuid:2B1C9A52-3F0E-4D57-9A43-2F7C1E0B8D61' }, /lower-case urn:uuid/],
      [{ reference: 'urn:oid:1.2.3' }, /lower-case urn:uuid/],
      [{ reference: 'Patient?identifier=a|b' }, /neither urn:uuid/],
      [{ reference: 'MRN 12345' }, /neither urn:uuid/],
      [{ reference: 'Patient/' }, /neither urn:uuid/],
      [{ reference: 'Patientx/1' }, /unknown resource type Patientx/],
      [{ reference: '#nowhere' }, /contained/],
      [{ reference: 'Patient/1', type: 'Group' }, /Reference.type Group disagrees/],
    ];
    for (const [subject, message] of cases) {
      const issues = checkReferences(encounterWith(subject), inBundle);
      expect(issues, JSON.stringify(subject)).toHaveLength(1);
      expect(issues[0]!.path).toBe('Encounter.subject.reference');
      expect(issues[0]!.message).toMatch(message);
      expect(issues[0]!.message).not.toContain('12345');
    }
  });

  it('checks the target type against the element (targetProfile), in the Bundle and for Type/id', () => {
    const practitioner = new Map([[PATIENT_URL, 'Practitioner']]);
    expect(checkReferences(encounterWith({ reference: PATIENT_URL }), practitioner)[0]?.message).toMatch(
      /target is a Practitioner, not one of the types this element allows \(Patient, Group\)/,
    );
    expect(checkReferences(encounterWith({ reference: 'Observation/1' }), inBundle)).toHaveLength(1);
    // Provenance.target allows any resource.
    expect(
      checkReferences({ resourceType: 'Provenance', target: [{ reference: 'Observation/1' }] }, inBundle),
    ).toEqual([]);
  });

  it('finds references at any depth, with indexes', () => {
    const issues = checkReferences(
      {
        resourceType: 'Encounter',
        participant: [{ individual: { reference: 'Practitioner/1' } }, { individual: { reference: 'bad' } }],
        location: [{ location: { reference: 'Location/1' } }],
      },
      inBundle,
    );
    expect(issues.map((i) => i.path)).toEqual(['Encounter.participant[1].individual.reference']);
  });
});
