/** SQL of the ingest transaction (see ingest-batch.ts). Arrays in, one row per request out. */

/**
 * Inserts the batch's messages and records its dedup claims in ONE statement (one round trip: PGlite
 * runs in this process, a server is a network hop away).
 * - Ids are drawn from the sequence in a materialized CTE and joined back by ordinality, so each id maps
 *   to its request by construction, not by trusting the order RETURNING happens to produce.
 * - The claim is INSERT .. ON CONFLICT DO UPDATE .. WHERE the recorded key is older than the window.
 *   It locks a conflicting row and re-checks it against the latest committed version, so two nodes
 *   claiming one key cannot both win. Keys go in sorted order so concurrent batches lock them in the
 *   same order (no deadlock). The message rows it references are inserted by the sibling CTE: the
 *   foreign key is checked at the end of the statement.
 * $1 count, $2..$16 message columns, $17..$20 claims (application, facility, control id, ordinal),
 * $21 window in seconds, $22 patient identifier keys (one text per message, PATIENT_KEY_SEPARATOR between
 * keys, engine/store/patient-ids.ts; string_to_array of NULL is NULL).
 */
export const INSERT_AND_CLAIM = `WITH ids AS MATERIALIZED (
    SELECT ord, nextval('messages_id_seq') AS id FROM generate_series(1, $1::int) AS ord
  ), ins AS (
    INSERT INTO messages (id, listener, remote_address, raw, sending_application, sending_facility,
      receiving_application, receiving_facility, message_type, trigger_event, control_id, version,
      partition_key, status, ack_code, ack, error, patient_ids)
    SELECT ids.id, u.listener, u.remote_address, u.raw, u.sa, u.sf, u.ra, u.rf, u.mt, u.te, u.cid, u.ver,
      u.pk, CASE WHEN u.ack_code = 'AA' THEN 'received' ELSE 'rejected' END, u.ack_code, u.ack, u.error,
      string_to_array(u.pids, chr(30))
    FROM unnest($2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bytea[], $16::text[],
      $22::text[])
      WITH ORDINALITY AS u(listener, remote_address, raw, sa, sf, ra, rf, mt, te, cid, ver, pk, ack_code, ack,
      error, pids, ord)
    JOIN ids USING (ord)
    ORDER BY ord
    RETURNING id
  ), claim AS (
    INSERT INTO message_dedup AS d (sending_application, sending_facility, control_id, message_id, first_seen)
    SELECT c.sa, c.sf, c.cid, ids.id, now()
    FROM unnest($17::text[], $18::text[], $19::text[], $20::int[]) AS c(sa, sf, cid, ord)
    JOIN ids USING (ord)
    ORDER BY c.sa, c.sf, c.cid
    ON CONFLICT (sending_application, sending_facility, control_id) DO UPDATE
      SET message_id = EXCLUDED.message_id, first_seen = EXCLUDED.first_seen
      WHERE d.first_seen <= now() - make_interval(secs => $21::float8)
    RETURNING message_id
  )
  SELECT ids.ord::int AS ord, ins.id, claim.message_id IS NOT NULL AS claimed
  FROM ins JOIN ids USING (id) LEFT JOIN claim ON claim.message_id = ins.id
  ORDER BY ids.ord`;

/** Claims of a batch whose requests have another window than its first claim (rare: separate statement). */
export const CLAIM = `INSERT INTO message_dedup AS d (sending_application, sending_facility, control_id, message_id,
    first_seen)
  SELECT u.sa, u.sf, u.cid, u.id, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(sa, sf, cid, id)
  ORDER BY u.sa, u.sf, u.cid
  ON CONFLICT (sending_application, sending_facility, control_id) DO UPDATE
    SET message_id = EXCLUDED.message_id, first_seen = EXCLUDED.first_seen
    WHERE d.first_seen <= now() - make_interval(secs => $5::float8)
  RETURNING message_id`;

/** The live original of each key, if any: $1..$3 key, $4 window of the asking request. */
export const LOOK_UP_ORIGINALS = `SELECT u.ord::int AS ord, m.id, m.ack, m.ack_code
  FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) WITH ORDINALITY AS u(sa, sf, cid, win, ord)
  JOIN message_dedup d ON d.sending_application = u.sa AND d.sending_facility = u.sf AND d.control_id = u.cid
  JOIN messages m ON m.id = d.message_id
  WHERE d.first_seen > now() - make_interval(secs => u.win)`;

export const MARK_DUPLICATES = `UPDATE messages AS m SET status = 'duplicate', duplicate_of = u.original
  FROM unnest($1::bigint[], $2::bigint[]) AS u(id, original) WHERE m.id = u.id`;
