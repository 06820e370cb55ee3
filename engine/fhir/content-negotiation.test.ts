import { describe, expect, it } from 'vitest';
import { FHIR_JSON_TYPE, negotiateFhirJson, PLAIN_JSON_TYPE } from './content-negotiation.ts';

describe('negotiateFhirJson', () => {
  it('serves FHIR JSON by default and to */*, plain JSON to a client asking only for it', () => {
    expect(negotiateFhirJson(undefined, undefined)).toBe(FHIR_JSON_TYPE);
    expect(negotiateFhirJson('*/*', undefined)).toBe(FHIR_JSON_TYPE);
    expect(negotiateFhirJson('application/fhir+json;q=0.9, application/json', undefined)).toBe(
      FHIR_JSON_TYPE,
    );
    expect(negotiateFhirJson('application/json', undefined)).toBe(PLAIN_JSON_TYPE);
    expect(negotiateFhirJson('text/html, application/*;q=0.5', undefined)).toBe(FHIR_JSON_TYPE);
  });

  it('refuses XML and lets _format override Accept', () => {
    expect(negotiateFhirJson('application/fhir+xml', undefined)).toBeNull();
    expect(negotiateFhirJson('application/fhir+json;q=0, application/xml', undefined)).toBeNull();
    expect(negotiateFhirJson('application/fhir+xml', 'json')).toBe(FHIR_JSON_TYPE);
    expect(negotiateFhirJson(undefined, 'application/fhir json')).toBe(FHIR_JSON_TYPE);
    expect(negotiateFhirJson(undefined, 'xml')).toBeNull();
  });
});
