-- Indexes behind the admin API's channel counters and time series (engine/store/channel-stats.ts).
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

-- GET /api/stats counts channel results in a time window: a range scan on at, and the columns it groups
-- by are in the index, so the table is not read. GET /api/channels counts every result per channel and
-- status with the last at: the same index read whole (index-only), much narrower than the table.
CREATE INDEX channel_results_at_idx ON channel_results (at) INCLUDE (channel_id, status);

-- Results superseded by a reprocess are left out of the channel counters. Only reprocessed messages can
-- have them, and this partial index finds those few without reading the others.
CREATE INDEX messages_reprocessed_idx ON messages (id) WHERE processing_runs > 1;

-- Per-destination counts by status (GET /api/channels) and queue depth, oldest queued and dead-lettered
-- of one channel (GET /api/channels/:id), without reading the payloads in the table.
CREATE INDEX deliveries_channel_status_idx ON deliveries (channel_id, destination, status) INCLUDE (created_at);

-- Delivery attempts in a time window (GET /api/stats).
CREATE INDEX delivery_attempts_at_idx ON delivery_attempts (at);
