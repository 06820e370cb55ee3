/**
 * Engine events: what the console's live stream and the Prometheus metrics are fed from. Ids, codes,
 * counts and timings only; fields that may quote message content (`error`) or identify a message to a
 * sender (`controlId`) are dropped for roles that may not read content (see event-view.ts). Published
 * from engine.ts wiring (event-sources.ts); nothing here may hold message text or patient data.
 */
import { EventEmitter } from 'node:events';
import type { AckCode, DeliveryStatus, MessageStatus } from '../store/types.ts';

export interface MessageReceivedEvent {
  readonly type: 'message.received';
  readonly at: string;
  readonly messageId: string;
  readonly listener: string;
  readonly messageType: string | null;
  readonly triggerEvent: string | null;
  readonly controlId: string | null;
  readonly ackCode: AckCode;
  readonly status: MessageStatus;
  /**
   * Seconds the ACK waited on the store: from the ingest request to its commit (group commit wait
   * included). Parsing before it is not counted; it is small next to the commit.
   */
  readonly ackSeconds: number;
}

export interface MessageProcessedEvent {
  readonly type: 'message.processed';
  readonly at: string;
  readonly messageId: string;
  readonly status: MessageStatus;
  /** One entry per channel that took the message: `transformed`, `filtered` or `error`. */
  readonly channels: readonly { readonly channelId: string; readonly status: string }[];
  /** Seconds from the dispatcher handing the message over to its results being committed. */
  readonly processingSeconds: number;
  /** The first channel error (may quote content). */
  readonly error: string | null;
}

export interface DeliveryEvent {
  readonly type: 'delivery.attempted';
  readonly at: string;
  readonly deliveryId: string;
  readonly messageId: string;
  readonly channelId: string;
  readonly destination: string;
  readonly ok: boolean;
  /** After this attempt: `sent`, `queued` (a retry is planned) or `error` (dead-lettered). */
  readonly status: DeliveryStatus;
  /** Attempts made, this one included. */
  readonly attempts: number;
  /** Seconds from the delivery being queued to this attempt's outcome (retry waits included). */
  readonly seconds: number;
  /** What the destination answered (may quote content). */
  readonly error: string | null;
}

export interface ChannelStateEvent {
  readonly type: 'channel.state';
  readonly at: string;
  readonly channelId: string;
  readonly state: string;
}

export type EngineEvent = MessageReceivedEvent | MessageProcessedEvent | DeliveryEvent | ChannelStateEvent;

export type EngineEventType = EngineEvent['type'];

export const ENGINE_EVENT_TYPES: readonly EngineEventType[] = [
  'message.received',
  'message.processed',
  'delivery.attempted',
  'channel.state',
];

export class EngineEvents extends EventEmitter<{ event: [EngineEvent] }> {
  constructor() {
    super();
    // One listener per open console stream: many consoles are normal, not a leak.
    this.setMaxListeners(0);
  }

  publish(event: EngineEvent): void {
    this.emit('event', event);
  }
}
