/**
 * MessageStore port: every message as received, its processing state, per-channel results and
 * per-destination deliveries with attempts. One implementation over the SQL port (PGlite or pg);
 * group commit wraps `ingest`.
 *
 * Independent aspects of state, one enum each (each transition is one SQL statement or transaction):
 *  - AckCode: what the sender was told (AA/AE/AR), fixed at ingest.
 *  - MessageStatus: how far the engine got with the message.
 *  - DeliveryStatus: per destination.
 */
import type { SqlQueryable } from '../db/sql.ts';

export type AckCode = 'AA' | 'AE' | 'AR';

/**
 * received   - committed, waiting for the dispatcher (or being processed)
 * processed  - every matching channel ran (their deliveries are queued or done)
 * filtered   - no channel accepted it (all filtered out, or no channel listens for this type)
 * error      - a channel failed on it (see channel results); reprocess to try again
 * rejected   - NAKed at ingest (AE/AR): kept for review, never dispatched
 * duplicate  - a resend within the dedup window: kept, answered with the original ACK, not processed
 */
export type MessageStatus = 'received' | 'processed' | 'filtered' | 'error' | 'rejected' | 'duplicate';

export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'received',
  'processed',
  'filtered',
  'error',
  'rejected',
  'duplicate',
];

/** queued - waiting (maybe for its next attempt); sent - delivered; error - dead-lettered */
export type DeliveryStatus = 'queued' | 'sent' | 'error';

export type ChannelResultStatus = 'filtered' | 'transformed' | 'error';

/** One patient identifier of a message (a PID-3 repetition): ID (CX.1) and assigning authority (CX.4.1). */
export interface PatientIdentifier {
  readonly id: string;
  /** '' when the repetition names none. */
  readonly authority: string;
}

export interface IngestRequest {
  readonly raw: Buffer;
  readonly listener: string; // e.g. "mllp:2575"
  readonly remoteAddress: string | null;
  /** Header fields; null when the bytes did not parse far enough (stored anyway). */
  readonly header: {
    readonly sendingApplication: string;
    readonly sendingFacility: string;
    readonly receivingApplication: string;
    readonly receivingFacility: string;
    readonly messageType: string;
    readonly triggerEvent: string;
    readonly controlId: string;
    readonly version: string;
  } | null;
  /** Partition key for ordered processing (patient identifier), or null. */
  readonly partitionKey: string | null;
  /** The acknowledgment we will send if this is NOT a duplicate. Stored with the message. */
  readonly ackCode: AckCode;
  readonly ack: Buffer;
  /** Why it was NAKed (AE/AR), for review. */
  readonly error: string | null;
  /** Dedup window in seconds; 0 disables deduplication. */
  readonly dedupWindowSeconds: number;
  /** Every PID-3 identifier, indexed for search (engine/store/patient-ids.ts). Absent = none. */
  readonly patientIds?: readonly PatientIdentifier[];
}

export interface IngestResult {
  readonly messageId: string; // bigint as decimal string
  /** Set when this was a resend: the id of the first message and its ACK is returned as `ack`. */
  readonly duplicateOf: string | null;
  readonly ack: Buffer;
  readonly ackCode: AckCode;
}

export interface StoredMessage {
  readonly id: string;
  readonly receivedAt: Date;
  readonly listener: string;
  readonly remoteAddress: string | null;
  readonly raw: Buffer;
  readonly messageType: string | null;
  readonly triggerEvent: string | null;
  readonly controlId: string | null;
  readonly sendingApplication: string | null;
  readonly sendingFacility: string | null;
  readonly partitionKey: string | null;
  readonly status: MessageStatus;
  readonly ackCode: AckCode;
  readonly ack: Buffer;
  readonly error: string | null;
  readonly duplicateOf: string | null;
  /** How many times processing started (1 on first run; reprocess increments). */
  readonly processingRuns: number;
}

export interface ChannelResult {
  readonly channelId: string;
  readonly status: ChannelResultStatus;
  readonly error: string | null;
  /** Which filter or step decided, for the console. */
  readonly detail: string | null;
}

