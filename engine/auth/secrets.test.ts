import { describe, expect, it } from 'vitest';
import { hashSecret, newOpaqueToken, parseOpaqueToken, sameHash } from './secrets.ts';

describe('opaque tokens', () => {
  it('parses what it makes, whatever the secret holds (base64url may contain _ and -)', () => {
    for (let i = 0; i < 50; i++) {
      const t = newOpaqueToken('sb');
      expect(t.token).toBe(`sb_${t.id}_${t.secret}`);
      expect(parseOpaqueToken('sb', t.token)).toEqual({ id: t.id, secret: t.secret });
    }
  });

  it('rejects another prefix and malformed tokens', () => {
    const t = newOpaqueToken('sb');
    expect(parseOpaqueToken('sbr', t.token)).toBeNull();
    expect(parseOpaqueToken('sb', `${t.token}x`)).toBeNull();
    expect(parseOpaqueToken('sb', `sb_${t.id}`)).toBeNull();
    expect(parseOpaqueToken('sb', '')).toBeNull();
  });

  it('compares hashes by value', () => {
    expect(sameHash(hashSecret('a'), hashSecret('a'))).toBe(true);
    expect(sameHash(hashSecret('a'), hashSecret('b'))).toBe(false);
    expect(sameHash(hashSecret('a'), new Uint8Array(3))).toBe(false);
  });
});
