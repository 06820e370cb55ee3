/**
 * The DICOM delivery queue's rows (migration 012): queued in the C-STORE index transaction, then
 * read, marked sent or failed (each attempt recorded), listed and requeued. Nothing here claims a
 * row: one queue loop per destination reads due rows and settles them all before reading again.
 */
import type { SqlClient, SqlQueryable } from '../../db/sql.ts';

export type DicomDeliveryStatus = 'queued' | 'sent' | 'error';
export const DICOM_DELIVERY_STATUSES: readonly DicomDeliveryStatus[] = ['queued', 'sent', 'error'];

export interface NewDicomDelivery {
  readonly channelId: string;
  readonly destination: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly objectKey: string;
  readonly maxAttempts: number;
}

export interface DicomDelivery extends NewDicomDelivery {
  /** bigint as a decimal string. */
  readonly id: string;
  readonly status: DicomDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

export interface DicomDeliveryCount {
  readonly channelId: string;
  readonly destination: string;
  readonly status: DicomDeliveryStatus;
  readonly count: number;
}

export interface DicomDeliveryFilter {
  readonly channelId?: string;
  readonly status?: DicomDeliveryStatus;
  /** Rows with a smaller id than this one (the previous page's last id). */
  readonly before?: string;
  readonly limit: number;
}

const COLUMNS = `id::text AS id, channel_id, destination, sop_instance_uid, study_instance_uid, object_key,
  status, attempts, max_attempts, next_attempt_at, last_error, created_at, sent_at`;

interface Row {
  id: string;
  channel_id: string;
  destination: string;
  sop_instance_uid: string;
  study_instance_uid: string;
  object_key: string;
  status: DicomDeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | string;
  last_error: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
}

const isId = (id: string): boolean => /^[1-9][0-9]{0,17}$/.test(id);

function toDelivery(r: Row): DicomDelivery {
  return {
    id: r.id,
    channelId: r.channel_id,
    destination: r.destination,
    sopInstanceUid: r.sop_instance_uid,
    studyInstanceUid: r.study_instance_uid,
    objectKey: r.object_key,
    maxAttempts: r.max_attempts,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  };
}

export class DicomDeliveryStore {
  constructor(private readonly db: SqlClient) {}

