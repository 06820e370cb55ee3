/**
 * DICOM routing in a running engine: the router hook the C-STORE handler asks which deliveries an
 * instance gets and writes them in its index transaction, and one delivery queue per enabled destination of each enabled DICOM channel.
 * Channels are read at engine start (channels/dicom/*.yaml) and deployed again on a channel reload
 * (deploy: every queue stopped, then the new set started). At each start or deploy, queued deliveries
 * of a channel or destination that is gone or disabled are dead-lettered. A C-STORE planned just
 * before a deploy may still commit a row for a destination the deploy removed: it stays queued until
 * the next deploy or start dead-letters it.
 */
import { EventEmitter } from 'node:events';
import type { DicomListenerConfig } from '../../config/types.ts';
import type { SqlClient } from '../../db/sql.ts';
import type { Logger } from '../../log/logger.ts';
import type { ObjectStore } from '../../objects/object-store.ts';
import { compileDicomTransforms } from '../edit/compile-transforms.ts';
import type { StoredInstanceInfo } from '../store-instance.ts';
import { DicomDeliveryQueue } from './dicom-delivery-queue.ts';
import { DicomDeliveryStore, type DicomDelivery, type DicomDeliveryCount } from './dicom-delivery-store.ts';
import { createDicomRouter, queueKey, type DicomRoutingHook, type QueuedRoutes } from './dicom-router.ts';
import type { DicomSender } from './dicom-sender.ts';
import { createForwardSender } from './forward-sender.ts';
import type { DicomChannelSpec, DicomDestinationSpec } from './routing-types.ts';
import { createStoreSender } from './store-sender.ts';

/** last_error of a delivery dead-lettered at a start or deploy because nothing serves its channel and destination. */
export const UNSERVED_REASON = 'channel or destination not configured or not enabled';

export interface DicomRoutingOptions {
  readonly db: SqlClient;
  readonly objects: ObjectStore;
  readonly logger: Logger;
  readonly channels: readonly DicomChannelSpec[];
  readonly remoteAes: DicomListenerConfig['remoteAes'];
  /** Our AE title: calling AE of forwards, recorded AE of stored copies. */
  readonly aeTitle: string;
  /** The C-STORE handler without routing, for dicom-store destinations. */
  readonly storeCopy: (bytes: Buffer, info: StoredInstanceInfo) => Promise<void>;
  /** Longest wait between two looks at the queue table, ms (default 5000). */
  readonly pollIntervalMs?: number;
}

export interface DicomRoutingEvents {
  sent(delivery: DicomDelivery): void;
  failed(delivery: DicomDelivery, deadLetter: boolean): void;
}

export class DicomRouting extends EventEmitter {
  readonly deliveries: DicomDeliveryStore;
  /** Stable for the C-STORE handler; it asks whichever router the last deploy made. */
  readonly hook: DicomRoutingHook;
  private specs: readonly DicomChannelSpec[];
  private router: DicomRoutingHook;
  private queues: Map<string, DicomDeliveryQueue>;
  private started = false;
  private stopped = false;

  constructor(private readonly options: DicomRoutingOptions) {
    super();
    this.deliveries = new DicomDeliveryStore(options.db);
    const kick = (routes: QueuedRoutes): void => {
      for (const key of new Set(routes)) this.queues.get(key)?.kick();
    };
    this.specs = options.channels;
    this.router = createDicomRouter(this.specs, this.deliveries, kick);
    this.queues = this.createQueues(this.specs);
    this.hook = {
      plan: (parsed, ctx) => this.router.plan(parsed, ctx),
      queue: (tx, plan) => this.router.queue(tx, plan),
      queued: kick,
    };
  }

  override on<E extends keyof DicomRoutingEvents>(event: E, listener: DicomRoutingEvents[E]): this {
    return super.on(event, listener);
  }

  /** Queued and dead-lettered deliveries per channel, destination and status (/metrics). */
  pendingCounts(): Promise<readonly DicomDeliveryCount[]> {
    return this.deliveries.pendingCounts();
  }

  get channels(): readonly DicomChannelSpec[] {
    return this.specs;
  }

  /**
   * Replaces the channels: the running queues stop (each finishes what it is sending), the router
   * takes the new rules, and, once started, the new queues start after unserved rows are
   * dead-lettered. Queued rows stay in the table throughout and are sent by the new queues.
   */
  async deploy(specs: readonly DicomChannelSpec[]): Promise<{ channels: number; destinations: number }> {
    const old = this.queues;
    this.queues = new Map();
    await Promise.all([...old.values()].map((q) => q.stop()));
    this.specs = specs;
    this.router = createDicomRouter(specs, this.deliveries, this.hook.queued);
    this.queues = this.createQueues(specs);
    if (this.started && !this.stopped) await this.startQueues();
    return { channels: specs.length, destinations: this.queues.size };
  }

