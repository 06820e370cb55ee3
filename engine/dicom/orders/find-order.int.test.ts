/**
 * findOrderForStudy against HMS rows on PGlite and PostgreSQL: accession equal to an order number,
 * the patient check, ambiguity and absence. (The FHIR side, ACSN from OBR-18, is covered end to end
 * by test/dicom-orders.int.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../../test/support/databases.ts';
import { findOrderForStudy } from './find-order.ts';

for (const target of await testDatabases()) {
  describe(`findOrderForStudy on ${target.name}`, () => {
    let handle: TestDbHandle;

    async function order(o: { placer?: string; filler?: string; mrn: string | null }): Promise<string> {
      const db = handle.db;
      let patientId: string | null = null;
      if (o.mrn !== null) {
        const p = await db.query<{ id: string }>(
          'INSERT INTO hms_patients DEFAULT VALUES RETURNING id::text AS id',
        );
        patientId = p.rows[0]!.id;
        await db.query(
          `INSERT INTO hms_patient_identifiers (system, value, type, patient_id) VALUES ($1, $2, 'MR', $3::bigint)`,
          [`urn:test:${patientId}`, o.mrn, patientId],
        );
      }
      const r = await db.query<{ id: string }>(
        `INSERT INTO hms_orders (placer_namespace, placer_number, filler_namespace, filler_number, patient_id, status)
         VALUES ('RIS', $1, 'PACS', $2, $3::bigint, 'active') RETURNING id::text AS id`,
        [o.placer ?? null, o.filler ?? null, patientId],
      );
      return r.rows[0]!.id;
    }

    beforeAll(async () => {
      handle = await target.open();
    });
    afterAll(async () => handle?.close());

    it('matches an HMS order whose filler number is the accession number, for the same patient', async () => {
      const id = await order({ placer: 'P-1', filler: 'ACC-1', mrn: 'MRN-1' });
      expect(await findOrderForStudy(handle.db, { accessionNumber: ' ACC-1 ', patientId: 'MRN-1' })).toEqual({
        kind: 'matched',
        orderId: id,
        orderStatus: 'active',
        serviceRequestId: null,
        subjectReference: null,
      });
      // No PatientID in the study: the accession number alone decides.
      expect(await findOrderForStudy(handle.db, { accessionNumber: 'ACC-1', patientId: '' })).toMatchObject({
        kind: 'matched',
        orderId: id,
      });
    });

    it('refuses another patient, an ambiguous number, and says when there is no order at all', async () => {
      await order({ placer: 'ACC-2', mrn: 'MRN-2' });
      expect(await findOrderForStudy(handle.db, { accessionNumber: 'ACC-2', patientId: 'MRN-9' })).toEqual({
        kind: 'unmatched',
        reason: 'patient-id-mismatch',
      });
      await order({ placer: 'ACC-3', mrn: null });
      await order({ filler: 'ACC-3', mrn: 'MRN-3' });
      expect(await findOrderForStudy(handle.db, { accessionNumber: 'ACC-3', patientId: 'MRN-3' })).toEqual({
        kind: 'unmatched',
        reason: 'ambiguous-order',
      });
      expect(await findOrderForStudy(handle.db, { accessionNumber: 'NONE', patientId: 'MRN-3' })).toEqual({
        kind: 'unmatched',
        reason: 'no-order',
      });
      expect(await findOrderForStudy(handle.db, { accessionNumber: null, patientId: 'MRN-3' })).toEqual({
        kind: 'unmatched',
        reason: 'no-accession-number',
      });
    });
  });
}
