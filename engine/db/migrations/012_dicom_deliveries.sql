-- DICOM routing (engine/dicom/routing/): one row per received instance and DICOM channel destination
-- whose rules it matched, inserted in the same transaction as the instance's index row. A C-STORE
-- success therefore means every forward it triggers is queued durably. status: queued (waiting or
-- retrying), sent, error (dead-lettered: attempts spent or a permanent failure). The object itself
-- stays in the object store under object_key (as received), the edits are applied on each attempt.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

CREATE TABLE IF NOT EXISTS dicom_deliveries (
  id bigserial PRIMARY KEY,
  channel_id text NOT NULL,
  destination text NOT NULL,
  sop_instance_uid text NOT NULL,
  study_instance_uid text NOT NULL,
  object_key text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'error')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL CHECK (max_attempts >= 1),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);

-- Destination queues poll "queued and due" for one destination.
CREATE INDEX IF NOT EXISTS dicom_deliveries_due_idx ON dicom_deliveries (channel_id, destination, next_attempt_at)
  WHERE status = 'queued';

-- Counters per channel and status, and the API's listing (newest first).
CREATE INDEX IF NOT EXISTS dicom_deliveries_channel_status_idx ON dicom_deliveries (channel_id, status, id);

CREATE INDEX IF NOT EXISTS dicom_deliveries_sop_idx ON dicom_deliveries (sop_instance_uid);

-- Every attempt, successful or not: what was sent where and when, with the peer's answer.
CREATE TABLE IF NOT EXISTS dicom_delivery_attempts (
  delivery_id bigint NOT NULL REFERENCES dicom_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  ok boolean NOT NULL,
  error text,
  response text,
  PRIMARY KEY (delivery_id, attempt)
);
