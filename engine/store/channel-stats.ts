/**
 * Counts behind the admin API's channel list, channel detail and time series: a few grouped queries
 * over channel_results, deliveries and delivery_attempts for all channels at once, never a query per
 * channel or per message. Indexes in engine/db/migrations/007_channel_stats.sql. Counts only: no
 * message content is read.
 */
import type { SqlQueryable } from '../db/sql.ts';

export interface ChannelCounters {
  /** Messages that reached the channel (its latest run), whatever came of them. */
  readonly received: number;
  readonly filtered: number;
  /** Transformed and queued for its destinations. */
  readonly processed: number;
  readonly errored: number;
  /** When the channel last recorded a result. */
  readonly lastMessageAt: Date | null;
}

export interface DestinationCounters {
  readonly queued: number;
  readonly sent: number;
  /** Dead-lettered: out of attempts, or refused for good. */
  readonly error: number;
}

export interface DestinationQueue {
  readonly destination: string;
  readonly queued: number;
  readonly oldestQueuedAt: Date | null;
  readonly deadLettered: number;
}

export const EMPTY_CHANNEL_COUNTERS: ChannelCounters = Object.freeze({
  received: 0,
  filtered: 0,
  processed: 0,
  errored: 0,
  lastMessageAt: null,
});
export const EMPTY_DESTINATION_COUNTERS: DestinationCounters = Object.freeze({
  queued: 0,
  sent: 0,
  error: 0,
});

const num = (v: string | number | null | undefined): number =>
  v === null || v === undefined ? 0 : Number(v);

/**
 * Per channel, results of each message's latest run only (a reprocessed message counts once, as it
 * came out last time). Every result is counted once, then the few superseded by a reprocess are taken
 * off: only messages with processing_runs > 1 can have those, found by a small partial index.
 */
const CHANNEL_COUNTERS = `
  WITH totals AS (
    SELECT channel_id, status, count(*) AS n, max(at) AS last_at
    FROM channel_results GROUP BY channel_id, status
  ), superseded AS (
    SELECT r.channel_id, r.status, count(*) AS n
    FROM messages m JOIN channel_results r ON r.message_id = m.id
    WHERE m.processing_runs > 1
      AND r.run < (SELECT max(x.run) FROM channel_results x WHERE x.message_id = m.id)
    GROUP BY r.channel_id, r.status
  )
  SELECT t.channel_id, t.status, (t.n - COALESCE(s.n, 0))::text AS n, t.last_at
  FROM totals t LEFT JOIN superseded s ON s.channel_id = t.channel_id AND s.status = t.status`;

export async function channelCounters(db: SqlQueryable): Promise<Map<string, ChannelCounters>> {
  const { rows } = await db.query<{ channel_id: string; status: string; n: string; last_at: Date | null }>(
    CHANNEL_COUNTERS,
  );
  const out = new Map<string, ChannelCounters>();
  for (const r of rows) {
    const c = out.get(r.channel_id) ?? EMPTY_CHANNEL_COUNTERS;
    const n = num(r.n);
    const last = c.lastMessageAt === null || (r.last_at !== null && r.last_at > c.lastMessageAt);
    out.set(r.channel_id, {
      received: c.received + n,
      filtered: c.filtered + (r.status === 'filtered' ? n : 0),
      processed: c.processed + (r.status === 'transformed' ? n : 0),
      errored: c.errored + (r.status === 'error' ? n : 0),
      lastMessageAt: last ? r.last_at : c.lastMessageAt,
    });
  }
  return out;
}

export function destinationKey(channelId: string, destination: string): string {
  return `${channelId}\u0000${destination}`;
}

/** Deliveries of every run by channel, destination and status; keyed by destinationKey(). */
export async function destinationCounters(db: SqlQueryable): Promise<Map<string, DestinationCounters>> {
  const { rows } = await db.query<{ channel_id: string; destination: string; status: string; n: string }>(
    `SELECT channel_id, destination, status, count(*)::text AS n
     FROM deliveries GROUP BY channel_id, destination, status`,
  );
  const out = new Map<string, DestinationCounters>();
  for (const r of rows) {
    const key = destinationKey(r.channel_id, r.destination);
    const c = out.get(key) ?? EMPTY_DESTINATION_COUNTERS;
    const n = num(r.n);
    out.set(key, {
      queued: c.queued + (r.status === 'queued' ? n : 0),
      sent: c.sent + (r.status === 'sent' ? n : 0),
      error: c.error + (r.status === 'error' ? n : 0),
    });
  }
  return out;
}

