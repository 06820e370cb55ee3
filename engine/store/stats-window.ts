/**
 * Time windows and bucket sizes of GET /api/stats. Buckets are aligned to the Unix epoch (so an hour
 * bucket starts on the hour, UTC) and the last one holds now: a window of 24h in 1h buckets is the 24
 * buckets ending with the current hour.
 */
import type { SeriesWindow } from './channel-stats.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const STATS_WINDOWS = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY } as const;
export const STATS_BUCKETS = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '1d': DAY,
} as const;

export type StatsWindowName = keyof typeof STATS_WINDOWS;
export type StatsBucketName = keyof typeof STATS_BUCKETS;

/** The bucket a window gets when none is asked for: a chart of a few dozen points. */
export const DEFAULT_BUCKET: Readonly<Record<StatsWindowName, StatsBucketName>> = {
  '1h': '5m',
  '24h': '1h',
  '7d': '6h',
};

/** More points than this make no chart better (7d in 5m buckets is exactly this). */
export const MAX_BUCKETS = 2016;

/** The window's buckets, or why that combination is refused. */
export function statsWindow(
  window: StatsWindowName,
  bucket: StatsBucketName,
  now: Date = new Date(),
): SeriesWindow | { error: string } {
  const windowMs = STATS_WINDOWS[window];
  const bucketMs = STATS_BUCKETS[bucket];
  if (bucketMs > windowMs) return { error: `bucket ${bucket} is longer than window ${window}` };
  const buckets = windowMs / bucketMs;
  if (buckets > MAX_BUCKETS) {
    return { error: `window ${window} in ${bucket} buckets is ${buckets} points; at most ${MAX_BUCKETS}` };
  }
  const end = Math.floor(now.getTime() / bucketMs) * bucketMs + bucketMs;
  return { start: new Date(end - windowMs), bucketMs, buckets };
}
