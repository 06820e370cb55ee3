/**
 * Queue depth for the metrics scrape: queued deliveries per channel and destination, read from the
 * store on each scrape (one grouped statement on the partial `status = 'queued'` index), so the gauge
 * is the truth after a restart rather than a count kept in memory.
 */
import type { SqlQueryable } from '../db/sql.ts';

export interface QueuedCount {
  readonly channelId: string;
  readonly destination: string;
  readonly queued: number;
}

const QUEUED_BY_DESTINATION = `SELECT channel_id, destination, count(*)::int AS queued
  FROM deliveries WHERE status = 'queued'
  GROUP BY channel_id, destination`;

export async function queuedDeliveryCounts(db: SqlQueryable): Promise<QueuedCount[]> {
  const { rows } = await db.query<{ channel_id: string; destination: string; queued: number | string }>(
    QUEUED_BY_DESTINATION,
  );
  return rows.map((r) => ({ channelId: r.channel_id, destination: r.destination, queued: Number(r.queued) }));
}
