-- Orders meet images (engine/dicom/orders/): one row per DICOM study once the engine has tried to
-- match it to its order (ORM^O01) by AccessionNumber and PatientID. order_id (HMS) and
-- service_request_id (FHIR) are set once matched, reason says why not while unmatched. A study of
-- the index without a row here has not been tried yet: the unmatched list counts it too, so a study
-- is never dropped, whatever happened between its C-STORE and the match.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

CREATE TABLE IF NOT EXISTS dicom_study_orders (
  study_instance_uid text PRIMARY KEY REFERENCES dicom_studies (study_instance_uid),
  accession_number text,
  order_id bigint REFERENCES hms_orders (id),
  service_request_id text,
  imaging_study_id text,
  matched_at timestamptz,
  reason text,
  attempted_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((matched_at IS NULL) = (reason IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS dicom_study_orders_by_order ON dicom_study_orders (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS dicom_study_orders_unmatched ON dicom_study_orders (attempted_at) WHERE matched_at IS NULL;
