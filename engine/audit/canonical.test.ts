import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.ts';

describe('canonicalJson', () => {
  it('sorts keys at every level and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
  });
  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: 'é"\n' })).toBe(canonicalJson({ y: 'é"\n', x: 1 }));
  });
  it('refuses what JSON cannot round-trip', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined/);
  });
});
