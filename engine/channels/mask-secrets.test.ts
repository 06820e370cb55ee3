import { describe, expect, it } from 'vitest';
import { MASK, maskSecrets } from './mask-secrets.ts';

describe('maskSecrets', () => {
  it('masks secret-named fields at any depth and leaves the rest as it was', () => {
    const spec = {
      id: 'x',
      filters: [{ kind: 'fieldMatches', path: 'PID-3', pattern: '^A' }],
      transformers: [
        { kind: 'mapping', name: 'm', options: { clientSecret: 's1', nested: { password: 'p' } } },
      ],
      destinations: [
        { headers: { Authorization: 'Bearer t', 'x-api-key': 'k', 'Proxy-Authorization': 'b', Accept: 'a' } },
        { token: '', apiKey: null },
      ],
    };
    expect(maskSecrets(spec)).toEqual({
      id: 'x',
      filters: [{ kind: 'fieldMatches', path: 'PID-3', pattern: '^A' }],
      transformers: [
        { kind: 'mapping', name: 'm', options: { clientSecret: MASK, nested: { password: MASK } } },
      ],
      destinations: [
        { headers: { Authorization: MASK, 'x-api-key': MASK, 'Proxy-Authorization': MASK, Accept: 'a' } },
        { token: '', apiKey: null },
      ],
    });
    expect(spec.destinations[0]!.headers!.Authorization).toBe('Bearer t');
  });

  it('masks passwords and secret query parameters in URLs', () => {
    expect(maskSecrets('https://u:pw@h.example/p?access_token=abc&q=1')).toBe(
      `https://u:${MASK}@h.example/p?access_token=${MASK}&q=1`,
    );
    expect(maskSecrets('https://h.example/p?q=1')).toBe('https://h.example/p?q=1');
    expect(maskSecrets('not a url')).toBe('not a url');
  });
});