export interface NewDelivery {
  readonly channelId: string;
  readonly destination: string; // destination name, unique within the channel
  readonly payload: Buffer;
  readonly contentType: string;
  readonly maxAttempts: number;
}

export interface Delivery {
  readonly id: string;
  readonly messageId: string;
  readonly channelId: string;
  readonly destination: string;
  readonly partitionKey: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly payload: Buffer;
  readonly contentType: string;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

export interface DeliveryAttempt {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly at: Date;
  readonly ok: boolean;
  readonly error: string | null;
  readonly response: string | null;
}

export interface MessageCounts {
  readonly byStatus: Readonly<Record<MessageStatus, number>>;
  readonly deliveriesByStatus: Readonly<Record<DeliveryStatus, number>>;
}

export interface MessageStore {
  /** Commits every request (one transaction for the batch) and says what to answer each sender. */
  ingest(requests: readonly IngestRequest[]): Promise<IngestResult[]>;
  get(id: string): Promise<StoredMessage | null>;
  /** Messages in status `received`, oldest first, with id > afterId. The dispatcher's durable queue. */
  listReceived(afterId: string | null, limit: number): Promise<StoredMessage[]>;
  /**
   * One transaction: channel results recorded, deliveries queued, message status set and
   * processing_runs unchanged. Idempotent per (message, run): a second call for the same run is a no-op
   * returning false (so a crash between processing and commit re-runs cleanly).
   * `run`: the processingRuns the caller read before processing; when given, a completion from a stale
   * run (the message was completed and reprocessed meanwhile) is refused too, instead of being filed
   * under the newer run.
   */
  completeProcessing(
    messageId: string,
    status: Exclude<MessageStatus, 'received' | 'rejected' | 'duplicate'>,
    results: readonly ChannelResult[],
    deliveries: readonly NewDelivery[],
    run?: number,
  ): Promise<boolean>;
  /** Sets a processed/filtered/error message back to `received` (processing_runs + 1). */
  reprocess(messageId: string): Promise<boolean>;
  /** The results of the latest run that recorded any, by channel id. */
  channelResults(messageId: string): Promise<ChannelResult[]>;
  /** Every delivery of the message, all runs, oldest first. */
  deliveries(messageId: string): Promise<Delivery[]>;
  /**
   * Due deliveries of one destination (status queued, next_attempt_at <= now), oldest first, at most
   * one per partition key and only a partition's oldest queued delivery (per-patient order).
   */
  dueDeliveries(channelId: string, destination: string, now: Date, limit: number): Promise<Delivery[]>;
  /**
   * Marks sent and logs the attempt. With `tx`, inside the caller's transaction (exactly-once writes).
   * Throws DeliveryNotQueuedError when the delivery is not queued (already sent by someone else): the
   * caller's transaction must then roll back.
   */
  markDeliverySent(id: string, response: string | null, tx?: SqlQueryable): Promise<void>;
  /**
   * Logs a failed attempt; queued again at retryAt, or dead-lettered (status error) when retryAt is null.
   * The caller decides from attempts/maxAttempts. A no-op when the delivery is no longer queued.
   */
  markDeliveryFailed(id: string, error: string, retryAt: Date | null): Promise<void>;
  /**
   * Puts a dead-lettered or sent delivery back in the queue (resend), due now. attempts keeps counting
   * (the attempt log is cumulative), so a retry budget after a resend is the caller's to decide.
   */
  requeueDelivery(id: string): Promise<boolean>;
  attempts(deliveryId: string): Promise<DeliveryAttempt[]>;
  /**
   * Earliest next_attempt_at of the deliveries dueDeliveries could return (partition heads and
   * unpartitioned), or null when none: a blocked delivery must not make the worker poll in a loop.
   */
  nextDeliveryDueAt(channelId: string, destination: string): Promise<Date | null>;
  counts(): Promise<MessageCounts>;
  /**
   * Forgets dedup keys first seen longer ago than the window (they can no longer match), so the
   * dedup table stays the size of one window. Returns how many were removed. Messages are kept.
   */
  pruneDedup(windowSeconds: number): Promise<number>;
}
