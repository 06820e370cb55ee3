/**
 * MessageStore over the SQL port: the same code on embedded PGlite and on a PostgreSQL server
 * (schema in engine/db/migrations/001_messages.sql). Several engine nodes may share one server: every
 * state change is a single conditional statement or one transaction, so concurrent nodes cannot both
 * make the same transition.
 */
import type { SqlClient, SqlQueryable } from '../db/sql.ts';
import {
  ELIGIBLE,
  INSERT_CHANNEL_RESULTS,
  INSERT_DELIVERIES,
  MARK_FAILED,
  MARK_SENT,
} from './delivery-sql.ts';
import { DeliveryNotQueuedError } from './errors.ts';
import { ingestBatch } from './ingest-batch.ts';
import {
  DELIVERY_COLUMNS,
  MESSAGE_COLUMNS,
  isId,
  sqlText,
  toAttempt,
  toChannelResult,
  toDelivery,
  toStoredMessage,
  type AttemptRow,
  type ChannelResultRow,
  type DeliveryRow,
  type MessageRow,
} from './rows.ts';
import { MESSAGE_STATUSES } from './types.ts';
import type {
  ChannelResult,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  IngestRequest,
  IngestResult,
  MessageCounts,
  MessageStatus,
  MessageStore,
  NewDelivery,
  StoredMessage,
} from './types.ts';

