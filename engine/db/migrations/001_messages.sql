-- Placeholder replaced by the message store schema.
SELECT 1;
