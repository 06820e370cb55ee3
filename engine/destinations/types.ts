/**
 * Destination port. Sources and destinations share one lifecycle (start/stop); the engine owns the
 * queue and retry policy of each destination (deliveries table), a destination only delivers.
 */
import type { Payload } from '../channels/transform.ts';
import type { DestinationType } from '../channels/types.ts';
import type { SqlQueryable } from '../db/sql.ts';

export interface DeliveryContext {
  readonly deliveryId: string;
  readonly messageId: string;
  readonly channelId: string;
  readonly controlId: string;
  readonly messageType: string;
  readonly triggerEvent: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
}

/**
 * transient: retry with backoff (timeouts, connection refused, 5xx, AE).
 * permanent: dead-letter at once (4xx, AR, payload the destination can never take).
 */
export type DeliveryOutcome =
  | { readonly ok: true; readonly response: string | null }
  | { readonly ok: false; readonly error: string; readonly errorClass: 'transient' | 'permanent' };

export interface Destination {
  readonly name: string;
  readonly type: DestinationType;
  start(): Promise<void>;
  stop(): Promise<void>;
  deliver(payload: Payload, ctx: DeliveryContext): Promise<DeliveryOutcome>;
}

/**
 * A destination whose writes live in the engine's own database: it delivers inside the transaction
 * that also marks the delivery sent, so a crash can never write twice (exactly once).
 */
export interface TransactionalDestination extends Destination {
  readonly transactional: true;
  deliverInTransaction(tx: SqlQueryable, payload: Payload, ctx: DeliveryContext): Promise<DeliveryOutcome>;
}

export function isTransactional(d: Destination): d is TransactionalDestination {
  return (d as Partial<TransactionalDestination>).transactional === true;
}
