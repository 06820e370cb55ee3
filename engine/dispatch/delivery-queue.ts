import { EventEmitter } from 'node:events';
import type { RetryPolicy } from '../channels/types.ts';
import type { SqlClient } from '../db/sql.ts';
import { isTransactional, type DeliveryOutcome, type Destination } from '../destinations/types.ts';
import type { Delivery, MessageStore } from '../store/types.ts';
import { nextRetryDelayMs } from './backoff.ts';
import { WakeLoop } from './wake-loop.ts';

export interface DeliveryQueueOptions {
  readonly channelId: string;
  readonly destination: Destination;
  readonly retry: RetryPolicy;
  /** Deliveries of different partitions in flight at once. */
  readonly concurrency: number;
  /**
   * Longest wait between two looks at the store, ms (default 5000). Kicks and retry timers wake the
   * queue at once; this finds what nobody announced (a requeued delivery, another engine node's
   * work), and is the pause after the store failed.
   */
  readonly pollIntervalMs?: number;
}

/** Looks up what a delivery needs for its context (control id, type) without loading it twice. */
export type DeliveryContextLookup = (
  messageId: string,
) => Promise<{ controlId: string; messageType: string; triggerEvent: string }>;

export interface DeliveryQueueEvents {
  sent(delivery: Delivery, response: string | null): void;
  failed(delivery: Delivery, error: string, retryAt: Date | null): void;
  error(err: unknown): void;
}

/**
 * The queue of one destination, kept in the store (deliveries table). Runs due deliveries, one per
 * patient partition at a time, applies the retry policy, dead-letters what is spent or permanent.
 */
export class DeliveryQueue extends EventEmitter {
  /**
   * Whether a delivery of this queue may be waiting for a later attempt: true at start (an earlier
   * run may have left one) and after each failure that schedules a retry. While false, the end of a
   * pass needs no look-up of the next due time (one statement per delivery saved); the poll
   * interval still covers what others requeue.
   */
  private retryMayBePending = true;
  private readonly wake: WakeLoop;

  constructor(
    private readonly store: MessageStore,
    private readonly db: SqlClient,
    private readonly lookup: DeliveryContextLookup,
    private readonly options: DeliveryQueueOptions,
  ) {
    super();
    this.wake = new WakeLoop({
      drainDue: (active) => this.drainDue(active),
      nextWakeMs: () => this.nextWakeMs(),
      retryAfterFailureMs: this.pollIntervalMs,
      onError: (err) => this.emit('error', err),
    });
  }

  override on<E extends keyof DeliveryQueueEvents>(event: E, listener: DeliveryQueueEvents[E]): this {
    return super.on(event, listener);
  }

  get destinationName(): string {
    return this.options.destination.name;
  }

  get isPaused(): boolean {
    return this.wake.isPaused;
  }

  start(): void {
    this.wake.start();
  }

  /** Deliveries stay queued (and keep arriving) but none is sent until resume(). */
  pause(): void {
    this.wake.pause();
  }

  resume(): void {
    this.wake.resume();
  }

  /** New deliveries were queued: look now rather than at the next timer. */
  kick(): void {
    this.wake.kick();
  }

  async stop(): Promise<void> {
    await this.wake.stop();
  }

  /** Resolves when nothing is due now (tests). */
  async drain(): Promise<void> {
    await this.wake.drain(
      async () =>
        (await this.store.dueDeliveries(this.options.channelId, this.destinationName, new Date(), 1)).length >
        0,
    );
  }

  private get pollIntervalMs(): number {
    return this.options.pollIntervalMs ?? 5000;
  }

  private async drainDue(active: () => boolean): Promise<boolean> {
    while (active()) {
      const due = await this.store.dueDeliveries(
        this.options.channelId,
        this.destinationName,
        new Date(),
        this.options.concurrency,
      );
      if (due.length === 0) return true;
      // Every attempt settles before the store is read again: dueDeliveries claims nothing, so a
      // read while one attempt is still in flight would hand that delivery out a second time.
      const results = await Promise.allSettled(due.map((d) => this.attempt(d)));
      let ok = true;
      for (const r of results) {
        if (r.status === 'rejected') {
          ok = false;
          this.emit('error', r.reason);
        }
      }
      if (!ok) return false;
    }
    return true;
  }

  private async nextWakeMs(): Promise<number> {
    if (!this.retryMayBePending) return this.pollIntervalMs;
    const next = await this.store.nextDeliveryDueAt(this.options.channelId, this.destinationName);
    this.retryMayBePending = next !== null;
    const untilNext = next ? Math.max(0, next.getTime() - Date.now()) : Infinity;
    return Math.min(untilNext, this.pollIntervalMs);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { destination } = this.options;
    const meta = await this.lookup(delivery.messageId);
    const ctx = {
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      channelId: delivery.channelId,
      attempt: delivery.attempts + 1,
      ...meta,
    };
    const payload = { contentType: delivery.contentType, body: delivery.payload };
    let outcome: DeliveryOutcome;
    try {
      if (isTransactional(destination)) {
        // Written and marked sent in one transaction: a crash in between leaves neither (exactly once).
        outcome = await this.db.transaction(async (tx) => {
          const result = await destination.deliverInTransaction(tx, payload, ctx);
          if (!result.ok) throw new DeliveryRejected(result);
          await this.store.markDeliverySent(delivery.id, result.response, tx);
          return result;
        });
        this.emit('sent', delivery, outcome.ok ? outcome.response : null);
        return;
      }
      outcome = await destination.deliver(payload, ctx);
    } catch (err) {
      outcome =
        err instanceof DeliveryRejected
          ? err.outcome
          : { ok: false, error: err instanceof Error ? err.message : String(err), errorClass: 'transient' };
    }
    if (outcome.ok) {
      await this.store.markDeliverySent(delivery.id, outcome.response);
      this.emit('sent', delivery, outcome.response);
      return;
    }
    const delay =
      outcome.errorClass === 'permanent' ? null : nextRetryDelayMs(this.retryPolicy(delivery), ctx.attempt);
    const retryAt = delay === null ? null : new Date(Date.now() + delay);
    if (retryAt) this.retryMayBePending = true;
    await this.store.markDeliveryFailed(delivery.id, outcome.error, retryAt);
    this.emit('failed', delivery, outcome.error, retryAt);
  }

  /** The delivery carries the max attempts it was queued with; the policy's timing applies. */
  private retryPolicy(delivery: Delivery): RetryPolicy {
    return { ...this.options.retry, maxAttempts: delivery.maxAttempts };
  }
}

class DeliveryRejected extends Error {
  constructor(readonly outcome: Extract<DeliveryOutcome, { ok: false }>) {
    super(outcome.error);
  }
}
