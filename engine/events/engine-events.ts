/**
 * Engine events: what the console's live stream and the Prometheus metrics are fed from. Ids, codes,
 * counts and timings only; fields that may quote message content (`error`) or identify a message to a
 * sender (`controlId`) are dropped for roles that may not read content (see http/routes/event-routes.ts).
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
  /** Seconds from the first byte of the frame to the ACK being ready (commit included). */
  readonly ackSeconds: number | null;
}

export interface MessageProcessedEvent {
  readonly type: 'message.processed';
  readonly at: string;
  readonly messageId: string;
  readonly status: MessageStatus;
  readonly channels: readonly { readonly channelId: string; readonly status: string }[];
  readonly processingSeconds: number;
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
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly error: string | null;
}

export interface ChannelStateEvent {
  readonly type: 'channel.state';
  readonly at: string;
  readonly channelId: string;
  readonly state: string;
}

export type EngineEvent = MessageReceivedEvent | MessageProcessedEvent | DeliveryEvent | ChannelStateEvent;

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
