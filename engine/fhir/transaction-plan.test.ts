import { describe, expect, it } from 'vitest';
import { conditionalUrl } from '../../mappings/bundle.ts';
import { canonicalJson } from './canonical.ts';
import { identifierResourceId, uuidV5 } from './ids.ts';
import { findReferences, rewriteReferences } from './references.ts';
import { FhirTransactionError, parseIdentifierQuery, planTransaction } from './transaction-plan.ts';

describe('conditional identifier queries', () => {
  it('round-trips system and value through escaping and URL encoding', () => {
    for (const [system, value] of [
      ['urn:oid:1.2.3', '123'],
      ['https://example.org/mrn?x=1&y=2', 'A|B,C$D\\E'],
      ['urn:switchboard:id:SIMULATOR%20MRN', 'x y'],
    ] as const) {
      const url = conditionalUrl('Patient', { system, value });
      expect(parseIdentifierQuery(url.slice(url.indexOf('?') + 1))).toEqual({ system, value });
    }
  });

  it('accepts only identifier=system|value', () => {
    expect(parseIdentifierQuery('identifier=123')).toBeNull();
    expect(parseIdentifierQuery('identifier=|123')).toBeNull();
    expect(parseIdentifierQuery('name=x')).toBeNull();
    expect(parseIdentifierQuery('identifier=a|1&name=x')).toBeNull();
  });
});

describe('planTransaction', () => {
  it('rejects what it cannot apply, naming the entry', () => {
    const bundle = (entry: unknown) =>
      ({ resourceType: 'Bundle', type: 'transaction', entry: [entry] }) as never;
    expect(() => planTransaction({ resourceType: 'Bundle', type: 'batch' })).toThrow(FhirTransactionError);
    expect(() =>
      planTransaction(
        bundle({ request: { method: 'PATCH', url: 'Patient/1' }, resource: { resourceType: 'Patient' } }),
      ),
    ).toThrow(/entry\[0\]: unsupported request PATCH/);
    expect(() =>
      planTransaction(
        bundle({ request: { method: 'PUT', url: 'Encounter/1' }, resource: { resourceType: 'Patient' } }),
      ),
    ).toThrow(/does not match resourceType/);
    expect(() =>
      planTransaction(
        bundle({
          request: { method: 'PUT', url: 'Patient/1' },
          resource: { resourceType: 'Patient', id: '2' },
        }),
      ),
    ).toThrow(/differs from the id/);
  });

  it('plans conditional updates, conditional creates and plain creates', () => {
    const plan = planTransaction({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient' },
          request: { method: 'PUT', url: 'Patient?identifier=urn:a|1' },
        },
        {
          resource: { resourceType: 'Patient' },
          request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:a|2' },
        },
        { resource: { resourceType: 'Basic' }, request: { method: 'POST', url: 'Basic' } },
      ],
    });
    expect(plan.map((p) => p.target)).toEqual([
      { kind: 'identifier', system: 'urn:a', value: '1', createOnly: false },
      { kind: 'identifier', system: 'urn:a', value: '2', createOnly: true },
      { kind: 'create' },
    ]);
  });
});

describe('references, canonical JSON, ids', () => {
  it('rewrites fullUrls, reports dangling urn: references, and lists Type/id references by path', () => {
    const encounter = {
      resourceType: 'Encounter',
      subject: { reference: 'urn:uuid:a' },
      participant: [
        { individual: { reference: 'Practitioner/p1' } },
        { individual: { reference: 'urn:uuid:zz' } },
      ],
    };
    const { resource, unresolved } = rewriteReferences(encounter, new Map([['urn:uuid:a', 'Patient/p']]));
    expect(resource.subject).toEqual({ reference: 'Patient/p' });
    expect(encounter.subject.reference).toBe('urn:uuid:a'); // the input is not touched
    expect(unresolved).toEqual(['urn:uuid:zz']);
    expect(findReferences(resource)).toEqual([
      { path: 'subject', targetType: 'Patient', targetId: 'p' },
      { path: 'participant.individual', targetType: 'Practitioner', targetId: 'p1' },
    ]);
  });

  it('canonical JSON ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"f":2}]},"b":1}',
    );
  });

  it('uuidV5 matches RFC 4122 (DNS namespace, www.example.com) and ids are stable per identifier', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(identifierResourceId('Patient', 'urn:a', '1')).toBe(identifierResourceId('Patient', 'urn:a', '1'));
    expect(identifierResourceId('Patient', 'urn:a', '1')).not.toBe(
      identifierResourceId('Encounter', 'urn:a', '1'),
    );
  });
});
