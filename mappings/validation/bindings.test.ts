import { describe, expect, it } from 'vitest';
import { checkBindings } from './bindings.ts';
import { VALUE_SET_CODES } from './value-sets.generated.ts';

const paths = (resource: { resourceType: string }) => checkBindings(resource).map((i) => i.path);

describe('checkBindings (required value sets)', () => {
  it('accepts the codes the mappings emit', () => {
    expect(
      checkBindings({
        resourceType: 'Patient',
        gender: 'female',
        identifier: [{ use: 'official', system: 'urn:x', value: '1' }],
        name: [{ use: 'maiden', family: 'X' }],
        telecom: [{ system: 'phone', use: 'home', value: '1' }],
        address: [{ use: 'home', type: 'postal' }],
        contact: [{ gender: 'male', name: { family: 'Y' } }],
        link: [{ type: 'replaced-by', other: { reference: 'Patient/1' } }],
      } as never),
    ).toEqual([]);
    expect(
      checkBindings({
        resourceType: 'Encounter',
        status: 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
        location: [{ status: 'completed', location: { display: 'W4' } }],
      } as never),
    ).toEqual([]);
  });

  it('reports each code outside its required value set, by path, without the value', () => {
    const issues = checkBindings({
      resourceType: 'Patient',
      gender: 'F',
      telecom: [{ system: 'phone' }, { system: 'tel', use: 'cell' }],
      contact: [{ gender: 'x' }],
      address: [{ use: 'home', type: 'street' }],
    } as never);
    expect(issues.map((i) => i.path)).toEqual([
      'Patient.gender',
      'Patient.telecom[1].system',
      'Patient.telecom[1].use',
      'Patient.contact[0].gender',
      'Patient.address[0].type',
    ]);
    expect(issues[0]).toEqual({
      severity: 'error',
      path: 'Patient.gender',
      message: 'not a code of http://hl7.org/fhir/ValueSet/administrative-gender',
    });
    expect(JSON.stringify(issues)).not.toMatch(/"F"|tel"|street/);
  });

  it('checks resource status and intent codes', () => {
    expect(paths({ resourceType: 'Observation', status: 'done', code: { text: 'x' } } as never)).toEqual([
      'Observation.status',
    ]);
    expect(
      paths({ resourceType: 'ServiceRequest', status: 'active', intent: 'orders', subject: {} } as never),
    ).toEqual(['ServiceRequest.intent']);
    expect(paths({ resourceType: 'DiagnosticReport', status: 'final', code: {} } as never)).toEqual([]);
    expect(paths({ resourceType: 'Specimen', status: 'ok' } as never)).toEqual(['Specimen.status']);
    expect(paths({ resourceType: 'Coverage', status: 'active' } as never)).toEqual([]);
    expect(paths({ resourceType: 'Procedure', status: 'done' } as never)).toEqual(['Procedure.status']);
  });

  it('a CodeableConcept under a required binding needs a coding of the value set (system and code)', () => {
    const system = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
    expect(
      paths({
        resourceType: 'AllergyIntolerance',
        clinicalStatus: {
          coding: [
            { system: 'urn:local', code: 'A' },
            { system, code: 'active' },
          ],
        },
        verificationStatus: { coding: [{ system, code: 'confirmed' }] },
        patient: {},
      } as never),
    ).toEqual(['AllergyIntolerance.verificationStatus']);
    expect(
      paths({ resourceType: 'Condition', clinicalStatus: { text: 'active' }, subject: {} } as never),
    ).toEqual(['Condition.clinicalStatus']);
  });

  it('walks choice types, backbone elements and contained resources', () => {
    expect(
      paths({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'x' },
        valueQuantity: { value: 1, comparator: '=' },
        component: [{ code: { text: 'c' }, valueQuantity: { comparator: '<' } }],
        contained: [{ resourceType: 'Patient', id: 'p', gender: 'X' }],
      } as never),
    ).toEqual(['Observation.valueQuantity.comparator', 'Observation.contained[0].gender']);
  });

  it('enforces ActEncounterCode for v3-ActCode codings of Encounter.class, other systems pass', () => {
    const enc = (system: string, code: string) => ({
      resourceType: 'Encounter',
      status: 'planned',
      class: { system, code },
    });
    expect(paths(enc('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'PRENC') as never)).toEqual([]);
    expect(paths(enc('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'ZZ') as never)).toEqual([
      'Encounter.class',
    ]);
    expect(paths(enc('http://terminology.hl7.org/CodeSystem/v2-0004', 'R') as never)).toEqual([]);
  });

  it('checks mime types and currencies by shape', () => {
    expect(
      paths({
        resourceType: 'DocumentReference',
        status: 'current',
        content: [{ attachment: { contentType: 'application/pdf' } }, { attachment: { contentType: 'pdf' } }],
      } as never),
    ).toEqual(['DocumentReference.content[1].attachment.contentType']);
  });

  it('has tables for the value sets the issue names', () => {
    for (const vs of [
      'administrative-gender',
      'encounter-status',
      'observation-status',
      'diagnostic-report-status',
      'request-status',
      'request-intent',
      'allergyintolerance-clinical',
      'condition-ver-status',
      'fm-status',
      'event-status',
      'specimen-status',
      'identifier-use',
      'name-use',
      'contact-point-system',
      'address-type',
    ]) {
      expect(VALUE_SET_CODES[`http://hl7.org/fhir/ValueSet/${vs}`], vs).toBeDefined();
    }
  });
});
