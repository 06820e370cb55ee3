/** Row shapes of the message store tables and their mapping to the port's types. */
import type {
  AckCode,
  ChannelResult,
  ChannelResultStatus,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  MessageStatus,
  StoredMessage,
} from './types.ts';

export const MESSAGE_COLUMNS = `id, received_at, listener, remote_address, raw, message_type, trigger_event, control_id,
  sending_application, sending_facility, partition_key, status, ack_code, ack, error, duplicate_of, processing_runs`;

export interface MessageRow {
  id: string;
  received_at: Date;
  listener: string;
  remote_address: string | null;
  raw: Buffer;
  message_type: string | null;
  trigger_event: string | null;
  control_id: string | null;
  sending_application: string | null;
  sending_facility: string | null;
  partition_key: string | null;
  status: MessageStatus;
  ack_code: AckCode;
  ack: Buffer;
  error: string | null;
  duplicate_of: string | null;
  processing_runs: number;
}

export function toStoredMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    receivedAt: r.received_at,
    listener: r.listener,
    remoteAddress: r.remote_address,
    raw: r.raw,
    messageType: r.message_type,
    triggerEvent: r.trigger_event,
    controlId: r.control_id,
    sendingApplication: r.sending_application,
    sendingFacility: r.sending_facility,
    partitionKey: r.partition_key,
    status: r.status,
    ackCode: r.ack_code,
    ack: r.ack,
    error: r.error,
    duplicateOf: r.duplicate_of,
    processingRuns: r.processing_runs,
  };
}

export interface ChannelResultRow {
  channel_id: string;
  status: ChannelResultStatus;
  error: string | null;
  detail: string | null;
}

export function toChannelResult(r: ChannelResultRow): ChannelResult {
  return { channelId: r.channel_id, status: r.status, error: r.error, detail: r.detail };
}

/** Selected from `deliveries d`. */
export const DELIVERY_COLUMNS = `d.id, d.message_id, d.channel_id, d.destination, d.partition_key, d.status,
  d.attempts, d.max_attempts, d.next_attempt_at, d.last_error, d.payload, d.content_type, d.created_at, d.sent_at`;

export interface DeliveryRow {
  id: string;
  message_id: string;
  channel_id: string;
  destination: string;
  partition_key: string | null;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  payload: Buffer;
  content_type: string;
  created_at: Date;
  sent_at: Date | null;
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    messageId: r.message_id,
    channelId: r.channel_id,
    destination: r.destination,
    partitionKey: r.partition_key,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    payload: r.payload,
    contentType: r.content_type,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  ok: boolean;
  error: string | null;
  response: string | null;
}

export function toAttempt(r: AttemptRow): DeliveryAttempt {
  return {
    deliveryId: r.delivery_id,
    attempt: r.attempt,
    at: r.at,
    ok: r.ok,
    error: r.error,
    response: r.response,
  };
}

/**
 * PostgreSQL text cannot hold U+0000, and header fields, errors and remote responses come from bytes
 * we do not control: one NUL must not fail a whole group-commit batch. The exact bytes stay in bytea.
 */
export function sqlText<T extends string | null>(value: T): T {
  return (value === null || !value.includes('\u0000') ? value : value.replaceAll('\u0000', '\uFFFD')) as T;
}

const ID = /^[1-9][0-9]{0,17}$/;

/** Ids are bigint as decimal strings; anything else (e.g. from a URL) names no row rather than failing. */
export function isId(id: string): boolean {
  return ID.test(id);
}
