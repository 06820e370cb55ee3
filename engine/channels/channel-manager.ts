import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { SqlClient } from '../db/sql.ts';
import { DeliveryQueue, type DeliveryContextLookup } from '../dispatch/delivery-queue.ts';
import { createDestination } from '../destinations/create.ts';
import type { Destination } from '../destinations/types.ts';
import type { Logger } from '../log/logger.ts';
import type { Delivery, MessageStore } from '../store/types.ts';
import { compileChannel, type CompiledChannel } from './compile.ts';
import { matchesMessageType } from './filters.ts';
import type { ChannelSpec } from './types.ts';

/**
 * started - routed to, deliveries sent
 * paused  - routed to (messages are ACKed, processed, deliveries queued) but nothing is sent
 * stopped - not routed to: its message types are rejected (AR) unless another channel takes them
 */
export type ChannelState = 'started' | 'paused' | 'stopped';

interface RunningChannel {
  readonly compiled: CompiledChannel;
  readonly destinations: ReadonlyMap<string, { destination: Destination; queue: DeliveryQueue }>;
  state: ChannelState;
}

export interface ChannelManagerDeps {
  readonly store: MessageStore;
  readonly db: SqlClient;
  readonly logger: Logger;
  readonly lookup: DeliveryContextLookup;
  readonly baseDir: string;
  readonly deliveryConcurrency?: number;
}

export interface ChannelStatus {
  readonly id: string;
  readonly name: string;
  readonly state: ChannelState;
  readonly listener: string;
  readonly messageTypes: readonly string[];
  readonly destinations: readonly { name: string; type: string }[];
  readonly file: string;
}

/** One delivery attempt of any queue, as the 'delivery' event reports it. */
export interface DeliveryAttemptReport {
  readonly delivery: Delivery;
  readonly ok: boolean;
  /** The destination's error when not ok (may quote content). */
  readonly error: string | null;
  /** When a failed delivery is tried again; null when sent or dead-lettered. */
  readonly retryAt: Date | null;
}

/**
 * Owns the deployed channels: their lifecycle, their destinations and destination queues.
 * Events: 'state' (channel id, new state), 'deployed' (what changed), 'delivery' (every attempt of
 * every queue, as a DeliveryAttemptReport).
 */
export class ChannelManager extends EventEmitter {
  private readonly channels = new Map<string, RunningChannel>();

  constructor(private readonly deps: ChannelManagerDeps) {
    super();
  }

  /** Deploys a set of validated channels, replacing what changed; unchanged channels keep running. */
  async deploy(
    specs: readonly ChannelSpec[],
  ): Promise<{ added: string[]; changed: string[]; removed: string[] }> {
    const wanted = new Map(specs.map((s) => [s.id, s]));
    // Compile everything first: a channel that fails to compile aborts the deploy before anything changes.
    const compiled = new Map<string, CompiledChannel>();
    for (const spec of specs) {
      const current = this.channels.get(spec.id);
      if (current && isDeepStrictEqual(current.compiled.spec, spec)) continue;
      compiled.set(spec.id, await compileChannel(spec));
    }
    const removed = [...this.channels.keys()].filter((id) => !wanted.has(id));
    const changed = [...compiled.keys()].filter((id) => this.channels.has(id));
    const added = [...compiled.keys()].filter((id) => !this.channels.has(id));
    for (const id of [...removed, ...changed]) await this.undeploy(id);
    for (const [id, c] of compiled) {
      const running = this.instantiate(c);
      this.channels.set(id, running);
      if (c.spec.enabled) await this.start(id);
    }
    this.emit('deployed', { added, changed, removed });
    return { added, changed, removed };
  }