const COMPLETED: ReadonlySet<string> = new Set(['processed', 'filtered', 'error']);
const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sent', 'error'];

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, not ${limit}`);
}

export class SqlMessageStore implements MessageStore {
  // TS-private, not #private: wrappers built with Object.create or a Proxy keep working.
  private readonly db: SqlClient;

  constructor(db: SqlClient) {
    this.db = db;
  }

  async ingest(requests: readonly IngestRequest[]): Promise<IngestResult[]> {
    if (requests.length === 0) return [];
    return this.db.transaction((tx) => ingestBatch(tx, requests));
  }

  async get(id: string): Promise<StoredMessage | null> {
    if (!isId(id)) return null;
    const { rows } = await this.db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`,
      [id],
    );
    return rows[0] ? toStoredMessage(rows[0]) : null;
  }

  async listReceived(afterId: string | null, limit: number): Promise<StoredMessage[]> {
    assertLimit(limit);
    if (afterId !== null && !isId(afterId)) throw new RangeError(`afterId is not a message id: ${afterId}`);
    const { rows } = await this.db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE status = 'received' AND id > $1 ORDER BY id LIMIT $2`,
      [afterId ?? '0', limit],
    );
    return rows.map(toStoredMessage);
  }

  /**
   * The conditional UPDATE is the guard: it matches only while the message is 'received' (and, with
   * `run`, still in that run), and its row lock makes a concurrent second completion wait and then
   * match nothing. Results and deliveries are only written after it matched.
   */
  async completeProcessing(
    messageId: string,
    status: Exclude<MessageStatus, 'received' | 'rejected' | 'duplicate'>,
    results: readonly ChannelResult[],
    deliveries: readonly NewDelivery[],
    run?: number,
  ): Promise<boolean> {
    if (!COMPLETED.has(status)) throw new RangeError(`cannot complete processing with status ${status}`);
    if (!isId(messageId)) return false;
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ processing_runs: number; partition_key: string | null }>(
        `UPDATE messages SET status = $2, status_changed_at = now()
         WHERE id = $1 AND status = 'received' AND ($3::int IS NULL OR processing_runs = $3::int)
         RETURNING processing_runs, partition_key`,
        [messageId, status, run ?? null],
      );
      const message = rows[0];
      if (!message) return false;
      if (results.length > 0) {
        await tx.query(INSERT_CHANNEL_RESULTS, [
          messageId,
          message.processing_runs,
          results.map((r) => sqlText(r.channelId)),
          results.map((r) => r.status),
          results.map((r) => sqlText(r.error)),
          results.map((r) => sqlText(r.detail)),
        ]);
      }
      if (deliveries.length > 0) {
        await tx.query(INSERT_DELIVERIES, [
          messageId,
          message.processing_runs,
          message.partition_key,
          deliveries.map((d) => sqlText(d.channelId)),
          deliveries.map((d) => sqlText(d.destination)),
          deliveries.map((d) => d.maxAttempts),
          deliveries.map((d) => d.payload),
          deliveries.map((d) => sqlText(d.contentType)),
        ]);
      }
      return true;
    });
  }

  async reprocess(messageId: string): Promise<boolean> {
    if (!isId(messageId)) return false;
    const { affectedRows } = await this.db.query(
      `UPDATE messages SET status = 'received', processing_runs = processing_runs + 1, status_changed_at = now()
       WHERE id = $1 AND status IN ('processed', 'filtered', 'error')`,
      [messageId],
    );
    return affectedRows === 1;
  }

  async channelResults(messageId: string): Promise<ChannelResult[]> {
    if (!isId(messageId)) return [];
    const { rows } = await this.db.query<ChannelResultRow>(
      `SELECT channel_id, status, error, detail FROM channel_results
       WHERE message_id = $1 AND run = (SELECT max(run) FROM channel_results WHERE message_id = $1)
       ORDER BY channel_id`,
      [messageId],
    );
    return rows.map(toChannelResult);
  }

  async deliveries(messageId: string): Promise<Delivery[]> {
    if (!isId(messageId)) return [];
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.message_id = $1 ORDER BY d.id`,
      [messageId],
    );
    return rows.map(toDelivery);
  }

  async dueDeliveries(channelId: string, destination: string, now: Date, limit: number): Promise<Delivery[]> {
    assertLimit(limit);
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d
       WHERE ${ELIGIBLE} AND d.next_attempt_at <= $3 ORDER BY d.id LIMIT $4`,
      [sqlText(channelId), sqlText(destination), now, limit],
    );
    return rows.map(toDelivery);
  }

  async markDeliverySent(id: string, response: string | null, tx?: SqlQueryable): Promise<void> {
    if (!isId(id)) throw new DeliveryNotQueuedError(id);
    const { rows } = await (tx ?? this.db).query(MARK_SENT, [id, sqlText(response)]);
    if (rows.length !== 1) throw new DeliveryNotQueuedError(id);
  }

  async markDeliveryFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    if (!isId(id)) return;
    await this.db.query(MARK_FAILED, [id, sqlText(error), retryAt]);
  }

  async requeueDelivery(id: string): Promise<boolean> {
    if (!isId(id)) return false;
    const { affectedRows } = await this.db.query(
      `UPDATE deliveries SET status = 'queued', next_attempt_at = now(), sent_at = NULL
       WHERE id = $1 AND status IN ('sent', 'error')`,
      [id],
    );
    return affectedRows === 1;
  }

  async attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    if (!isId(deliveryId)) return [];
    const { rows } = await this.db.query<AttemptRow>(
      `SELECT delivery_id, attempt, at, ok, error, response FROM delivery_attempts
       WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
    return rows.map(toAttempt);
  }

  async nextDeliveryDueAt(channelId: string, destination: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ due: Date | null }>(
      `SELECT min(d.next_attempt_at) AS due FROM deliveries d WHERE ${ELIGIBLE}`,
      [sqlText(channelId), sqlText(destination)],
    );
    return rows[0]?.due ?? null;
  }

  async pruneDedup(windowSeconds: number): Promise<number> {
    const { affectedRows } = await this.db.query(
      `DELETE FROM message_dedup WHERE first_seen < now() - make_interval(secs => $1::double precision)`,
      [windowSeconds],
    );
    return affectedRows;
  }

  async counts(): Promise<MessageCounts> {
    const { rows } = await this.db.query<{ kind: 'm' | 'd'; status: string; n: number }>(
      `SELECT 'm' AS kind, status, count(*)::int AS n FROM messages GROUP BY status
       UNION ALL
       SELECT 'd' AS kind, status, count(*)::int AS n FROM deliveries GROUP BY status`,
    );
    const byStatus = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
    const deliveriesByStatus = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<
      DeliveryStatus,
      number
    >;
    for (const r of rows) {
      if (r.kind === 'm') byStatus[r.status as MessageStatus] = r.n;
      else deliveriesByStatus[r.status as DeliveryStatus] = r.n;
    }
    return { byStatus, deliveriesByStatus };
  }
}