  /** Inserts the rows in `tx` (the C-STORE index transaction), in one statement. */
  async queue(tx: SqlQueryable, rows: readonly NewDicomDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO dicom_deliveries (channel_id, destination, sop_instance_uid, study_instance_uid, object_key, max_attempts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])`,
      [
        rows.map((r) => r.channelId),
        rows.map((r) => r.destination),
        rows.map((r) => r.sopInstanceUid),
        rows.map((r) => r.studyInstanceUid),
        rows.map((r) => r.objectKey),
        rows.map((r) => r.maxAttempts),
      ],
    );
  }

  async due(channelId: string, destination: string, limit: number): Promise<DicomDelivery[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM dicom_deliveries
       WHERE status = 'queued' AND channel_id = $1 AND destination = $2 AND next_attempt_at <= now()
       ORDER BY next_attempt_at, id LIMIT $3`,
      [channelId, destination, limit],
    );
    return rows.map(toDelivery);
  }

  async nextDueAt(channelId: string, destination: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ due: Date | string | null }>(
      `SELECT min(next_attempt_at) AS due FROM dicom_deliveries
       WHERE status = 'queued' AND channel_id = $1 AND destination = $2`,
      [channelId, destination],
    );
    const due = rows[0]?.due ?? null;
    return due === null ? null : new Date(due);
  }

  async markSent(id: string, response: string | null): Promise<void> {
    await this.db.query(
      `WITH d AS (
         UPDATE dicom_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL
         WHERE id = $1 RETURNING id, attempts, channel_id, destination),
       attempt AS (
         INSERT INTO dicom_delivery_attempts (delivery_id, attempt, ok, response)
         SELECT id, attempts, true, $2 FROM d)
       INSERT INTO dicom_delivery_totals (channel_id, destination, sent)
       SELECT channel_id, destination, 1 FROM d
       ON CONFLICT (channel_id, destination) DO UPDATE SET sent = dicom_delivery_totals.sent + 1`,
      [id, response],
    );
  }

  /** A failed attempt: queued again at `retryAt`, or dead-lettered (status error) when it is null. */
  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await this.db.query(
      `WITH d AS (
         UPDATE dicom_deliveries SET attempts = attempts + 1, last_error = $2,
           status = CASE WHEN $3::timestamptz IS NULL THEN 'error' ELSE 'queued' END,
           next_attempt_at = COALESCE($3::timestamptz, next_attempt_at)
         WHERE id = $1 RETURNING id, attempts)
       INSERT INTO dicom_delivery_attempts (delivery_id, attempt, ok, error)
       SELECT id, attempts, false, $2 FROM d`,
      [id, error, retryAt],
    );
  }

  /**
   * Dead-letters every queued delivery whose channel and destination is not among `served` (a channel
   * file removed, or a channel or destination disabled): nothing would ever send it, and a row in
   * status error shows on /metrics and in the API, where it can be retried once its destination is
   * back. Returns how many per channel and destination.
   */
  async deadLetterUnserved(
    served: readonly { readonly channelId: string; readonly destination: string }[],
    reason: string,
  ): Promise<{ channelId: string; destination: string; count: number }[]> {
    const { rows } = await this.db.query<{ channel_id: string; destination: string; n: number }>(
      `WITH parked AS (
         UPDATE dicom_deliveries d SET status = 'error', last_error = $3
          WHERE d.status = 'queued' AND NOT EXISTS (
            SELECT 1 FROM unnest($1::text[], $2::text[]) AS s(channel_id, destination)
             WHERE s.channel_id = d.channel_id AND s.destination = d.destination)
          RETURNING d.channel_id, d.destination)
       SELECT channel_id, destination, count(*)::int AS n FROM parked GROUP BY channel_id, destination`,
      [served.map((s) => s.channelId), served.map((s) => s.destination), reason],
    );
    return rows.map((r) => ({ channelId: r.channel_id, destination: r.destination, count: Number(r.n) }));
  }

  /** A dead-lettered delivery queued again, due now; false when there is none with this id in status error. */
  async requeue(id: string): Promise<boolean> {
    if (!isId(id)) return false;
    const { affectedRows } = await this.db.query(
      `UPDATE dicom_deliveries SET status = 'queued', next_attempt_at = now() WHERE id = $1 AND status = 'error'`,
      [id],
    );
    return affectedRows === 1;
  }

  async get(id: string): Promise<DicomDelivery | null> {
    if (!isId(id)) return null;
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM dicom_deliveries WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toDelivery(rows[0]);
  }

  /** Newest first. */
  async list(filter: DicomDeliveryFilter): Promise<DicomDelivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.channelId !== undefined) where.push(`channel_id = $${params.push(filter.channelId)}`);
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (filter.before !== undefined) where.push(`id < $${params.push(filter.before)}::bigint`);
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM dicom_deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(toDelivery);
  }

  async attempts(
    id: string,
  ): Promise<{ attempt: number; at: Date; ok: boolean; error: string | null; response: string | null }[]> {
    if (!isId(id)) return [];
    const { rows } = await this.db.query<{
      attempt: number;
      at: Date | string;
      ok: boolean;
      error: string | null;
      response: string | null;
    }>(
      'SELECT attempt, at, ok, error, response FROM dicom_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt',
      [id],
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at) }));
  }

  /** Queued and dead-lettered rows only (few, and on the due / channel-status indexes): for /metrics. */
  async pendingCounts(): Promise<DicomDeliveryCount[]> {
    const { rows } = await this.db.query<{
      channel_id: string;
      destination: string;
      status: DicomDeliveryStatus;
      n: number | string;
    }>(
      `SELECT channel_id, destination, status, count(*)::int AS n FROM dicom_deliveries
       WHERE status IN ('queued', 'error') GROUP BY channel_id, destination, status`,
    );
    return rows.map((r) => ({
      channelId: r.channel_id,
      destination: r.destination,
      status: r.status,
      count: Number(r.n),
    }));
  }

  /**
   * Per channel, destination and status: queued and dead-lettered rows counted live, sent ones from
   * the running totals (migration 013), so this does not scan every delivery ever sent.
   */
  async counts(): Promise<DicomDeliveryCount[]> {
    const [pending, totals] = await Promise.all([
      this.pendingCounts(),
      this.db.query<{ channel_id: string; destination: string; sent: string }>(
        'SELECT channel_id, destination, sent FROM dicom_delivery_totals',
      ),
    ]);
    const sent = totals.rows.map((r) => ({
      channelId: r.channel_id,
      destination: r.destination,
      status: 'sent' as const,
      count: Number(r.sent),
    }));
    return [...pending, ...sent];
  }
}

export { isId as isDicomDeliveryId };
