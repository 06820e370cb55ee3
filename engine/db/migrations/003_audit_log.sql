-- Audit log (engine/audit/audit-log.ts): who did what, when, from where. Every login, failed login,
-- config change, reprocess and every read of message content or FHIR data.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one, and a function body must stay on one line.

-- No PHI here, by design: the log is read by admins who may not see clinical content, and it is kept
-- longer than messages. target names a record by id (message/123, Patient/abc), detail holds ids and
-- codes only (channel ids, status codes, counts), never names, identifiers or message text.
-- Hash chain: hash = SHA-256 over the canonical form of this row (seq, at, actor, actor_role, action,
-- target, remote_address, detail, prev_hash), prev_hash = hash of the previous row (a fixed genesis value
-- for the first). `switchboard audit verify` recomputes it. at is written by the application with
-- millisecond precision so the hashed value and the stored value are the same.
CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  actor_role text,
  action text NOT NULL,
  target text,
  remote_address text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- UNIQUE: two rows can never chain to the same previous row, even if appends were not serialized.
  prev_hash text NOT NULL UNIQUE CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

-- Admin filters: by time range, and by actor, action or target in seq order.
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, seq);
CREATE INDEX audit_log_action_idx ON audit_log (action, seq);
CREATE INDEX audit_log_target_idx ON audit_log (target, seq) WHERE target IS NOT NULL;

-- Append-only against mistakes in the application: UPDATE, DELETE and TRUNCATE fail. A table owner can
-- still disable the trigger, which is what the hash chain detects.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP; END $$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
