import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs } from './backoff.ts';

const policy = {
  maxAttempts: 5,
  backoff: 'exponential',
  initialDelayMs: 1000,
  maxDelayMs: 5000,
  jitter: false,
} as const;

describe('nextRetryDelayMs', () => {
  it('doubles up to the cap and stops at maxAttempts', () => {
    expect([1, 2, 3, 4].map((a) => nextRetryDelayMs(policy, a))).toEqual([1000, 2000, 4000, 5000]);
    expect(nextRetryDelayMs(policy, 5)).toBeNull();
  });

  it('keeps a fixed delay for fixed backoff', () => {
    expect(nextRetryDelayMs({ ...policy, backoff: 'fixed' }, 3)).toBe(1000);
  });

  it('jitters within ±20%', () => {
    const j = { ...policy, jitter: true };
    expect(nextRetryDelayMs(j, 1, () => 0)).toBe(800);
    expect(nextRetryDelayMs(j, 1, () => 1)).toBe(1200);
  });

  it('never retries when maxAttempts is 1', () => {
    expect(nextRetryDelayMs({ ...policy, maxAttempts: 1 }, 1)).toBeNull();
  });
});