  private instantiate(compiled: CompiledChannel): RunningChannel {
    const destinations = new Map<string, { destination: Destination; queue: DeliveryQueue }>();
    for (const d of compiled.destinations) {
      const destination = createDestination(d.spec, { baseDir: this.deps.baseDir });
      const queue = new DeliveryQueue(this.deps.store, this.deps.db, this.deps.lookup, {
        channelId: compiled.spec.id,
        destination,
        retry: d.spec.retry,
        concurrency: this.deps.deliveryConcurrency ?? 4,
      });
      queue.on('error', (err) =>
        this.deps.logger.error('delivery queue error', {
          channel: compiled.spec.id,
          destination: d.spec.name,
          error: String(err),
        }),
      );
      queue.on('sent', (delivery) => this.reportAttempt({ delivery, ok: true, error: null, retryAt: null }));
      queue.on('failed', (delivery, error, retryAt) =>
        this.reportAttempt({ delivery, ok: false, error, retryAt }),
      );
      queue.on('failed', (delivery, error, retryAt) =>
        this.deps.logger.warn(retryAt ? 'delivery failed, will retry' : 'delivery dead-lettered', {
          channel: compiled.spec.id,
          destination: d.spec.name,
          deliveryId: delivery.id,
          messageId: delivery.messageId,
          attempt: delivery.attempts + 1,
          retryAt: retryAt?.toISOString() ?? null,
          error,
        }),
      );
      destinations.set(d.spec.name, { destination, queue });
    }
    return { compiled, destinations, state: 'stopped' };
  }

  private reportAttempt(report: DeliveryAttemptReport): void {
    this.emit('delivery', report);
  }

  private async undeploy(id: string): Promise<void> {
    const channel = this.channels.get(id);
    if (!channel) return;
    await this.stop(id);
    this.channels.delete(id);
  }

  async start(id: string): Promise<void> {
    const channel = this.require(id);
    if (channel.state === 'started') return;
    if (channel.state === 'stopped') {
      for (const { destination } of channel.destinations.values()) await destination.start();
    }
    for (const { queue } of channel.destinations.values()) queue.start();
    channel.state = 'started';
    this.emit('state', id, channel.state);
  }

  async pause(id: string): Promise<void> {
    const channel = this.require(id);
    if (channel.state !== 'started') return;
    for (const { queue } of channel.destinations.values()) queue.pause();
    channel.state = 'paused';
    this.emit('state', id, channel.state);
  }

  async stop(id: string): Promise<void> {
    const channel = this.require(id);
    if (channel.state === 'stopped') return;
    for (const { queue } of channel.destinations.values()) await queue.stop();
    for (const { destination } of channel.destinations.values()) await destination.stop();
    channel.state = 'stopped';
    this.emit('state', id, channel.state);
  }

  async stopAll(): Promise<void> {
    for (const id of this.channels.keys()) await this.stop(id);
  }

  /** Channels that take messages now (started or paused), for the dispatcher. */
  routed(): CompiledChannel[] {
    return [...this.channels.values()].filter((c) => c.state !== 'stopped').map((c) => c.compiled);
  }

  /** Does any routed channel on this listener take this message type? Decides AR at ingest. */
  accepts(listener: string, messageType: string, triggerEvent: string): boolean {
    return this.routed().some(
      (c) =>
        c.spec.source.listener === listener &&
        matchesMessageType(c.spec.source.messageTypes, messageType, triggerEvent),
    );
  }

  kickQueues(channelId: string, destinations: readonly string[]): void {
    const channel = this.channels.get(channelId);
    if (!channel) return;
    for (const name of destinations) channel.destinations.get(name)?.queue.kick();
  }

  /** Waits until no queue has a delivery due now (tests, graceful stop). */
  async drainQueues(): Promise<void> {
    for (const channel of this.channels.values()) {
      for (const { queue } of channel.destinations.values()) await queue.drain();
    }
  }

  status(): ChannelStatus[] {
    return [...this.channels.values()].map((c) => ({
      id: c.compiled.spec.id,
      name: c.compiled.spec.name,
      state: c.state,
      listener: c.compiled.spec.source.listener,
      messageTypes: c.compiled.spec.source.messageTypes,
      destinations: c.compiled.spec.destinations.map((d) => ({ name: d.name, type: d.type })),
      file: c.compiled.spec.file,
    }));
  }

  /** The deployed channel's spec as loaded (frozen; the same object until the channel changes), or null. */
  spec(id: string): ChannelSpec | null {
    return this.channels.get(id)?.compiled.spec ?? null;
  }

  private require(id: string): RunningChannel {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`no channel "${id}" is deployed`);
    return channel;
  }
}
