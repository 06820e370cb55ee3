import type { RetryPolicy } from '../channels/types.ts';

/**
 * When attempt `attempt` (1-based, just failed) should be followed by the next one, or null when
 * the policy is spent (dead-letter). Jitter (±20%) spreads retries of many deliveries that failed
 * together, so a recovering peer is not hit by all of them at once.
 */
export function nextRetryDelayMs(policy: RetryPolicy, attempt: number, random = Math.random): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const raw =
    policy.backoff === 'exponential' ? policy.initialDelayMs * 2 ** (attempt - 1) : policy.initialDelayMs;
  const capped = Math.min(policy.maxDelayMs, raw);
  if (!policy.jitter) return capped;
  return Math.max(0, Math.round(capped * (0.8 + 0.4 * random())));
}
