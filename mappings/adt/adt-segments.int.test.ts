import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransaction } from '../../engine/fhir/fhir-store.ts';
import type { SqlClient } from '../../engine/db/sql.ts';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { corpusMessage, mappingContext } from '../testing/fragments.ts';
import { adtToFhir } from './adt-to-fhir.ts';

const bundleOf = (rel: string) => adtToFhir.map(corpusMessage(`hl7/${rel}`), mappingContext()).bundle;

for (const target of await testDatabases()) {
  describe(`ADT segment resources in the FHIR store on ${target.name}`, () => {
    let handle: TestDbHandle;
    let db: SqlClient;
    beforeAll(async () => {
      handle = await target.open();
      db = handle.db;
    });
    afterAll(async () => {
      await handle.close();
    });

    it('fhir-converter/ADT-A01-01 twice: every segment resource created once, then unchanged', async () => {
      const bundle = bundleOf('fhir-converter/ADT-A01-01.hl7');
      const types = new Set(bundle.entry?.map((e) => e.resource?.resourceType));
      for (const t of [
        'RelatedPerson',
        'AllergyIntolerance',
        'Condition',
        'Procedure',
        'Coverage',
        'Practitioner',
      ]) {
        expect(types.has(t), t).toBe(true);
      }
      const first = await db.transaction((tx) => applyTransaction(tx, bundle, { messageId: '401' }));
      expect(first.warnings).toEqual([]);
      expect(new Set(first.entries.map((e) => e.outcome))).toEqual(new Set(['created']));
      const again = await db.transaction((tx) =>
        applyTransaction(tx, bundleOf('fhir-converter/ADT-A01-01.hl7'), { messageId: '402' }),
      );
      expect(again.entries.map((e) => e.outcome)).toEqual(first.entries.map(() => 'unchanged'));
      expect(again.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    });

    it('an A08 for the same patient updates the segment resources instead of duplicating them', async () => {
      const before = await db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM fhir_resources WHERE resource_type IN ('AllergyIntolerance','Condition','Coverage','RelatedPerson')",
      );
      const a08 = await db.transaction((tx) =>
        applyTransaction(tx, bundleOf('fhir-converter/ADT-A08-01.hl7'), { messageId: '403' }),
      );
      const after = await db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM fhir_resources WHERE resource_type IN ('AllergyIntolerance','Condition','Coverage','RelatedPerson')",
      );
      expect(
        a08.entries.some((e) => e.outcome === 'created' && e.resourceType === 'AllergyIntolerance'),
      ).toBe(false);
      expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    });
  });
}
