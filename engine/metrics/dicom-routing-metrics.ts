/**
 * DICOM routing on /metrics: delivery attempts by outcome (sent, retry, dead-letter) counted from the
 * queues' events, and the deliveries waiting (queued) or dead-lettered (error) per channel and
 * destination, read from dicom_deliveries on each scrape so the gauge is the truth after a restart.
 * engine.ts attaches the routing, EngineMetrics registers the metrics; they meet through the engine's
 * EngineEvents object as in dicom-metrics.ts. Labels are channel and destination names only.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import type { DicomDelivery, DicomDeliveryCount } from '../dicom/routing/dicom-delivery-store.ts';
import type { EngineEvents } from '../events/engine-events.ts';
import { METRIC_PREFIX } from './engine-metrics.ts';

/** What the metrics need of the running routing (engine/dicom/routing/dicom-routing.ts). */
export interface DicomRoutingSource {
  on(event: 'sent', listener: (delivery: DicomDelivery) => void): unknown;
  on(event: 'failed', listener: (delivery: DicomDelivery, deadLetter: boolean) => void): unknown;
  /** Queued and dead-lettered rows per channel, destination and status. */
  pendingCounts(): Promise<readonly DicomDeliveryCount[]>;
}

export class DicomRoutingMetrics {
  private source: DicomRoutingSource | null = null;

  readonly attempts = new Counter({
    name: `${METRIC_PREFIX}dicom_delivery_attempts_total`,
    help: 'DICOM channel delivery attempts by outcome: sent, retry (failed, tried again later), dead-letter (failed for good)',
    labelNames: ['channel', 'destination', 'outcome'] as const,
    registers: [],
  });

  readonly pending: Gauge<'channel' | 'destination' | 'status'>;

  constructor() {
    // prom-client calls collect with the gauge as `this`: the source is read through a closure.
    const source = (): DicomRoutingSource | null => this.source;
    this.pending = new Gauge({
      name: `${METRIC_PREFIX}dicom_deliveries`,
      help: 'DICOM channel deliveries per channel and destination: queued (waiting or retrying) and error (dead-lettered)',
      labelNames: ['channel', 'destination', 'status'] as const,
      registers: [],
      async collect() {
        this.reset();
        const routing = source();
        if (routing === null) return;
        let counts: readonly DicomDeliveryCount[];
        try {
          counts = await routing.pendingCounts();
        } catch {
          return; // the database is down: the scrape goes on without this gauge
        }
        for (const c of counts)
          this.set({ channel: c.channelId, destination: c.destination, status: c.status }, c.count);
      },
    });
  }

  attach(source: DicomRoutingSource): void {
    this.source = source;
    const labels = (d: DicomDelivery) => ({ channel: d.channelId, destination: d.destination });
    source.on('sent', (d) => this.attempts.inc({ ...labels(d), outcome: 'sent' }));
    source.on('failed', (d, deadLetter) =>
      this.attempts.inc({ ...labels(d), outcome: deadLetter ? 'dead-letter' : 'retry' }),
    );
  }

  registerOn(registry: Registry): void {
    for (const metric of [this.attempts, this.pending] as Metric[]) registry.registerMetric(metric);
  }
}

const byEngine = new WeakMap<EngineEvents, DicomRoutingMetrics>();

/** The DICOM routing metrics of the engine whose events these are (created on first use). */
export function dicomRoutingMetricsFor(events: EngineEvents): DicomRoutingMetrics {
  let metrics = byEngine.get(events);
  if (metrics === undefined) {
    metrics = new DicomRoutingMetrics();
    byEngine.set(events, metrics);
  }
  return metrics;
}
