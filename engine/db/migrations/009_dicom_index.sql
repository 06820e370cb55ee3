-- DICOM index (engine/dicom/): one row per patient, study, series and instance received, written in
-- the C-STORE (or STOW-RS) transaction so the response goes out only once the row is durable. The
-- usual C-FIND / QIDO-RS keys are columns, the rest of each instance is DICOM JSON without bulk data.
-- The objects themselves live in the object store under object_key.
-- Dates and times stay in their DICOM text form (YYYYMMDD, HHMMSS.FFFFFF): range matching on
-- YYYYMMDD compares as text, and a malformed value from a modality is kept rather than refused.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

-- Keyed by PatientID as sent (possibly empty). Summary columns hold the latest values received.
CREATE TABLE IF NOT EXISTS dicom_patients (
  patient_id text PRIMARY KEY,
  patient_name text,
  patient_birth_date text,
  patient_sex text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS dicom_patients_by_name ON dicom_patients (lower(patient_name) text_pattern_ops);

-- modalities_in_study accumulates the Modality of every series received (ModalitiesInStudy).
CREATE TABLE IF NOT EXISTS dicom_studies (
  study_instance_uid text PRIMARY KEY,
  patient_id text NOT NULL REFERENCES dicom_patients (patient_id),
  study_date text,
  study_time text,
  accession_number text,
  study_id text,
  study_description text,
  referring_physician_name text,
  modalities_in_study text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS dicom_studies_by_patient ON dicom_studies (patient_id);
CREATE INDEX IF NOT EXISTS dicom_studies_by_date ON dicom_studies (study_date);
CREATE INDEX IF NOT EXISTS dicom_studies_by_accession ON dicom_studies (accession_number);
CREATE INDEX IF NOT EXISTS dicom_studies_by_modalities ON dicom_studies USING gin (modalities_in_study);

CREATE TABLE IF NOT EXISTS dicom_series (
  series_instance_uid text PRIMARY KEY,
  study_instance_uid text NOT NULL REFERENCES dicom_studies (study_instance_uid),
  modality text,
  series_number integer,
  series_description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS dicom_series_by_study ON dicom_series (study_instance_uid);
CREATE INDEX IF NOT EXISTS dicom_series_by_modality ON dicom_series (modality);

-- One row per SOPInstanceUID: a re-sent instance replaces its row (received_at, object_key, json).
-- study_instance_uid is repeated from the series for study-level counts without a join.
CREATE TABLE IF NOT EXISTS dicom_instances (
  sop_instance_uid text PRIMARY KEY,
  series_instance_uid text NOT NULL REFERENCES dicom_series (series_instance_uid),
  study_instance_uid text NOT NULL REFERENCES dicom_studies (study_instance_uid),
  sop_class_uid text NOT NULL,
  instance_number integer,
  transfer_syntax_uid text NOT NULL,
  size_bytes bigint NOT NULL,
  object_key text NOT NULL,
  calling_ae text,
  dicom_json jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS dicom_instances_by_series ON dicom_instances (series_instance_uid, instance_number);
CREATE INDEX IF NOT EXISTS dicom_instances_by_study ON dicom_instances (study_instance_uid);
