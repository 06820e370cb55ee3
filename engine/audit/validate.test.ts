import { describe, expect, it } from 'vitest';
import { validateEntry } from './validate.ts';

describe('validateEntry', () => {
  it('accepts ids and codes', () => {
    expect(() =>
      validateEntry({
        actor: 'system',
        action: 'channel.state',
        detail: { to: 'stopped', n: 1, ok: true, x: null },
      }),
    ).not.toThrow();
  });
  it('refuses what could not be stored exactly or is not in the vocabulary', () => {
    expect(() => validateEntry({ actor: '', action: 'login' })).toThrow(/actor/);
    expect(() => validateEntry({ actor: 'a\u0000', action: 'login' })).toThrow(/NUL/);
    expect(() => validateEntry({ actor: 'a\ud800', action: 'login' })).toThrow(/Unicode/);
    expect(() => validateEntry({ actor: 'a', action: 'drop.table' as 'login' })).toThrow(
      /unknown audit action/,
    );
    expect(() =>
      validateEntry({ actor: 'a', action: 'login', detail: { nested: {} as unknown as string } }),
    ).toThrow(/detail.nested/);
    expect(() => validateEntry({ actor: 'a', action: 'login', detail: { n: Infinity } })).toThrow(/finite/);
  });
});