/** Queue depth, oldest queued delivery and dead letters of each destination of one channel. */
export async function destinationQueues(db: SqlQueryable, channelId: string): Promise<DestinationQueue[]> {
  const { rows } = await db.query<{
    destination: string;
    queued: string;
    oldest: Date | null;
    dead: string;
  }>(
    `SELECT destination,
       count(*) FILTER (WHERE status = 'queued')::text AS queued,
       min(created_at) FILTER (WHERE status = 'queued') AS oldest,
       count(*) FILTER (WHERE status = 'error')::text AS dead
     FROM deliveries WHERE channel_id = $1 AND status IN ('queued', 'error')
     GROUP BY destination ORDER BY destination`,
    [channelId],
  );
  return rows.map((r) => ({
    destination: r.destination,
    queued: num(r.queued),
    oldestQueuedAt: r.oldest,
    deadLettered: num(r.dead),
  }));
}

export interface SeriesWindow {
  /** Start of the first bucket (inclusive). */
  readonly start: Date;
  readonly bucketMs: number;
  readonly buckets: number;
}

export interface SeriesPoint {
  received: number;
  filtered: number;
  processed: number;
  errored: number;
  /** Delivery attempts that succeeded / failed (a failure that is retried counts each time). */
  deliveriesSent: number;
  deliveryErrors: number;
}

export function emptyPoint(): SeriesPoint {
  return { received: 0, filtered: 0, processed: 0, errored: 0, deliveriesSent: 0, deliveryErrors: 0 };
}

/**
 * Counts per channel and bucket over [start, start + buckets * bucketMs): channel results by their
 * `at` (every run: a reprocess is activity when it happens) and delivery attempts by theirs. Buckets
 * are numbered from 0; the map holds only channels with activity, each with a dense array of points.
 */
export async function channelSeries(db: SqlQueryable, w: SeriesWindow): Promise<Map<string, SeriesPoint[]>> {
  const startMs = w.start.getTime();
  const end = new Date(startMs + w.buckets * w.bucketMs);
  const bucket = `floor((date_part('epoch', %s) * 1000 - $1::float8) / $2::float8)::int`;
  const params = [startMs, w.bucketMs, w.start, end];
  const results = await db.query<{ channel_id: string; b: number; status: string; n: string }>(
    `SELECT channel_id, ${bucket.replace('%s', 'at')} AS b, status, count(*)::text AS n
     FROM channel_results WHERE at >= $3 AND at < $4 GROUP BY 1, 2, 3`,
    params,
  );
  const attempts = await db.query<{ channel_id: string; b: number; ok: boolean; n: string }>(
    `SELECT (SELECT d.channel_id FROM deliveries d WHERE d.id = a.delivery_id) AS channel_id,
       ${bucket.replace('%s', 'a.at')} AS b, a.ok, count(*)::text AS n
     FROM delivery_attempts a WHERE a.at >= $3 AND a.at < $4 GROUP BY 1, 2, 3`,
    params,
  );
  const out = new Map<string, SeriesPoint[]>();
  const pointOf = (channelId: string, b: number): SeriesPoint | null => {
    if (!Number.isInteger(b) || b < 0 || b >= w.buckets) return null;
    let points = out.get(channelId);
    if (!points) {
      points = Array.from({ length: w.buckets }, emptyPoint);
      out.set(channelId, points);
    }
    return points[b]!;
  };
  for (const r of results.rows) {
    const p = pointOf(r.channel_id, Number(r.b));
    if (!p) continue;
    const n = num(r.n);
    p.received += n;
    if (r.status === 'filtered') p.filtered += n;
    else if (r.status === 'transformed') p.processed += n;
    else if (r.status === 'error') p.errored += n;
  }
  for (const r of attempts.rows) {
    const p = pointOf(r.channel_id, Number(r.b));
    if (!p) continue;
    if (r.ok) p.deliveriesSent += num(r.n);
    else p.deliveryErrors += num(r.n);
  }
  return out;
}
