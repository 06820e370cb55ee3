import { EventEmitter } from 'node:events';
import type { MessageStore } from '../store/types.ts';
import type { DispatchItem, Dispatcher, DispatcherEvents, MessageHandler } from './types.ts';

export interface InProcessDispatcherOptions {
  /** Partitions processed in parallel. */
  readonly concurrency: number;
  /** How often the store is swept for `received` messages nobody announced (safety net), ms. */
  readonly sweepIntervalMs?: number;
  /** Delay before a failed handler runs again (doubles up to 60 s). */
  readonly retryBaseMs?: number;
}

interface Partition {
  readonly key: string;
  readonly queue: string[];
  running: boolean;
  blockedUntil: number;
  failures: number;
}

/**
 * The embedded Dispatcher. The store is the queue (status `received` is durable), memory only
 * orders the work: at start and on every sweep it reads what is `received`, so a crash or a lost
 * notification delays a message but never loses it.
 */
export class InProcessDispatcher extends EventEmitter implements Dispatcher {
  private readonly partitions = new Map<string, Partition>();
  private readonly known = new Set<string>();
  private readonly ready: Partition[] = [];
  private handler: MessageHandler | null = null;
  private running = 0;
  private stopped = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = Infinity;
  private sweeping = 0;
  /**
   * Messages whose handler finished while a sweep was reading: the sweep's rows may predate the
   * completion and still say `received`, and must not schedule them a second time.
   */
  private readonly doneWhileSweeping = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: MessageStore,
    private readonly options: InProcessDispatcherOptions,
  ) {
    super();
  }

  override on<E extends keyof DispatcherEvents>(event: E, listener: DispatcherEvents[E]): this {
    return super.on(event, listener);
  }

  async start(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    this.stopped = false;
    // Work queued before a stop() is already known, so the sweep will not announce it again.
    this.pump();
    await this.sweep();
    const interval = this.options.sweepIntervalMs ?? 5000;
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.emit('sweepError', err));
    }, interval);
    this.sweepTimer.unref();
  }

  get pending(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.queue.length;
    return n;
  }

  notify(item: DispatchItem): void {
    if (this.stopped || this.known.has(item.messageId)) return;
    this.known.add(item.messageId);
    // Messages without a patient key have no order to keep: each is its own partition.
    const key = item.partitionKey ?? `message:${item.messageId}`;
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = { key, queue: [], running: false, blockedUntil: 0, failures: 0 };
      this.partitions.set(key, partition);
    }
    partition.queue.push(item.messageId);
    if (partition.queue.length === 1 && !partition.running) this.ready.push(partition);
    this.pump();
  }

  /** Reads every `received` message from the store and schedules those not yet known. */
  async sweep(): Promise<void> {
    this.sweeping++;
    try {
      let after: string | null = null;
      for (;;) {
        const page = await this.store.listReceived(after, 1000);
        for (const m of page) {
          if (!this.doneWhileSweeping.has(m.id))
            this.notify({ messageId: m.id, partitionKey: m.partitionKey });
        }
        if (page.length < 1000) break;
        after = page[page.length - 1]!.id;
      }
    } finally {
      if (--this.sweeping === 0) this.doneWhileSweeping.clear();
    }
  }

  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.clearWakeTimer();
    if (this.running === 0) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.running === 0) resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }

  private isIdle(): boolean {
    return this.running === 0 && this.pending === 0;
  }

  private pump(): void {
    if (!this.handler || this.stopped) return;
    const now = Date.now();
    let earliestBlocked = Infinity;
    for (let i = 0; i < this.ready.length && this.running < this.options.concurrency;) {
      const partition = this.ready[i]!;
      if (partition.blockedUntil > now) {
        earliestBlocked = Math.min(earliestBlocked, partition.blockedUntil);
        i++;
        continue;
      }
      this.ready.splice(i, 1);
      void this.run(partition);
    }
    // A partition blocked for less time than the pending wake-up must not wait for it.
    if (earliestBlocked < this.wakeAt) {
      this.clearWakeTimer();
      this.wakeAt = earliestBlocked;
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = null;
        this.wakeAt = Infinity;
        this.pump();
      }, earliestBlocked - now);
    }
    if (this.isIdle()) this.resolveIdle();
  }

  private async run(partition: Partition): Promise<void> {
    const messageId = partition.queue[0]!;
    partition.running = true;
    this.running++;
    try {
      await this.handler!(messageId);
      partition.queue.shift();
      this.known.delete(messageId);
      if (this.sweeping > 0) this.doneWhileSweeping.add(messageId);
      partition.failures = 0;
    } catch (err) {
      partition.failures++;
      const base = this.options.retryBaseMs ?? 1000;
      const retryInMs = Math.min(60_000, base * 2 ** (partition.failures - 1));
      partition.blockedUntil = Date.now() + retryInMs;
      this.emit('handlerError', { messageId, partitionKey: partition.key }, err, retryInMs);
    } finally {
      partition.running = false;
      this.running--;
    }
    if (partition.queue.length > 0) this.ready.push(partition);
    else this.partitions.delete(partition.key);
    this.pump();
  }

  private clearWakeTimer(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAt = Infinity;
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
    if (waiters.length > 0) this.emit('idle');
  }
}
