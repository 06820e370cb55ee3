/**
 * The engine's Prometheus metrics, on a registry of its own (not prom-client's global one: tests run
 * several engines in one process, and each must count only its own traffic). Counters and histograms
 * are fed from engine events; gauges (queue depth, backlog, connections, channel state) are read when
 * scraped. Labels are channel, destination, listener and enum codes only: never patient data.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { listenerName } from '../channels/process-message.ts';
import type { EngineEvent, EngineEvents } from '../events/engine-events.ts';
import { dicomMetricsFor } from './dicom-metrics.ts';
import { dicomRoutingMetricsFor } from './dicom-routing-metrics.ts';
import type { QueuedCount } from './queued-deliveries.ts';

export const METRIC_PREFIX = 'switchboard_';

const CHANNEL_STATES = ['started', 'paused', 'stopped'] as const;

/** Seconds: the ACK and processing are milliseconds when healthy, seconds when the store struggles. */
const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a delivery's latency includes retry waits, so the buckets reach an hour. */
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** What the metrics read besides events: the live parts of a running engine. */
export interface MetricsSource {
  readonly events: EngineEvents;
  /** Messages received and waiting for the dispatcher. */
  dispatcherPending(): number;
  listeners(): readonly { readonly name: string; readonly openConnections: number }[];
  channels(): readonly {
    readonly id: string;
    readonly state: string;
    readonly destinations: readonly { readonly name: string }[];
  }[];
  queuedDeliveries(): Promise<readonly QueuedCount[]>;
  /** A gauge could not be read (the store is down): the scrape goes on without it. */
  onCollectError?(metric: string, err: unknown): void;
}

export class EngineMetrics {
  readonly registry = new Registry();
  readonly #events: EngineEvents;
  readonly #onEvent: (event: EngineEvent) => void;

  readonly #received: Counter<'listener' | 'ack_code' | 'status'>;
  readonly #channelMessages: Counter<'channel' | 'outcome'>;
  readonly #deliveries: Counter<'channel' | 'destination' | 'outcome'>;
  readonly #ackSeconds: Histogram<'listener'>;
  readonly #processingSeconds: Histogram<'status'>;
  readonly #deliverySeconds: Histogram<'channel' | 'destination' | 'outcome'>;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });

    this.#received = new Counter({
      name: `${METRIC_PREFIX}messages_received_total`,
      help: 'Messages committed at ingest, by listener, the ACK code sent and the status stored (received, rejected, duplicate)',
      labelNames: ['listener', 'ack_code', 'status'],
      registers,
    });
    this.#channelMessages = new Counter({
      name: `${METRIC_PREFIX}channel_messages_total`,
      help: 'Per channel: messages it took (received), dropped by its filter (filtered), failed in its transformers or dead-lettered deliveries (errored), deliveries sent (sent)',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.#deliveries = new Counter({
      name: `${METRIC_PREFIX}delivery_attempts_total`,
      help: 'Delivery attempts by outcome: sent, retry (failed, tried again later), dead-letter (failed for good)',
      labelNames: ['channel', 'destination', 'outcome'],
      registers,
    });
    this.#ackSeconds = new Histogram({
      name: `${METRIC_PREFIX}ack_latency_seconds`,
      help: 'Time the ACK waited on the durable commit of its message (group commit included)',
      labelNames: ['listener'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.#processingSeconds = new Histogram({
      name: `${METRIC_PREFIX}message_processing_seconds`,
      help: 'Time from the dispatcher taking a message to its channel results and deliveries being committed',
      labelNames: ['status'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.#deliverySeconds = new Histogram({
      name: `${METRIC_PREFIX}delivery_latency_seconds`,
      help: 'Time from a delivery being queued to an attempt outcome (retry waits included)',
      labelNames: ['channel', 'destination', 'outcome'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });

    this.#registerGauges(source);
    dicomMetricsFor(source.events).registerOn(this.registry);
    dicomRoutingMetricsFor(source.events).registerOn(this.registry);
    this.#events = source.events;
    this.#onEvent = (event) => this.#observe(event);
    this.#events.on('event', this.#onEvent);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for one scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops counting events (the engine is stopping). */
  close(): void {
    this.#events.off('event', this.#onEvent);
  }

  #observe(event: EngineEvent): void {
    switch (event.type) {
      case 'message.received': {
        const listener = listenerName(event.listener);
        this.#received.inc({ listener, ack_code: event.ackCode, status: event.status });
        this.#ackSeconds.observe({ listener }, event.ackSeconds);
        return;
      }
      case 'message.processed':
        this.#processingSeconds.observe({ status: event.status }, event.processingSeconds);
        for (const c of event.channels) {
          this.#channelMessages.inc({ channel: c.channelId, outcome: 'received' });
          if (c.status === 'filtered')
            this.#channelMessages.inc({ channel: c.channelId, outcome: 'filtered' });
          if (c.status === 'error') this.#channelMessages.inc({ channel: c.channelId, outcome: 'errored' });
        }
        return;
      case 'delivery.attempted': {
        const outcome = event.ok ? 'sent' : event.status === 'queued' ? 'retry' : 'dead-letter';
        const labels = { channel: event.channelId, destination: event.destination };
        this.#deliveries.inc({ ...labels, outcome });
        this.#deliverySeconds.observe({ ...labels, outcome }, event.seconds);
        if (outcome === 'sent') this.#channelMessages.inc({ channel: event.channelId, outcome: 'sent' });
        if (outcome === 'dead-letter') {
          this.#channelMessages.inc({ channel: event.channelId, outcome: 'errored' });
        }
        return;
      }
      case 'channel.state':
        return; // read from the channels when scraped
    }
  }

  #registerGauges(source: MetricsSource): void {
    const registers = [this.registry];
    const failed = (metric: string, err: unknown): void => source.onCollectError?.(metric, err);
    new Gauge({
      name: `${METRIC_PREFIX}delivery_queue_depth`,
      help: 'Deliveries queued (waiting to be sent or retried) per channel and destination',
      labelNames: ['channel', 'destination'],
      registers,
      async collect() {
        let counts: readonly QueuedCount[];
        try {
          counts = await source.queuedDeliveries();
        } catch (err) {
          this.reset();
          failed('delivery_queue_depth', err);
          return;
        }
        this.reset();
        // Every deployed destination shows, at 0 when empty; queued rows of undeployed ones too.
        for (const c of source.channels()) {
          for (const d of c.destinations) this.set({ channel: c.id, destination: d.name }, 0);
        }
        for (const q of counts) this.set({ channel: q.channelId, destination: q.destination }, q.queued);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}dispatcher_backlog`,
      help: 'Received messages waiting for the dispatcher to process them',
      registers,
      collect() {
        this.set(source.dispatcherPending());
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}listener_open_connections`,
      help: 'Open connections per listener',
      labelNames: ['listener'],
      registers,
      collect() {
        this.reset();
        for (const l of source.listeners()) this.set({ listener: l.name }, l.openConnections);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}channel_state`,
      help: 'Channel state: 1 for the state the channel is in, 0 for the others',
      labelNames: ['channel', 'state'],
      registers,
      collect() {
        this.reset();
        for (const c of source.channels()) {
          for (const state of CHANNEL_STATES) this.set({ channel: c.id, state }, c.state === state ? 1 : 0);
        }
      },
    });
  }
}
