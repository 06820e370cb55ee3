import { describe, expect, it } from 'vitest';
import { CursorError, decodeCursor, encodeCursor, pageLinks } from './bundle-paging.ts';

describe('continuation tokens', () => {
  it('round-trip, and a token of one kind does not page the other', () => {
    const search = encodeCursor({ kind: 'search', afterId: 'a-1.b' });
    expect(search).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(search, 'search')).toEqual({ kind: 'search', afterId: 'a-1.b' });
    const history = encodeCursor({ kind: 'history', beforeVersion: 7 });
    expect(decodeCursor(history, 'history')).toEqual({ kind: 'history', beforeVersion: 7 });
    expect(() => decodeCursor(history, 'search')).toThrow(CursorError);
    expect(() => decodeCursor(search, 'history')).toThrow(CursorError);
  });

  it('rejects tokens this server did not issue', () => {
    const forged = Buffer.from(JSON.stringify({ s: "x' OR 1=1" })).toString('base64url');
    for (const token of ['', 'not base64!', forged, Buffer.from('[]').toString('base64url')]) {
      expect(() => decodeCursor(token, 'search'), token).toThrow(CursorError);
    }
    const historyOne = Buffer.from(JSON.stringify({ h: 1 })).toString('base64url');
    expect(() => decodeCursor(historyOne, 'history')).toThrow(CursorError);
  });
});

describe('pageLinks', () => {
  it('gives an absolute self link, and a next link that replaces the cursor', () => {
    const links = pageLinks(
      'http://h:1/fhir',
      'Encounter',
      [
        ['patient', 'Patient/p1'],
        ['_cursor', 'old'],
        ['_count', '2'],
      ],
      { kind: 'search', afterId: 'e9' },
    );
    expect(links[0]).toEqual({
      relation: 'self',
      url: 'http://h:1/fhir/Encounter?patient=Patient%2Fp1&_cursor=old&_count=2',
    });
    const next = new URL(links[1]!.url);
    expect(links[1]!.relation).toBe('next');
    expect(`${next.origin}${next.pathname}`).toBe('http://h:1/fhir/Encounter');
    expect([...next.searchParams]).toEqual([
      ['patient', 'Patient/p1'],
      ['_count', '2'],
      ['_cursor', encodeCursor({ kind: 'search', afterId: 'e9' })],
    ]);
  });

  it('has no next link on the last page and no query when there are no parameters', () => {
    expect(pageLinks('http://h/fhir', 'Patient/x/_history', [], null)).toEqual([
      { relation: 'self', url: 'http://h/fhir/Patient/x/_history' },
    ]);
  });
});
