-- FHIR R4 store (engine/fhir/fhir-store.ts). Written only inside the transaction that marks a
-- delivery sent, so a Bundle is applied exactly once. Current versions, every version, and two
-- search indexes kept in step with the current version by the same transaction.

CREATE TABLE IF NOT EXISTS fhir_resources (
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  resource jsonb NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  -- The message whose content this version holds (meta.source names it too); no foreign key, so
  -- message retention can prune the message store without touching clinical data.
  source_message_id bigint,
  PRIMARY KEY (resource_type, id)
);

CREATE TABLE IF NOT EXISTS fhir_resource_history (
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  resource jsonb NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  source_message_id bigint,
  PRIMARY KEY (resource_type, id, version_id)
);

-- Identifier.system|value of current versions: conditional updates resolve here, and identifier
-- search. One owner per (type, system, value): a conditional match can never be ambiguous.
CREATE TABLE IF NOT EXISTS fhir_identifiers (
  resource_type text NOT NULL,
  system text NOT NULL,
  value text NOT NULL,
  id text NOT NULL,
  PRIMARY KEY (resource_type, system, value)
);

CREATE INDEX IF NOT EXISTS fhir_identifiers_by_resource ON fhir_identifiers (resource_type, id);

-- Every literal reference (`Type/id`) of current versions, with the element path it sits at
-- (e.g. subject, participant.individual). One table instead of jsonb expression indexes: a single
-- index answers `subject`/`patient` search and compartment queries for every resource type and
-- reference element, where expression indexes would need one per type and path.
CREATE TABLE IF NOT EXISTS fhir_references (
  resource_type text NOT NULL,
  id text NOT NULL,
  path text NOT NULL,
  target_type text NOT NULL,
  target_id text NOT NULL,
  PRIMARY KEY (resource_type, id, path, target_type, target_id)
);

CREATE INDEX IF NOT EXISTS fhir_references_by_target ON fhir_references (target_type, target_id, resource_type, path);
