/**
 * The queue of one DICOM channel destination, kept in dicom_deliveries. Reads what is due (kicked
 * after a C-STORE committed new rows, else on a timer), reads each object from the object store,
 * applies the channel's then the destination's edits, hands the burst to the destination's sender
 * and records every outcome: sent, queued again after a backoff (engine/dispatch/backoff.ts), or
 * dead-lettered (status error) when the attempts are spent or the failure is permanent. Rows queued
 * before a restart are simply due: nothing is kept in memory that the table does not hold.
 */
import { EventEmitter } from 'node:events';
import type { RetryPolicy } from '../../channels/types.ts';
import { nextRetryDelayMs } from '../../dispatch/backoff.ts';
import { WakeLoop } from '../../dispatch/wake-loop.ts';
import type { ObjectStore } from '../../objects/object-store.ts';
import { DicomEditError, type DicomObjectTransform } from '../edit/types.ts';
import { DicomParseError, parsePart10 } from '../parse-part10.ts';
import type { DicomDelivery, DicomDeliveryStore } from './dicom-delivery-store.ts';
import {
  permanent,
  transient,
  type DicomOutcome,
  type DicomSender,
  type OutgoingDicom,
} from './dicom-sender.ts';

export interface DicomDeliveryQueueOptions {
  readonly channelId: string;
  readonly destination: string;
  readonly retry: RetryPolicy;
  /** Channel then destination edits, or null when there are none (the object goes as stored). */
  readonly transform: DicomObjectTransform | null;
  readonly sender: DicomSender;
  /** Bursts handed to the sender at once (associations, for dicom-forward). */
  readonly concurrency: number;
  /** Objects in one burst. Default 32. */
  readonly burstSize?: number;
  /** Longest wait between two looks at the table, ms (default 5000); kicks and retry timers wake it sooner. */
  readonly pollIntervalMs?: number;
}

export interface DicomDeliveryQueueEvents {
  sent(delivery: DicomDelivery, response: string | null): void;
  failed(delivery: DicomDelivery, error: string, retryAt: Date | null): void;
  error(err: unknown): void;
}

type Prepared = { readonly delivery: DicomDelivery; readonly object: OutgoingDicom };

/** Bytes of objects read and edited for one round of sends, at most (one object always goes). */
const MAX_PREPARED_BYTES = 256 * 1024 * 1024;

export class DicomDeliveryQueue extends EventEmitter {
  private readonly wake: WakeLoop;

  constructor(
    private readonly store: DicomDeliveryStore,
    private readonly objects: ObjectStore,
    private readonly options: DicomDeliveryQueueOptions,
  ) {
    super();
    this.wake = new WakeLoop({
      drainDue: (active) => this.drainDue(active),
      nextWakeMs: () => this.nextWakeMs(),
      retryAfterFailureMs: this.pollIntervalMs,
      onError: (err) => this.emit('error', err),
    });
  }

  override on<E extends keyof DicomDeliveryQueueEvents>(
    event: E,
    listener: DicomDeliveryQueueEvents[E],
  ): this {
    return super.on(event, listener);
  }

  get channelId(): string {
    return this.options.channelId;
  }

  get destination(): string {
    return this.options.destination;
  }

  start(): void {
    this.wake.start();
  }

  /** New rows were committed (or one was requeued): look now rather than at the next timer. */
  kick(): void {
    this.wake.kick();
  }

  async stop(): Promise<void> {
    await this.wake.stop();
  }

  /** Resolves when nothing is due now (tests). */
  async drain(): Promise<void> {
    await this.wake.drain(
      async () => (await this.store.due(this.options.channelId, this.options.destination, 1)).length > 0,
      10_000,
    );
  }

  private get pollIntervalMs(): number {
    return this.options.pollIntervalMs ?? 5000;
  }

  private async drainDue(active: () => boolean): Promise<boolean> {
    const burst = this.options.burstSize ?? 32;
    while (active()) {
      const due = await this.store.due(
        this.options.channelId,
        this.options.destination,
        burst * this.options.concurrency,
      );
      if (due.length === 0) break;
      // Every row settles before the table is read again: due() claims nothing.
      await this.attempt(due, burst);
    }
    return true;
  }

  private async nextWakeMs(): Promise<number> {
    const next = await this.store.nextDueAt(this.options.channelId, this.options.destination);
    const untilNext = next ? Math.max(0, next.getTime() - Date.now()) : Infinity;
    return Math.min(untilNext, this.pollIntervalMs);
  }

  private async attempt(due: readonly DicomDelivery[], burst: number): Promise<void> {
    const ready: Prepared[] = [];
    let bytes = 0;
    for (const delivery of due) {
      // Large objects (multi-frame, mammography) are held in memory until sent: past the cap, the rest
      // stay queued, untouched, and come back in the next read.
      if (bytes >= MAX_PREPARED_BYTES) break;
      const prepared = await this.prepare(delivery);
      if ('object' in prepared) {
        ready.push(prepared);
        bytes += prepared.object.part10.length;
      } else await this.settle(delivery, prepared.outcome);
    }
    const bursts: Prepared[][] = [];
    for (let i = 0; i < ready.length; i += burst) bursts.push(ready.slice(i, i + burst));
    await Promise.all(
      bursts.map(async (b) => {
        let outcomes: DicomOutcome[];
        try {
          outcomes = await this.options.sender.send(b.map((p) => p.object));
        } catch (err) {
          outcomes = b.map(() => transient(`sending failed: ${(err as Error).message}`));
        }
        for (let i = 0; i < b.length; i++)
          await this.settle(b[i]!.delivery, outcomes[i] ?? transient('no outcome'));
      }),
    );
  }

  /** The object as this destination sends it, or the outcome that settles the delivery without sending. */
  private async prepare(delivery: DicomDelivery): Promise<Prepared | { readonly outcome: DicomOutcome }> {
    let stored: Buffer | null;
    try {
      stored = await this.objects.get(delivery.objectKey);
    } catch (err) {
      return { outcome: transient(`object store: ${(err as Error).message}`) };
    }
    if (stored === null)
      return { outcome: permanent(`object ${delivery.objectKey} is no longer in the object store`) };
    try {
      const part10 = this.options.transform === null ? stored : this.options.transform(stored);
      const { meta, keys } = parsePart10(part10);
      return {
        delivery,
        object: {
          part10,
          sopClassUid: keys.sopClassUid,
          sopInstanceUid: keys.sopInstanceUid,
          studyInstanceUid: keys.studyInstanceUid,
          seriesInstanceUid: keys.seriesInstanceUid,
          transferSyntaxUid: meta.transferSyntaxUid,
          sourceSopInstanceUid: delivery.sopInstanceUid,
        },
      };
    } catch (err) {
      if (err instanceof DicomEditError || err instanceof DicomParseError)
        return { outcome: permanent(`${err.name}: ${err.message}`) };
      return { outcome: permanent(`editing failed: ${(err as Error).message}`) };
    }
  }

  private async settle(delivery: DicomDelivery, outcome: DicomOutcome): Promise<void> {
    if (outcome.ok) {
      await this.store.markSent(delivery.id, outcome.response);
      this.emit('sent', delivery, outcome.response);
      return;
    }
    const policy = { ...this.options.retry, maxAttempts: delivery.maxAttempts };
    const delay = outcome.errorClass === 'permanent' ? null : nextRetryDelayMs(policy, delivery.attempts + 1);
    const retryAt = delay === null ? null : new Date(Date.now() + delay);
    await this.store.markFailed(delivery.id, outcome.error, retryAt);
    this.emit('failed', delivery, outcome.error, retryAt);
  }
}
