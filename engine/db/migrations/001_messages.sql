-- Message store (engine/store/sql-message-store.ts). Three independent state enums, one per aspect:
-- what the sender was told (ack_code), how far processing got (messages.status), and per-destination
-- delivery (deliveries.status). Every transition is one statement or one transaction.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

-- Every message exactly as received, committed BEFORE the sender gets its ACK. raw is bytea, never
-- text: HL7 v2 bytes may be in any charset (or not valid in any) and must be kept byte for byte.
-- Header columns are NULL when the bytes did not parse far enough. The message is the dispatcher's
-- durable queue: status 'received' = waiting to be processed.
CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  listener text NOT NULL,
  remote_address text,
  raw bytea NOT NULL,
  sending_application text,
  sending_facility text,
  receiving_application text,
  receiving_facility text,
  message_type text,
  trigger_event text,
  control_id text,
  version text,
  partition_key text,
  status text NOT NULL
    CHECK (status IN ('received', 'processed', 'filtered', 'error', 'rejected', 'duplicate')),
  ack_code text NOT NULL CHECK (ack_code IN ('AA', 'AE', 'AR')),
  ack bytea NOT NULL,
  error text,
  duplicate_of bigint REFERENCES messages (id) ON DELETE SET NULL,
  -- Run number of the current (or last) processing: 1 at ingest, +1 per reprocess. Channel results
  -- and deliveries carry it so a re-run never mixes with an earlier one.
  processing_runs integer NOT NULL DEFAULT 1 CHECK (processing_runs >= 1),
  status_changed_at timestamptz NOT NULL DEFAULT now()
);

-- The dispatcher polls "status received, id > cursor, oldest first": a partial index stays as small as
-- the backlog, however many messages are kept.
CREATE INDEX messages_received_idx ON messages (id) WHERE status = 'received';

-- Console search: "find the message with control ID X" and time-range browsing.
CREATE INDEX messages_control_id_idx ON messages (control_id) WHERE control_id IS NOT NULL;
CREATE INDEX messages_received_at_idx ON messages (received_at);

-- Deleting an original must find its duplicates (ON DELETE SET NULL) without a full scan.
CREATE INDEX messages_duplicate_of_idx ON messages (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Deduplication: (sender, control ID) first accepted within the window. A row per key, claimed with
-- INSERT .. ON CONFLICT DO UPDATE .. WHERE first_seen is older than the window, which is atomic even with
-- several engine nodes on one PostgreSQL. Only accepted (AA) messages are recorded: a sender that
-- corrects a NAKed message and resends it with the same control ID must get it processed.
-- The sender is two columns rather than a concatenated key, so no separator can make two senders collide.
CREATE TABLE message_dedup (
  sending_application text NOT NULL,
  sending_facility text NOT NULL,
  control_id text NOT NULL,
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  first_seen timestamptz NOT NULL,
  PRIMARY KEY (sending_application, sending_facility, control_id)
);

-- Pruning expired keys scans by age.
CREATE INDEX message_dedup_first_seen_idx ON message_dedup (first_seen);
CREATE INDEX message_dedup_message_id_idx ON message_dedup (message_id);

-- What each channel did with a message, per processing run (reprocess adds a run and keeps the old
-- one for review). The primary key makes recording a run twice impossible.
CREATE TABLE channel_results (
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  channel_id text NOT NULL,
  run integer NOT NULL,
  status text NOT NULL CHECK (status IN ('filtered', 'transformed', 'error')),
  error text,
  detail text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, channel_id, run)
);

-- One outbound payload per (message, run, channel, destination), each with its own queue and retry
-- state. partition_key (copied from the message) keeps one patient's deliveries to a destination in
-- order: only the oldest queued delivery of a partition is eligible.
CREATE TABLE deliveries (
  id bigserial PRIMARY KEY,
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  run integer NOT NULL,
  channel_id text NOT NULL,
  destination text NOT NULL,
  partition_key text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'error')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  payload bytea NOT NULL,
  content_type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  response text
);

CREATE INDEX deliveries_message_id_idx ON deliveries (message_id);

-- Destination workers poll "queued and due" for one destination.
CREATE INDEX deliveries_due_idx ON deliveries (channel_id, destination, next_attempt_at)
  WHERE status = 'queued';

-- Per-partition order: "is there an older queued delivery in my partition" is one index probe.
CREATE INDEX deliveries_partition_head_idx ON deliveries (channel_id, destination, partition_key, id)
  WHERE status = 'queued' AND partition_key IS NOT NULL;

-- Every attempt, successful or not, for the console and for audits of what was sent where and when.
CREATE TABLE delivery_attempts (
  delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  ok boolean NOT NULL,
  error text,
  response text,
  PRIMARY KEY (delivery_id, attempt)
);
