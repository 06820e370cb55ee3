import { describe, expect, it } from 'vitest';
import type { FhirBundle } from '../../engine/fhir/types.ts';
import { assertValidBundle, bundleErrors, explainIssues, validateBundle } from './validate-bundle.ts';

const P = 'urn:uuid:2b1c9a52-3f0e-4d57-9a43-2f7c1e0b8d61';
const E = 'urn:uuid:2b1c9a52-3f0e-4d57-9a43-2f7c1e0b8d62';

function bundle(overrides: { patient?: object; encounter?: object } = {}): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: P,
        resource: {
          resourceType: 'Patient',
          gender: 'female',
          birthDate: '1980-01-01',
          ...overrides.patient,
        },
        request: { method: 'PUT', url: 'Patient?identifier=urn:x|1' },
      },
      {
        fullUrl: E,
        resource: {
          resourceType: 'Encounter',
          status: 'in-progress',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
          subject: { reference: P },
          ...overrides.encounter,
        },
        request: { method: 'PUT', url: 'Encounter?identifier=urn:x|v1' },
      },
    ],
  };
}

describe('validateBundle', () => {
  it('a valid transaction has no issues', () => {
    expect(validateBundle(bundle())).toEqual([]);
    expect(() => assertValidBundle(bundle())).not.toThrow();
  });

  it('combines structure (medplum), bindings and references, with the entry index', () => {
    const issues = validateBundle(
      bundle({
        patient: { birthDate: '1980-13-01', gender: 'F' },
        encounter: { subject: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' } },
      }),
    );
    expect(bundleErrors(issues).map((i) => `${i.entry} ${i.path}`)).toEqual([
      '0 Patient.birthDate',
      '0 Patient.gender',
      '1 Encounter.subject.reference',
    ]);
  });

  it('checks the Bundle: type, fullUrl present, unique and well formed, request present and matching', () => {
    const b = bundle();
    const entries = b.entry!;
    const bad: FhirBundle = {
      ...b,
      type: 'collection',
      entry: [
        { ...entries[0]!, fullUrl: undefined },
        { ...entries[1]!, request: undefined },
        { ...entries[1]!, fullUrl: E },
        { ...entries[0]!, fullUrl: 'Patient/1', request: { method: 'GET', url: 'Encounter/1' } },
      ],
    };
    const issues = validateBundle(bad).filter((i) => i.path !== 'Encounter.subject.reference');
    expect(issues.map((i) => `${i.entry} ${i.path}: ${i.message}`)).toEqual([
      'null Bundle.type: a mapping yields a transaction Bundle',
      '0 fullUrl: entry has no fullUrl',
      '1 request: entry has no request',
      '2 fullUrl: fullUrl repeats an earlier entry',
      '3 fullUrl: fullUrl is neither a lower-case urn:uuid nor a URL',
      '3 request.method: a transaction entry of a mapping is PUT or POST',
      "3 request.url: request.url names another type than the entry's resource",
    ]);
  });

  it('assertValidBundle throws the explanation: entry, path and message, never the values', () => {
    const b = bundle({ patient: { gender: 'SECRET-VALUE', birthDate: '19801301' } });
    expect(() => assertValidBundle(b)).toThrow(
      /^FHIR validation failed \(2 errors\): entry\[0\] Patient\.birthDate: Invalid date format; entry\[0\] Patient\.gender: not a code of http:\/\/hl7\.org\/fhir\/ValueSet\/administrative-gender$/,
    );
    expect(explainIssues(validateBundle(b))).not.toMatch(/SECRET|19801301/);
  });
});
