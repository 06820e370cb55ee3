/**
 * What the admin API shows of a deployed channel: its status from the ChannelManager joined with the
 * counters from the store (engine/store/channel-stats.ts), and for one channel its spec with secrets
 * masked and its destination queues. Plain JSON values (dates as ISO strings), counts only.
 */
import path from 'node:path';
import {
  channelCounters,
  destinationCounters,
  destinationKey,
  destinationQueues,
  EMPTY_CHANNEL_COUNTERS,
  EMPTY_DESTINATION_COUNTERS,
} from '../store/channel-stats.ts';
import type { SqlQueryable } from '../db/sql.ts';
import type { ChannelManager, ChannelState, ChannelStatus } from './channel-manager.ts';
import { maskSecrets } from './mask-secrets.ts';

export interface DestinationView {
  readonly name: string;
  readonly type: string;
  readonly queued: number;
  readonly sent: number;
  readonly error: number;
}

export interface ChannelView {
  readonly id: string;
  readonly name: string;
  readonly state: ChannelState;
  readonly listener: string;
  readonly messageTypes: readonly string[];
  readonly counts: { received: number; filtered: number; processed: number; errored: number };
  readonly lastMessageAt: string | null;
  readonly destinations: readonly DestinationView[];
}

export interface DestinationDetailView extends DestinationView {
  readonly enabled: boolean;
  /** Deliveries waiting (due now or for a retry). */
  readonly queueDepth: number;
  readonly oldestQueuedAt: string | null;
  readonly oldestQueuedAgeSeconds: number | null;
  /** Out of attempts or refused for good; resend them from the message view. */
  readonly deadLettered: number;
}

export interface ChannelDetailView extends Omit<ChannelView, 'destinations'> {
  readonly description: string;
  readonly enabled: boolean;
  /** File name in the channel folder. */
  readonly file: string;
  /** As loaded (defaults filled in), secrets masked. */
  readonly spec: Record<string, unknown>;
  readonly destinations: readonly DestinationDetailView[];
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Every deployed channel with its counters: two grouped queries whatever the number of channels. */
export async function listChannelViews(db: SqlQueryable, channels: ChannelManager): Promise<ChannelView[]> {
  const [counters, deliveries] = await Promise.all([channelCounters(db), destinationCounters(db)]);
  return channels
    .status()
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((s) => view(s, counters, deliveries));
}

function view(
  s: ChannelStatus,
  counters: Awaited<ReturnType<typeof channelCounters>>,
  deliveries: Awaited<ReturnType<typeof destinationCounters>>,
): ChannelView {
  const c = counters.get(s.id) ?? EMPTY_CHANNEL_COUNTERS;
  return {
    id: s.id,
    name: s.name,
    state: s.state,
    listener: s.listener,
    messageTypes: s.messageTypes,
    counts: { received: c.received, filtered: c.filtered, processed: c.processed, errored: c.errored },
    lastMessageAt: iso(c.lastMessageAt),
    destinations: s.destinations.map((d) => ({
      name: d.name,
      type: d.type,
      ...(deliveries.get(destinationKey(s.id, d.name)) ?? EMPTY_DESTINATION_COUNTERS),
    })),
  };
}

/** One channel in full, or null when no such channel is deployed. */
export async function channelDetailView(
  db: SqlQueryable,
  channels: ChannelManager,
  id: string,
  now: Date = new Date(),
): Promise<ChannelDetailView | null> {
  const status = channels.status().find((s) => s.id === id);
  const spec = channels.spec(id);
  if (!status || !spec) return null;
  const [counters, deliveries, queues] = await Promise.all([
    channelCounters(db),
    destinationCounters(db),
    destinationQueues(db, id),
  ]);
  const base = view(status, counters, deliveries);
  const { file, ...rest } = spec;
  return {
    ...base,
    description: spec.description,
    enabled: spec.enabled,
    file: path.basename(file),
    spec: maskSecrets(rest) as Record<string, unknown>,
    destinations: base.destinations.map((d) => {
      const q = queues.find((x) => x.destination === d.name);
      const oldest = q?.oldestQueuedAt ?? null;
      return {
        ...d,
        enabled: spec.destinations.find((x) => x.name === d.name)?.enabled ?? true,
        queueDepth: q?.queued ?? 0,
        oldestQueuedAt: iso(oldest),
        oldestQueuedAgeSeconds:
          oldest === null ? null : Math.max(0, Math.floor((now.getTime() - oldest.getTime()) / 1000)),
        deadLettered: q?.deadLettered ?? 0,
      };
    }),
  };
}
