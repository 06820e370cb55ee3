import { describe, expect, it } from 'vitest';
import { callingAeAllowed, normalizeAddress } from './scp.ts';

describe('calling AE allow-list', () => {
  const allow = [{ aeTitle: 'CT1', host: '10.0.0.5' }, { aeTitle: 'ANYWHERE' }];

  it('accepts anyone with "any"', () => {
    expect(callingAeAllowed('any', 'WHOEVER', '192.0.2.1')).toBe(true);
  });

  it('matches the AE title, and the host when given (IPv4-mapped addresses unwrapped)', () => {
    expect(callingAeAllowed(allow, 'CT1', '::ffff:10.0.0.5')).toBe(true);
    expect(callingAeAllowed(allow, 'CT1', '10.0.0.6')).toBe(false);
    expect(callingAeAllowed(allow, 'ANYWHERE', '2001:db8::1')).toBe(true);
    expect(callingAeAllowed(allow, 'ct1', '10.0.0.5')).toBe(false);
    expect(callingAeAllowed([], 'CT1', '10.0.0.5')).toBe(false);
  });

  it('normalizes addresses', () => {
    expect(normalizeAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::1')).toBe('::1');
  });
});
