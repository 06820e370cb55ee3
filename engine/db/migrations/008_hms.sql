-- HMS records (engine/hms/): relational tables a hospital system reads directly, written by the
-- `hms` destination inside the transaction that marks its delivery sent (exactly once). Every row
-- names the message that last changed it. Message ids carry no foreign key, so retention may prune
-- the message store without touching clinical data (as for the FHIR store).
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

-- One row per patient. Summary columns hold the latest non-empty value sent (PID-5, PID-7, PID-8).
-- merged_into is set by an A40 merge: the row stays, its identifiers move to the survivor.
CREATE TABLE IF NOT EXISTS hms_patients (
  id bigserial PRIMARY KEY,
  family_name text,
  given_name text,
  birth_date text,
  sex text,
  merged_into bigint REFERENCES hms_patients (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_message_id bigint
);

-- PID-3 identifiers. system is the assigning authority resolved as the FHIR mappings do
-- (mappings/identifier-systems.ts), so HMS and FHIR identifiers match. One owner per identifier.
CREATE TABLE IF NOT EXISTS hms_patient_identifiers (
  system text NOT NULL,
  value text NOT NULL,
  type text,
  patient_id bigint NOT NULL REFERENCES hms_patients (id),
  PRIMARY KEY (system, value)
);

CREATE INDEX IF NOT EXISTS hms_patient_identifiers_by_patient ON hms_patient_identifiers (patient_id);

-- A40: one row per prior identifier (MRG-1) merged into a survivor. merged_patient_id is NULL when
-- the prior identifier was unknown (the message is flagged MERGE_UNKNOWN_PRIOR).
CREATE TABLE IF NOT EXISTS hms_patient_merges (
  id bigserial PRIMARY KEY,
  survivor_id bigint NOT NULL REFERENCES hms_patients (id),
  merged_patient_id bigint REFERENCES hms_patients (id),
  prior_system text NOT NULL,
  prior_value text NOT NULL,
  merged_at timestamptz NOT NULL,
  message_id bigint
);

CREATE INDEX IF NOT EXISTS hms_patient_merges_by_survivor ON hms_patient_merges (survivor_id);

-- Visits keyed by PV1-19 (visit number, CX). unit/room/bed mirror the open bed assignment (NULL
-- when there is none). status: planned (A05), in-progress, finished (A03), cancelled (A11), unknown
-- (first seen in an A08).
CREATE TABLE IF NOT EXISTS hms_encounters (
  id bigserial PRIMARY KEY,
  visit_system text NOT NULL,
  visit_number text NOT NULL,
  patient_id bigint NOT NULL REFERENCES hms_patients (id),
  class text,
  status text NOT NULL CHECK (status IN ('planned', 'in-progress', 'finished', 'cancelled', 'unknown')),
  admitted_at timestamptz,
  discharged_at timestamptz,
  unit text,
  room text,
  bed text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_message_id bigint,
  UNIQUE (visit_system, visit_number)
);

CREATE INDEX IF NOT EXISTS hms_encounters_by_patient ON hms_encounters (patient_id);

-- The ADT events applied to each encounter: the encounter's history, and how a resent event (same
-- trigger, same event time) is recognised and not applied twice.
CREATE TABLE IF NOT EXISTS hms_encounter_events (
  id bigserial PRIMARY KEY,
  encounter_id bigint NOT NULL REFERENCES hms_encounters (id),
  trigger_event text NOT NULL,
  event_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('applied', 'flagged', 'duplicate')),
  message_id bigint
);

CREATE INDEX IF NOT EXISTS hms_encounter_events_by_encounter ON hms_encounter_events (encounter_id, trigger_event, event_at);

-- Bed history (PV1-3: point of care, room, bed). status: active (the patient is there now), closed
-- (moved out: A02, A03), cancelled (A11 or A12: the stay never happened). previous_id links a
-- transfer's assignment to the one it closed, so A12 can reopen it.
CREATE TABLE IF NOT EXISTS hms_bed_assignments (
  id bigserial PRIMARY KEY,
  encounter_id bigint NOT NULL REFERENCES hms_encounters (id),
  unit text NOT NULL,
  room text,
  bed text,
  from_at timestamptz NOT NULL,
  to_at timestamptz,
  status text NOT NULL CHECK (status IN ('active', 'closed', 'cancelled')),
  event text NOT NULL,
  ended_by text,
  previous_id bigint REFERENCES hms_bed_assignments (id),
  message_id bigint,
  ended_message_id bigint
);

CREATE INDEX IF NOT EXISTS hms_bed_assignments_by_encounter ON hms_bed_assignments (encounter_id, status);
CREATE INDEX IF NOT EXISTS hms_bed_assignments_by_unit ON hms_bed_assignments (unit, status);

-- Orders (ORC/OBR) keyed by placer number and namespace (EI.1, EI.2 or else EI.3), or by the filler
-- number when no placer number was sent. status is ServiceRequest.status (request-status).
CREATE TABLE IF NOT EXISTS hms_orders (
  id bigserial PRIMARY KEY,
  placer_namespace text,
  placer_number text,
  filler_namespace text,
  filler_number text,
  patient_id bigint REFERENCES hms_patients (id),
  encounter_id bigint REFERENCES hms_encounters (id),
  code text,
  code_system text,
  code_text text,
  status text,
  order_control text,
  order_status_code text,
  result_status text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_message_id bigint
);

CREATE UNIQUE INDEX IF NOT EXISTS hms_orders_by_placer ON hms_orders (placer_namespace, placer_number) WHERE placer_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS hms_orders_by_filler ON hms_orders (filler_namespace, filler_number) WHERE filler_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS hms_orders_by_patient ON hms_orders (patient_id);

-- One row per status an order took (ORC-1 order control, ORC-5 order status), in order.
CREATE TABLE IF NOT EXISTS hms_order_status_history (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES hms_orders (id),
  status text NOT NULL,
  order_control text,
  order_status_code text,
  changed_at timestamptz NOT NULL,
  message_id bigint
);

CREATE INDEX IF NOT EXISTS hms_order_status_history_by_order ON hms_order_status_history (order_id, id);

-- Results (OBX) keyed by order, OBX-3 and OBX-4: a resent, final or corrected result updates its
-- row (revision counts the changes). Reference range from OBX-7, abnormal flags from OBX-8.
CREATE TABLE IF NOT EXISTS hms_results (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES hms_orders (id),
  code_system text NOT NULL,
  code text NOT NULL,
  sub_id text NOT NULL,
  code_text text,
  value_type text,
  value_text text,
  value_numeric double precision,
  units text,
  reference_low double precision,
  reference_high double precision,
  reference_text text,
  abnormal_flags text,
  status text,
  observed_at timestamptz,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_message_id bigint,
  UNIQUE (order_id, code_system, code, sub_id)
);

-- Out-of-order or contradictory events, one row per flag: codes and internal ids, never PHI.
CREATE TABLE IF NOT EXISTS hms_flags (
  id bigserial PRIMARY KEY,
  message_id bigint,
  code text NOT NULL,
  detail text NOT NULL,
  flagged_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS hms_flags_by_message ON hms_flags (message_id);
