-- Modality Worklist (engine/dicom/worklist/): one scheduled procedure step per ORM^O01 order group
-- (ORC/OBR), written by the `worklist` destination inside the transaction that marks its delivery
-- sent, and read by the worklist C-FIND (findWorklistItems). Values are kept in their DICOM forms
-- (PN, DA YYYYMMDD, TM HHMMSS) so a query returns them as stored.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

-- Keyed like hms_orders: placer number and namespace (EI.1, EI.2 or else EI.3), or the filler
-- number when no placer number was sent. status: SCHEDULED is the worklist, HELD, CANCELLED and
-- COMPLETED rows stay (a late message about the order is recognised) and are never returned.
-- requested_procedure_id and scheduled_procedure_step_id hold only what was sent (OBR-19, OBR-20):
-- the query falls back to the accession number.
CREATE TABLE IF NOT EXISTS worklist_items (
  id bigserial PRIMARY KEY,
  placer_namespace text,
  placer_number text,
  filler_namespace text,
  filler_number text,
  accession_number text NOT NULL,
  study_instance_uid text NOT NULL,
  requested_procedure_id text,
  requested_procedure_description text,
  scheduled_procedure_step_id text,
  scheduled_procedure_step_description text,
  modality text,
  scheduled_station_ae_title text,
  scheduled_start_date text,
  scheduled_start_time text,
  patient_id text,
  patient_name text,
  patient_birth_date text,
  patient_sex text,
  referring_physician_name text,
  status text NOT NULL CHECK (status IN ('SCHEDULED', 'HELD', 'CANCELLED', 'COMPLETED')),
  order_control text,
  order_status_code text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_message_id bigint,
  last_message_id bigint
);

CREATE UNIQUE INDEX IF NOT EXISTS worklist_items_by_placer ON worklist_items (placer_namespace, placer_number) WHERE placer_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS worklist_items_by_filler ON worklist_items (filler_namespace, filler_number) WHERE filler_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS worklist_items_scheduled ON worklist_items (scheduled_start_date, scheduled_start_time) WHERE status = 'SCHEDULED';
CREATE INDEX IF NOT EXISTS worklist_items_by_accession ON worklist_items (accession_number);
CREATE INDEX IF NOT EXISTS worklist_items_by_patient ON worklist_items (patient_id);
