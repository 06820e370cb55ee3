-- Message search for the admin API (engine/store/message-search.ts): every filter of GET /api/messages
-- is an index probe or an index scan in id order, so a page costs the same at a million rows as at a
-- thousand. The free-text filter (q) is the exception: it reads raw content and is bounded by the other
-- filters and the page size.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.
-- messages.status changes after processing and an index predicate already names it, so an update
-- of a message is never HOT: every index below gets an entry per row version. Keep them few.

-- Patient identifiers of the message, filled at ingest from every PID-3 repetition (engine/store/patient-ids.ts):
-- the ID (CX.1) alone, and the ID with its assigning authority (CX.4.1) after a U+001F separator. NULL
-- when the message has none (or did not parse). A patient lookup is one GIN probe. fastupdate is off so
-- an insert never pays for flushing a pending list while a sender waits for its ACK.
ALTER TABLE messages ADD COLUMN patient_ids text[];
CREATE INDEX messages_patient_ids_idx ON messages USING gin (patient_ids) WITH (fastupdate = off)
  WHERE patient_ids IS NOT NULL;

-- Type and trigger, newest first: (ADT, A01) pages walk this index backwards.
CREATE INDEX messages_type_idx ON messages (message_type, trigger_event, id);

-- Status, newest first, for the statuses an operator looks for. Processed messages (the bulk) are found by
-- walking the primary key, received ones by messages_received_idx. A processed row has no entry here.
CREATE INDEX messages_status_idx ON messages (status, id)
  WHERE status IN ('filtered', 'error', 'rejected', 'duplicate');

-- "Messages channel X produced a result for".
CREATE INDEX channel_results_channel_idx ON channel_results (channel_id, message_id);
