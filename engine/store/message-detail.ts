/**
 * One message in full for the admin API (GET /api/messages/:id): its summary, raw bytes and ACK, the
 * channel results of its latest run, and every delivery of every run with its attempts. Four queries,
 * each on a primary key or a message_id index. Delivery lookups for resend are here too.
 */
import type { SqlClient } from '../db/sql.ts';
import {
  CHANNEL_STATES_LATERAL,
  SUMMARY_COLUMNS,
  toSummary,
  type MessageSummary,
  type SummaryRow,
} from './message-search.ts';
import { isId, toChannelResult, type AttemptRow, type ChannelResultRow } from './rows.ts';
import type { ChannelResult, DeliveryStatus } from './types.ts';

/** A message with thousands of deliveries is a runaway reprocess loop: the detail shows the newest. */
export const DETAIL_MAX_DELIVERIES = 1000;
/** Attempts per delivery shown (the newest). */
export const DETAIL_MAX_ATTEMPTS = 100;

export interface AttemptDetail {
  readonly attempt: number;
  readonly at: Date;
  readonly ok: boolean;
  readonly error: string | null;
  readonly response: string | null;
}

export interface DeliveryDetail {
  readonly id: string;
  /** The processing run that queued it (1 at ingest, +1 per reprocess). */
  readonly run: number;
  readonly channelId: string;
  readonly destination: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly contentType: string;
  readonly payload: Buffer;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
  /** The last response the destination gave. */
  readonly response: string | null;
  /** Oldest first. */
  readonly attemptLog: readonly AttemptDetail[];
}

export interface MessageDetail {
  readonly summary: MessageSummary;
  readonly raw: Buffer;
  readonly ack: Buffer;
  readonly error: string | null;
  /** The latest run that recorded any, by channel id. */
  readonly channelResults: readonly ChannelResult[];
  /** Every run, oldest first (the newest DETAIL_MAX_DELIVERIES). */
  readonly deliveries: readonly DeliveryDetail[];
}

export interface DeliveryRef {
  readonly id: string;
  readonly messageId: string;
  readonly channelId: string;
  readonly destination: string;
  readonly status: DeliveryStatus;
}

interface DetailRow extends SummaryRow {
  raw: Buffer;
  ack: Buffer;
  error: string | null;
}

interface DeliveryDetailRow {
  id: string;
  run: number;
  channel_id: string;
  destination: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  content_type: string;
  payload: Buffer;
  created_at: Date;
  sent_at: Date | null;
  response: string | null;
}

export class MessageDetails {
  private readonly db: SqlClient;

  constructor(db: SqlClient) {
    this.db = db;
  }

  /** null for an unknown id (and for anything that is not an id). */
  async read(id: string): Promise<MessageDetail | null> {
    if (!isId(id)) return null;
    const { rows } = await this.db.query<DetailRow>(
      `SELECT m.*, ch.channel_ids, ch.channel_statuses
       FROM (SELECT ${SUMMARY_COLUMNS}, m.raw, m.ack, m.error FROM messages m WHERE m.id = $1) m
       ${CHANNEL_STATES_LATERAL}`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const [channelResults, deliveries] = await Promise.all([this.channelResults(id), this.deliveries(id)]);
    return {
      summary: toSummary(row),
      raw: row.raw,
      ack: row.ack,
      error: row.error,
      channelResults,
      deliveries,
    };
  }

  async delivery(id: string): Promise<DeliveryRef | null> {
    if (!isId(id)) return null;
    const { rows } = await this.db.query<{
      id: string;
      message_id: string;
      channel_id: string;
      destination: string;
      status: DeliveryStatus;
    }>(`SELECT id, message_id, channel_id, destination, status FROM deliveries WHERE id = $1`, [id]);
    const r = rows[0];
    return r
      ? {
          id: r.id,
          messageId: r.message_id,
          channelId: r.channel_id,
          destination: r.destination,
          status: r.status,
        }
      : null;
  }

  private async channelResults(id: string): Promise<ChannelResult[]> {
    const { rows } = await this.db.query<ChannelResultRow>(
      `SELECT channel_id, status, error, detail FROM channel_results
       WHERE message_id = $1 AND run = (SELECT max(run) FROM channel_results WHERE message_id = $1)
       ORDER BY channel_id`,
      [id],
    );
    return rows.map(toChannelResult);
  }

  private async deliveries(id: string): Promise<DeliveryDetail[]> {
    const { rows } = await this.db.query<DeliveryDetailRow>(
      `SELECT * FROM (
         SELECT id, run, channel_id, destination, status, attempts, max_attempts, next_attempt_at, last_error,
           content_type, payload, created_at, sent_at, response
         FROM deliveries WHERE message_id = $1 ORDER BY id DESC LIMIT $2
       ) d ORDER BY id`,
      [id, DETAIL_MAX_DELIVERIES],
    );
    if (rows.length === 0) return [];
    const attempts = await this.db.query<AttemptRow>(
      `SELECT a.delivery_id, a.attempt, a.at, a.ok, a.error, a.response
       FROM unnest($1::bigint[]) AS d(id)
       CROSS JOIN LATERAL (
         SELECT * FROM delivery_attempts WHERE delivery_id = d.id ORDER BY attempt DESC LIMIT $2
       ) a
       ORDER BY a.delivery_id, a.attempt`,
      [rows.map((r) => r.id), DETAIL_MAX_ATTEMPTS],
    );
    const byDelivery = new Map<string, AttemptDetail[]>();
    for (const a of attempts.rows) {
      const list = byDelivery.get(a.delivery_id) ?? [];
      list.push({ attempt: a.attempt, at: a.at, ok: a.ok, error: a.error, response: a.response });
      byDelivery.set(a.delivery_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      run: r.run,
      channelId: r.channel_id,
      destination: r.destination,
      status: r.status,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      contentType: r.content_type,
      payload: r.payload,
      createdAt: r.created_at,
      sentAt: r.sent_at,
      response: r.response,
      attemptLog: byDelivery.get(r.id) ?? [],
    }));
  }
}
