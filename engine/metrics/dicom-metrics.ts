/**
 * DICOM listener counters, fed from its events (listeners/dicom/types.ts) and shown on the engine's
 * /metrics. The listener is started by engine.ts and the registry lives with the HTTP server, so the
 * two meet through the engine's EngineEvents object: dicomMetricsFor(events) gives both sides the
 * same counters (created unregistered, added to each EngineMetrics registry that asks). Labels are
 * enum codes only: outcome, reason, operation, status class, never AE titles or UIDs.
 */
import { Counter, type Metric, type Registry } from 'prom-client';
import type { DicomServerEvent } from '../../listeners/dicom/types.ts';
import type { EngineEvents } from '../events/engine-events.ts';
import { METRIC_PREFIX } from './engine-metrics.ts';

/** PS3.7 C: success 0x0000; warning 0x0001, 0x0107, 0x0116, 0xBxxx; cancel 0xFE00; the rest failure. */
export function statusClass(status: number): 'success' | 'warning' | 'cancel' | 'failure' {
  if (status === 0x0000) return 'success';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000) {
    return 'warning';
  }
  if (status === 0xfe00) return 'cancel';
  return 'failure';
}

export class DicomMetrics {
  readonly associations = new Counter({
    name: `${METRIC_PREFIX}dicom_associations_total`,
    help: 'DICOM associations by outcome: accepted, rejected (A-ASSOCIATE-RJ), aborted (A-ABORT or connection lost, before or after acceptance; an accepted association that is then aborted counts in both)',
    labelNames: ['outcome'] as const,
    registers: [],
  });
  readonly rejections = new Counter({
    name: `${METRIC_PREFIX}dicom_rejections_total`,
    help: 'DICOM association requests rejected, by reason (PS3.8 9.3.4)',
    labelNames: ['reason'] as const,
    registers: [],
  });
  readonly aborts = new Counter({
    name: `${METRIC_PREFIX}dicom_aborts_total`,
    help: 'DICOM associations (or connections) ended without release, by code: unknown-pdu-type, pdu-too-long, malformed-pdu, unexpected-pdu, peer-abort, connection-lost, connection-limit',
    labelNames: ['code'] as const,
    registers: [],
  });
  readonly contextsRejected = new Counter({
    name: `${METRIC_PREFIX}dicom_presentation_contexts_rejected_total`,
    help: 'Proposed presentation contexts refused in accepted associations: abstract-syntax-not-supported (result 3), transfer-syntaxes-not-supported (result 4)',
    labelNames: ['result'] as const,
    registers: [],
  });
  readonly operations = new Counter({
    name: `${METRIC_PREFIX}dicom_operations_total`,
    help: 'DIMSE operations served, by operation (C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET) and final status class (success, warning, cancel, failure)',
    labelNames: ['operation', 'status'] as const,
    registers: [],
  });
  readonly incompleteStores = new Counter({
    name: `${METRIC_PREFIX}dicom_incomplete_stores_total`,
    help: 'C-STORE datasets dropped because the association ended before their last fragment (never stored)',
    registers: [],
  });

  /** Adds the counters to a registry (each EngineMetrics of this engine). */
  registerOn(registry: Registry): void {
    const metrics: Metric[] = [
      this.associations,
      this.rejections,
      this.aborts,
      this.contextsRejected,
      this.operations,
      this.incompleteStores,
    ] as Metric[];
    for (const metric of metrics) registry.registerMetric(metric);
  }

  observe(event: DicomServerEvent): void {
    switch (event.type) {
      case 'association-accepted':
        this.associations.inc({ outcome: 'accepted' });
        this.contextsRejected.inc(
          { result: 'abstract-syntax-not-supported' },
          event.rejectedContexts.abstractSyntax.length,
        );
        this.contextsRejected.inc(
          { result: 'transfer-syntaxes-not-supported' },
          event.rejectedContexts.transferSyntax.length,
        );
        return;
      case 'association-rejected':
        this.associations.inc({ outcome: 'rejected' });
        this.rejections.inc({ reason: event.reason });
        return;
      case 'association-aborted':
        this.associations.inc({ outcome: 'aborted' });
        this.aborts.inc({ code: event.code });
        if (event.incompleteStore) this.incompleteStores.inc();
        return;
      case 'operation-completed':
        this.operations.inc({ operation: event.operation, status: statusClass(event.status) });
        return;
      default:
        return;
    }
  }
}

const byEngine = new WeakMap<EngineEvents, DicomMetrics>();

/** The DICOM counters of the engine whose events these are (created on first use). */
export function dicomMetricsFor(events: EngineEvents): DicomMetrics {
  let metrics = byEngine.get(events);
  if (metrics === undefined) {
    metrics = new DicomMetrics();
    byEngine.set(events, metrics);
  }
  return metrics;
}
