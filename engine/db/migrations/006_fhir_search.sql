-- Indexes for the FHIR read API's search (engine/fhir/search-sql.ts)
--
-- _lastUpdated: current versions of one type by time (ranges and counts)
CREATE INDEX IF NOT EXISTS fhir_resources_by_last_updated ON fhir_resources (resource_type, last_updated);

-- identifier=value (any system): the primary key leads with system, so value alone needs its own
CREATE INDEX IF NOT EXISTS fhir_identifiers_by_value ON fhir_identifiers (resource_type, value);
