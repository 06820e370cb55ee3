-- Sent DICOM deliveries per channel and destination as a running total, raised in the statement that
-- marks a delivery sent (engine/dicom/routing/dicom-delivery-store.ts), so the channels list reads a
-- few rows instead of counting the whole deliveries table, which only grows. Queued and dead-lettered
-- rows are few and still counted live. Rows sent before this migration are counted once here.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

CREATE TABLE IF NOT EXISTS dicom_delivery_totals (
  channel_id text NOT NULL,
  destination text NOT NULL,
  sent bigint NOT NULL DEFAULT 0 CHECK (sent >= 0),
  PRIMARY KEY (channel_id, destination)
);

INSERT INTO dicom_delivery_totals (channel_id, destination, sent)
SELECT channel_id, destination, count(*) FROM dicom_deliveries WHERE status = 'sent'
GROUP BY channel_id, destination
ON CONFLICT (channel_id, destination) DO NOTHING;
