/**
 * Where engine events come from: the ingest commit (message.received), the message processor
 * (message.processed), the destination queues and channel lifecycle (delivery.attempted,
 * channel.state). engine.ts wires these in; each turns what its source reports into an event.
 */
import type { ChannelManager, DeliveryAttemptReport } from '../channels/channel-manager.ts';
import type { ProcessingOutcome } from '../channels/process-message.ts';
import type { IngestRequest, IngestResult, MessageStatus, StoredMessage } from '../store/types.ts';
import type {
  DeliveryEvent,
  EngineEvents,
  MessageProcessedEvent,
  MessageReceivedEvent,
} from './engine-events.ts';

type Ingest = (req: IngestRequest) => Promise<IngestResult>;

function statusAtIngest(result: IngestResult): MessageStatus {
  if (result.duplicateOf !== null) return 'duplicate';
  return result.ackCode === 'AA' ? 'received' : 'rejected';
}

export function messageReceivedEvent(
  req: IngestRequest,
  result: IngestResult,
  ackSeconds: number,
  at = new Date(),
): MessageReceivedEvent {
  return {
    type: 'message.received',
    at: at.toISOString(),
    messageId: result.messageId,
    listener: req.listener,
    messageType: req.header?.messageType ?? null,
    triggerEvent: req.header?.triggerEvent ?? null,
    controlId: req.header?.controlId ?? null,
    ackCode: result.ackCode,
    status: statusAtIngest(result),
    ackSeconds,
  };
}

/**
 * The ingest function every listener (MLLP and HTTP) commits through, publishing message.received
 * once the commit is done, with the time the sender's ACK waited on it. A failed commit publishes
 * nothing: nothing was received (the sender is told AE and resends).
 */
export function publishingIngest(ingest: Ingest, events: EngineEvents): Ingest {
  return async (req) => {
    const started = performance.now();
    const result = await ingest(req);
    events.publish(messageReceivedEvent(req, result, (performance.now() - started) / 1000));
    return result;
  };
}

export function messageProcessedEvent(
  message: StoredMessage,
  outcome: ProcessingOutcome,
  at = new Date(),
): MessageProcessedEvent {
  return {
    type: 'message.processed',
    at: at.toISOString(),
    messageId: message.id,
    status: outcome.status,
    channels: outcome.results.map((r) => ({ channelId: r.channelId, status: r.status })),
    processingSeconds: outcome.seconds,
    error: outcome.results.find((r) => r.error !== null)?.error ?? null,
  };
}

export function deliveryEvent(report: DeliveryAttemptReport, at = new Date()): DeliveryEvent {
  const { delivery } = report;
  return {
    type: 'delivery.attempted',
    at: at.toISOString(),
    deliveryId: delivery.id,
    messageId: delivery.messageId,
    channelId: delivery.channelId,
    destination: delivery.destination,
    ok: report.ok,
    status: report.ok ? 'sent' : report.retryAt ? 'queued' : 'error',
    // The queue reports the delivery as it read it, before this attempt.
    attempts: delivery.attempts + 1,
    seconds: Math.max(0, (at.getTime() - delivery.createdAt.getTime()) / 1000),
    error: report.error,
  };
}

/** Publishes channel.state and delivery.attempted from the channel manager; returns the unsubscribe. */
export function publishChannelEvents(channels: ChannelManager, events: EngineEvents): () => void {
  const onState = (channelId: string, state: string): void =>
    events.publish({ type: 'channel.state', at: new Date().toISOString(), channelId, state });
  const onDelivery = (report: DeliveryAttemptReport): void => events.publish(deliveryEvent(report));
  channels.on('state', onState);
  channels.on('delivery', onDelivery);
  return () => {
    channels.off('state', onState);
    channels.off('delivery', onDelivery);
  };
}