  /** Whether this destination of this channel has a running queue (it exists and both are enabled). */
  sends(channelId: string, destination: string): boolean {
    return this.queues.has(queueKey(channelId, destination));
  }

  /**
   * Starts the queues, after dead-lettering what none of them would ever send: deliveries queued for
   * a channel or destination that is no longer configured or enabled.
   */
  async start(): Promise<void> {
    this.started = true;
    await this.startQueues();
  }

  private async startQueues(): Promise<void> {
    const served = [...this.specs].flatMap((c) =>
      c.enabled
        ? c.destinations.filter((d) => d.enabled).map((d) => ({ channelId: c.id, destination: d.name }))
        : [],
    );
    const parked = await this.deliveries.deadLetterUnserved(served, UNSERVED_REASON);
    for (const p of parked) {
      this.options.logger.warn(
        'DICOM deliveries dead-lettered: their channel or destination is not configured',
        {
          channel: p.channelId,
          destination: p.destination,
          deliveries: p.count,
        },
      );
    }
    // stop() may have come while the rows were being parked: then nothing starts.
    if (this.stopped) return;
    for (const q of this.queues.values()) q.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.queues.values()].map((q) => q.stop()));
  }

  /** A delivery of this destination was requeued: send it now. */
  kick(channelId: string, destination: string): void {
    this.queues.get(queueKey(channelId, destination))?.kick();
  }

  /** Waits until no delivery of any queue is due now (tests). */
  async drain(): Promise<void> {
    for (const q of this.queues.values()) await q.drain();
  }

  private createQueues(specs: readonly DicomChannelSpec[]): Map<string, DicomDeliveryQueue> {
    const queues = new Map<string, DicomDeliveryQueue>();
    for (const channel of specs) {
      if (!channel.enabled) continue;
      for (const destination of channel.destinations) {
        if (!destination.enabled) continue;
        queues.set(queueKey(channel.id, destination.name), this.createQueue(channel, destination));
      }
    }
    return queues;
  }

  private createQueue(channel: DicomChannelSpec, destination: DicomDestinationSpec): DicomDeliveryQueue {
    const specs = [...channel.transformers, ...destination.transformers];
    const queue = new DicomDeliveryQueue(this.deliveries, this.options.objects, {
      channelId: channel.id,
      destination: destination.name,
      retry: destination.retry,
      transform: specs.length === 0 ? null : compileDicomTransforms(specs),
      sender: this.createSender(destination),
      concurrency: destination.type === 'dicom-forward' ? destination.concurrency : 1,
      ...(this.options.pollIntervalMs !== undefined ? { pollIntervalMs: this.options.pollIntervalMs } : {}),
    });
    const { logger } = this.options;
    const ids = (d: DicomDelivery) => ({
      deliveryId: d.id,
      channel: d.channelId,
      destination: d.destination,
    });
    queue.on('sent', (d) => {
      logger.debug('DICOM delivery sent', ids(d));
      this.emit('sent', d);
    });
    queue.on('failed', (d, error, retryAt) => {
      // The error text may quote the object (an edit that failed): debug only.
      logger.warn(retryAt ? 'DICOM delivery failed; will retry' : 'DICOM delivery dead-lettered', {
        ...ids(d),
        attempt: d.attempts + 1,
        retryAt: retryAt?.toISOString() ?? null,
      });
      logger.debug('DICOM delivery failed: detail', { ...ids(d), error });
      this.emit('failed', d, retryAt === null);
    });
    queue.on('error', (err) =>
      logger.error('DICOM delivery queue failed; will look again', {
        channel: channel.id,
        destination: destination.name,
        error: String(err),
      }),
    );
    return queue;
  }

  private createSender(destination: DicomDestinationSpec): DicomSender {
    if (destination.type === 'dicom-store')
      return createStoreSender({ store: this.options.storeCopy, aeTitle: this.options.aeTitle });
    const target = this.options.remoteAes.find((ae) => ae.aeTitle === destination.ae);
    // The loader checked the AE against the same configuration.
    if (target === undefined) throw new Error(`remote AE ${destination.ae} is not in dicom.remoteAes`);
    return createForwardSender({ target, callingAe: this.options.aeTitle, timeoutMs: destination.timeoutMs });
  }
}
