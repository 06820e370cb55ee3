import { describe, expect, it } from 'vitest';
import { encodeCursor } from './bundle-paging.ts';
import {
  FhirSearchError,
  MAX_COUNT,
  parseSearch,
  splitEscaped,
  unescapeSearch,
  wantsLenient,
  type ParsedSearch,
} from './fhir-search.ts';
import { parseHistoryQuery } from './history-query.ts';
import { supportedType, type SupportedType } from './search-params.ts';

const BASE = 'https://fhir.example.org/fhir';
const type = (name: string): SupportedType => supportedType(name)!;
const parse = (name: string, query: string, lenient = false): ParsedSearch =>
  parseSearch(type(name), [...new URLSearchParams(query)], { lenient, base: BASE });
const fails = (name: string, query: string): string => {
  try {
    parse(name, query);
  } catch (err) {
    expect(err).toBeInstanceOf(FhirSearchError);
    return (err as Error).message;
  }
  throw new Error(`${query} was accepted`);
};

describe('escapes', () => {
  it('splits on unescaped separators only and unescapes afterwards', () => {
    expect(splitEscaped('a,b\\,c,d', ',')).toEqual(['a', 'b\\,c', 'd']);
    expect(splitEscaped('sys\\|tem|val|ue', '|', 2)).toEqual(['sys\\|tem', 'val|ue']);
    expect(unescapeSearch('a\\,b\\|c\\$d\\\\e')).toEqual('a,b|c$d\\e');
  });
});

describe('identifier', () => {
  it('reads system|value, |value, value and system|', () => {
    expect(parse('Patient', 'identifier=urn:mrn|123').filters).toEqual([
      { kind: 'identifier', anyOf: [{ kind: 'system-value', system: 'urn:mrn', value: '123' }] },
    ]);
    expect(parse('Patient', 'identifier=|123').filters[0]).toEqual({
      kind: 'identifier',
      anyOf: [{ kind: 'no-system', value: '123' }],
    });
    expect(parse('Patient', 'identifier=123').filters[0]).toEqual({
      kind: 'identifier',
      anyOf: [{ kind: 'any-system', value: '123' }],
    });
    expect(parse('Patient', 'identifier=urn:mrn|').filters[0]).toEqual({
      kind: 'identifier',
      anyOf: [{ kind: 'system-only', system: 'urn:mrn' }],
    });
  });

  it('ORs comma-separated values, ANDs repeated parameters, keeps escaped separators', () => {
    const s = parse('Patient', 'identifier=a|1,b|2&identifier=c\\|d|3\\,4');
    expect(s.filters).toEqual([
      {
        kind: 'identifier',
        anyOf: [
          { kind: 'system-value', system: 'a', value: '1' },
          { kind: 'system-value', system: 'b', value: '2' },
        ],
      },
      { kind: 'identifier', anyOf: [{ kind: 'system-value', system: 'c|d', value: '3,4' }] },
    ]);
  });

  it('rejects a bare | and modifiers', () => {
    expect(fails('Patient', 'identifier=|')).toMatch(/neither a system nor a value/);
    expect(fails('Patient', 'identifier:of-type=x|MR|1')).toMatch(/modifier :of-type/);
  });
});

describe('references', () => {
  it('takes Type/id, a bare id (looked up among the target types) and absolute URLs of this server', () => {
    expect(parse('Encounter', 'patient=Patient/p1').filters).toEqual([
      { kind: 'reference', param: 'patient', paths: ['subject'], anyOf: [{ types: ['Patient'], id: 'p1' }] },
    ]);
    expect(parse('Encounter', 'subject=p1').filters[0]).toMatchObject({
      anyOf: [{ types: ['Patient', 'Group'], id: 'p1' }],
    });
    expect(parse('Encounter', `subject=${BASE}/Patient/p1`).filters[0]).toMatchObject({
      anyOf: [{ types: ['Patient'], id: 'p1' }],
    });
    expect(parse('Observation', 'encounter=e1,Encounter/e2').filters[0]).toEqual({
      kind: 'reference',
      param: 'encounter',
      paths: ['encounter'],
      anyOf: [
        { types: ['Encounter'], id: 'e1' },
        { types: ['Encounter'], id: 'e2' },
      ],
    });
    expect(parse('AllergyIntolerance', 'patient=p1').filters[0]).toMatchObject({ paths: ['patient'] });
  });

  it('narrows a bare id with a :Type modifier', () => {
    expect(parse('Encounter', 'subject:Patient=p1').filters[0]).toMatchObject({
      anyOf: [{ types: ['Patient'], id: 'p1' }],
    });
    expect(fails('Encounter', 'subject:Device=p1')).toMatch(/cannot reference Device/);
  });

  it('rejects wrong target types, other servers, versions and bad ids', () => {
    expect(fails('Encounter', 'patient=Group/g1')).toMatch(/must reference Patient, not Group/);
    expect(fails('Encounter', 'subject=https://elsewhere.org/fhir/Patient/p1')).toMatch(/this server/);
    expect(fails('Encounter', 'subject=Patient/p1/_history/2')).toMatch(/version-specific/);
    expect(fails('Encounter', 'subject=not an id')).toMatch(/neither Type\/id nor a FHIR id/);
    expect(fails('Encounter', 'patient:missing=true')).toMatch(/modifier :missing/);
  });

  it('offers encounter= only where the resource has one', () => {
    expect(fails('Encounter', 'encounter=e1')).toMatch(/"encounter" is not supported/);
    expect(fails('Patient', 'patient=p1')).toMatch(/"patient" is not supported/);
  });
});

