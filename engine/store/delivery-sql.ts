/** SQL of the per-destination delivery queues (see deliveries in 001_messages.sql). */

/**
 * Deliveries of destination ($1 channel, $2 destination) that may be sent next: queued, and either
 * without partition or the oldest queued one of their partition. A partition whose head waits for a
 * retry therefore holds its later deliveries back (one patient's events arrive in order); a
 * dead-lettered head (status error) no longer does, or one bad message would stop a patient forever.
 */
export const ELIGIBLE = `d.channel_id = $1 AND d.destination = $2 AND d.status = 'queued'
  AND (d.partition_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM deliveries e
    WHERE e.channel_id = d.channel_id AND e.destination = d.destination AND e.partition_key = d.partition_key
      AND e.status = 'queued' AND e.id < d.id))`;

/** Status change and attempt log in one statement, so it is atomic with or without a caller's tx. */
export const MARK_SENT = `WITH d AS (
    UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), response = $2
    WHERE id = $1 AND status = 'queued'
    RETURNING id, attempts
  )
  INSERT INTO delivery_attempts (delivery_id, attempt, ok, response)
  SELECT id, attempts, true, $2 FROM d
  RETURNING delivery_id`;

export const MARK_FAILED = `WITH d AS (
    UPDATE deliveries SET attempts = attempts + 1, last_error = $2,
      status = CASE WHEN $3::timestamptz IS NULL THEN 'error' ELSE 'queued' END,
      next_attempt_at = COALESCE($3::timestamptz, next_attempt_at)
    WHERE id = $1 AND status = 'queued'
    RETURNING id, attempts
  )
  INSERT INTO delivery_attempts (delivery_id, attempt, ok, error)
  SELECT id, attempts, false, $2 FROM d`;

export const INSERT_DELIVERIES = `INSERT INTO deliveries (message_id, run, channel_id, destination, partition_key,
    max_attempts, payload, content_type)
  SELECT $1::bigint, $2::int, u.channel_id, u.destination, $3::text, u.max_attempts, u.payload, u.content_type
  FROM unnest($4::text[], $5::text[], $6::int[], $7::bytea[], $8::text[]) WITH ORDINALITY
    AS u(channel_id, destination, max_attempts, payload, content_type, ord)
  ORDER BY u.ord`;

export const INSERT_CHANNEL_RESULTS = `INSERT INTO channel_results (message_id, channel_id, run, status, error, detail)
  SELECT $1::bigint, u.channel_id, $2::int, u.status, u.error, u.detail
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(channel_id, status, error, detail)`;