describe('_id and _lastUpdated', () => {
  it('reads a comma list of ids and rejects malformed ones', () => {
    expect(parse('Patient', '_id=a,b-1.2').filters).toEqual([{ kind: 'id', ids: ['a', 'b-1.2'] }]);
    expect(fails('Patient', '_id=a/b')).toMatch(/not a FHIR id/);
  });

  it('reads prefixes and repeats for a range', () => {
    const s = parse('Encounter', '_lastUpdated=ge2024-05-01&_lastUpdated=lt2024-06-01T12:00:00Z');
    expect(s.filters).toEqual([
      {
        kind: 'lastUpdated',
        anyOf: [{ prefix: 'ge', start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' }],
      },
      {
        kind: 'lastUpdated',
        anyOf: [{ prefix: 'lt', start: '2024-06-01T12:00:00.000Z', end: '2024-06-01T12:00:01.000Z' }],
      },
    ]);
    expect(fails('Patient', '_lastUpdated=2024-13-01')).toMatch(/_lastUpdated: month 13/);
    expect(fails('Patient', '_lastUpdated=ap2024')).toMatch(/ap \(approximately\)/);
  });
});

describe('result parameters', () => {
  it('defaults _count to 20, caps it at 200, accepts 0, rejects non-numbers and repeats', () => {
    expect(parse('Patient', '').count).toBe(20);
    expect(parse('Patient', '_count=5').count).toBe(5);
    expect(parse('Patient', '_count=0').count).toBe(0);
    const capped = parse('Patient', '_count=100000');
    expect(capped.count).toBe(MAX_COUNT);
    expect(capped.params).toEqual([['_count', String(MAX_COUNT)]]);
    expect(fails('Patient', '_count=-1')).toMatch(/whole number/);
    expect(fails('Patient', '_count=ten')).toMatch(/whole number/);
    expect(fails('Patient', '_count=1&_count=2')).toMatch(/only once/);
  });

  it('reads _total and a continuation token', () => {
    expect(parse('Patient', '').total).toBe('counted');
    expect(parse('Patient', '_total=none').total).toBe('none');
    expect(parse('Patient', '_total=estimate').total).toBe('counted');
    expect(parse('Patient', '_total=accurate').total).toBe('accurate');
    expect(fails('Patient', '_total=some')).toMatch(/_total/);
    const token = encodeCursor({ kind: 'search', afterId: 'abc' });
    expect(parse('Patient', `_cursor=${token}`).afterId).toBe('abc');
    expect(fails('Patient', '_cursor=garbage!')).toMatch(/continuation token/);
    const historyToken = encodeCursor({ kind: 'history', beforeVersion: 3 });
    expect(fails('Patient', `_cursor=${historyToken}`)).toMatch(/continuation token/);
  });

  it('ignores empty values and records names (never values) in order without repeats', () => {
    const s = parse('Encounter', 'identifier=&patient=p1&_count=3&patient=p2&subject:Patient=p3');
    expect(s.filters).toHaveLength(3);
    expect(s.names).toEqual(['patient', '_count', 'subject']);
    expect(s.params).toEqual([
      ['patient', 'p1'],
      ['_count', '3'],
      ['patient', 'p2'],
      ['subject:Patient', 'p3'],
    ]);
  });

  it('bounds the number of OR-ed values', () => {
    const many = Array.from({ length: 101 }, (_, i) => `id${i}`).join(',');
    expect(fails('Patient', `_id=${many}`)).toMatch(/at most 100/);
  });
});

describe('strict and lenient handling', () => {
  it('rejects an unknown parameter naming it, by default', () => {
    expect(fails('Patient', 'name=SMITH')).toMatch(/search parameter "name" is not supported/);
    expect(fails('Patient', '_sort=_lastUpdated')).toMatch(/"_sort" is not supported/);
  });

  it('ignores and reports unknown parameters and modifiers when lenient, but not bad values', () => {
    const s = parse('Patient', 'name=SMITH&identifier:text=x&_id=p1', true);
    expect(s.filters).toEqual([{ kind: 'id', ids: ['p1'] }]);
    expect(s.params).toEqual([['_id', 'p1']]);
    expect(s.ignored).toEqual([
      'search parameter "name" is not supported',
      'modifier :text on identifier is not supported',
    ]);
    expect(() => parse('Patient', '_id=a/b', true)).toThrow(FhirSearchError);
  });

  it('reads Prefer: handling=lenient', () => {
    expect(wantsLenient('handling=lenient')).toBe(true);
    expect(wantsLenient('return=minimal, handling=lenient')).toBe(true);
    expect(wantsLenient('handling=strict')).toBe(false);
    expect(wantsLenient(undefined)).toBe(false);
  });
});

describe('history query', () => {
  it('reads _count, _since and a history token; rejects search parameters', () => {
    const token = encodeCursor({ kind: 'history', beforeVersion: 4 });
    const q = parseHistoryQuery(
      [...new URLSearchParams(`_count=2&_since=2024-05-01T10:00:00%2B02:00&_cursor=${token}`)],
      { lenient: false },
    );
    expect(q).toMatchObject({ count: 2, since: '2024-05-01T08:00:00.000Z', beforeVersion: 4 });
    expect(() => parseHistoryQuery([['identifier', 'x']], { lenient: false })).toThrow(
      /not supported on _history/,
    );
    expect(parseHistoryQuery([['identifier', 'x']], { lenient: true }).ignored).toHaveLength(1);
    expect(() => parseHistoryQuery([['_since', 'ge2024-01-01']], { lenient: false })).toThrow(/_since/);
  });
});
