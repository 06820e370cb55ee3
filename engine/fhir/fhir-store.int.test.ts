import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adtToFhir } from '../../mappings/adt/adt-to-fhir.ts';
import { corpusMessage, mappingContext } from '../../mappings/testing/fragments.ts';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import type { SqlClient } from '../db/sql.ts';
import type { Hl7Message } from '../hl7/message.ts';
import {
  FhirTransactionError,
  applyTransaction,
  readHistory,
  readResource,
  searchByIdentifier,
  searchByReference,
} from './fhir-store.ts';
import type { FhirBundle, FhirResource } from './types.ts';

const bundleOf = (message: Hl7Message): FhirBundle => adtToFhir.map(message, mappingContext()).bundle;
const adt = (rel: string): Hl7Message => corpusMessage(`hl7/${rel}`);
const uuidOf = (fullUrl: string | undefined): string => (fullUrl ?? '').replace('urn:uuid:', '');

async function count(db: SqlClient, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

for (const target of await testDatabases()) {
  describe(`FHIR store on ${target.name}`, () => {
    let handle: TestDbHandle;
    let db: SqlClient;
    beforeAll(async () => {
      handle = await target.open();
      db = handle.db;
    });
    afterAll(async () => {
      await handle.close();
    });

    it('creates Patient and Encounter with deterministic ids and rewrites references to Type/id', async () => {
      const bundle = bundleOf(adt('rethinkhealth-hl7v2/adt-a01-full.hl7'));
      const outcome = await db.transaction((tx) => applyTransaction(tx, bundle, { messageId: '101' }));
      const [patientOut, encounterOut] = outcome.entries;
      // Patient and Encounter first; the message's NK1, DG1, IN1 (and the people they name) follow.
      expect(outcome.entries.map((e) => `${e.outcome} ${e.resourceType} v${e.versionId}`)).toEqual([
        'created Patient v1',
        'created Encounter v1',
        'created RelatedPerson v1',
        'created Practitioner v1',
        'created Condition v1',
        'created Organization v1',
        'created Coverage v1',
      ]);
      // A created resource keeps the id its fullUrl announced.
      expect(patientOut!.id).toBe(uuidOf(bundle.entry?.[0]?.fullUrl));
      expect(encounterOut!.location).toBe(`Encounter/${encounterOut!.id}/_history/1`);
      const encounter = await readResource(db, 'Encounter', encounterOut!.id);
      expect(encounter?.subject).toEqual({ reference: `Patient/${patientOut!.id}` });
      expect(encounter?.meta).toMatchObject({ versionId: '1', source: 'urn:switchboard:message:101' });
      const found = await searchByReference(db, 'Encounter', 'subject', `Patient/${patientOut!.id}`);
      expect(found.map((r) => r.id)).toEqual([encounterOut!.id]);
      const byMrn = await searchByIdentifier(db, 'Patient', 'urn:switchboard:id:MRN', '98765');
      const bySsn = await searchByIdentifier(db, 'Patient', 'urn:switchboard:id:SSN', '555-12-3456');
      expect(byMrn.map((r) => r.id)).toEqual([patientOut!.id]);
      expect(bySsn.map((r) => r.id)).toEqual([patientOut!.id]);
      const { rows } = await db.query<{ source_message_id: string }>(
        'SELECT source_message_id FROM fhir_resources WHERE id = $1',
        [patientOut!.id],
      );
      expect(rows[0]?.source_message_id).toBe('101');
    });

    it('applies the same message twice without a new version (unchanged)', async () => {
      const bundle = bundleOf(adt('google-hdh/adt_a01_ex2.hl7'));
      const first = await db.transaction((tx) => applyTransaction(tx, bundle, { messageId: '201' }));
      const again = await db.transaction((tx) =>
        applyTransaction(tx, bundleOf(adt('google-hdh/adt_a01_ex2.hl7')), { messageId: '202' }),
      );
      expect(again.entries.map((e) => e.outcome)).toEqual(['unchanged', 'unchanged']);
      expect(again.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
      expect(again.entries.map((e) => e.versionId)).toEqual([1, 1]);
      expect(await readHistory(db, 'Patient', first.entries[0]!.id)).toHaveLength(1);
      // The content came from the first message; meta.source keeps saying so.
      expect((await readResource(db, 'Patient', first.entries[0]!.id))?.meta?.source).toBe(
        'urn:switchboard:message:201',
      );
    });

    it('A01 then A08 with a changed name: same Patient id, version 2, new name, history of both', async () => {
      const a01 = adt('google-hdh/adt_a01_ex3.hl7');
      a01.set('PID-3[1].1', '7000001');
      const created = await db.transaction((tx) => applyTransaction(tx, bundleOf(a01), { messageId: '301' }));
      const a08 = adt('google-hdh/adt_a01_ex3.hl7');
      a08.set('PID-3[1].1', '7000001');
      a08.set('MSH-9.2', 'A08');
      a08.set('MSH-10', '6');
      a08.set('PID-5.1', 'Esterkin-Smith');
      const updated = await db.transaction((tx) => applyTransaction(tx, bundleOf(a08), { messageId: '302' }));
      const patientId = created.entries[0]!.id;
      expect(updated.entries[0]).toMatchObject({ outcome: 'updated', id: patientId, versionId: 2 });
      const patient = await readResource(db, 'Patient', patientId);
      expect((patient?.name as { family: string }[])[0]?.family).toBe('Esterkin-Smith');
      expect(patient?.meta).toMatchObject({ versionId: '2', source: 'urn:switchboard:message:302' });
      const history = await readHistory(db, 'Patient', patientId);
      expect(history.map((h) => h.meta?.versionId)).toEqual(['2', '1']);
      expect((history[1]?.name as { family: string }[])[0]?.family).toBe('Esterkin');
      // The A08 keeps the same visit (PV1-19): same Encounter, still one.
      expect(updated.entries[1]?.id).toBe(created.entries[1]?.id);
    });

    it('two different patients make two Patients', async () => {
      const one = await db.transaction((tx) =>
        applyTransaction(tx, bundleOf(adt('google-hdh/adt_a04_ex1.hl7')), { messageId: '401' }),
      );
      const two = await db.transaction((tx) =>
        applyTransaction(tx, bundleOf(adt('google-hdh/adt_a08_ex1.hl7')), { messageId: '402' }),
      );
      expect(one.entries[0]!.id).not.toBe(two.entries[0]!.id);
      expect(one.entries[0]!.outcome).toBe('created');
      expect(two.entries[0]!.outcome).toBe('created');
      expect(await readResource(db, 'Patient', one.entries[0]!.id)).not.toBeNull();
      expect(await readResource(db, 'Patient', two.entries[0]!.id)).not.toBeNull();
    });

    it("leaves nothing behind when the caller's transaction rolls back", async () => {
      const before = await Promise.all(
        ['fhir_resources', 'fhir_resource_history', 'fhir_identifiers', 'fhir_references'].map((t) =>
          count(db, t),
        ),
      );
      const message = adt('fhir-converter/ADT04-23.hl7');
      await expect(
        db.transaction(async (tx) => {
          const outcome = await applyTransaction(tx, bundleOf(message), { messageId: '501' });
          expect(outcome.entries.length).toBeGreaterThanOrEqual(2);
          expect(outcome.entries.every((e) => e.outcome === 'created')).toBe(true);
          throw new Error('delivery marking failed');
        }),
      ).rejects.toThrow('delivery marking failed');
      const after = await Promise.all(
        ['fhir_resources', 'fhir_resource_history', 'fhir_identifiers', 'fhir_references'].map((t) =>
          count(db, t),
        ),
      );
      expect(after).toEqual(before);
      expect(await searchByIdentifier(db, 'Patient', 'urn:switchboard:id:NINTENDO/MR', '123456789')).toEqual(
        [],
      );
    });

    it('reports an identifier another resource owns instead of stealing it', async () => {
      const put = (value: string, shared: string): FhirBundle => ({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              resourceType: 'Patient',
              identifier: [
                { system: 'urn:test:mrn', value },
                { system: 'urn:test:ssn', value: shared },
              ],
            },
            request: { method: 'PUT', url: `Patient?identifier=urn:test:mrn|${value}` },
          },
        ],
      });
      const a = await db.transaction((tx) => applyTransaction(tx, put('A-1', 'S-1'), { messageId: '601' }));
      const b = await db.transaction((tx) => applyTransaction(tx, put('B-1', 'S-1'), { messageId: '602' }));
      expect(b.warnings).toEqual([
        `Patient/${b.entries[0]!.id}: identifier with system urn:test:ssn already belongs to Patient/${a.entries[0]!.id}; not indexed`,
      ]);
      expect((await searchByIdentifier(db, 'Patient', 'urn:test:ssn', 'S-1')).map((r) => r.id)).toEqual([
        a.entries[0]!.id,
      ]);
    });

    it('supports PUT Type/id and an unconditional POST whose id is stable per message and entry', async () => {
      const resource: FhirResource = { resourceType: 'Location', name: 'Ward 5' };
      const put: FhirBundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource, request: { method: 'PUT', url: 'Location/ward-5' } }],
      };
      const created = await db.transaction((tx) => applyTransaction(tx, put, { messageId: '701' }));
      expect(created.entries[0]).toMatchObject({ outcome: 'created', id: 'ward-5', versionId: 1 });
      const post: FhirBundle = {
        ...put,
        entry: [{ resource, request: { method: 'POST', url: 'Location' } }],
      };
      const p1 = await db.transaction((tx) => applyTransaction(tx, post, { messageId: '702' }));
      const p2 = await db.transaction((tx) => applyTransaction(tx, post, { messageId: '702' }));
      expect(p2.entries[0]).toMatchObject({ outcome: 'unchanged', id: p1.entries[0]!.id, versionId: 1 });
    });

    it('rejects a Bundle it cannot apply as a whole, before writing anything', async () => {
      const before = await count(db, 'fhir_resources');
      const dangling: FhirBundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001',
            resource: { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: 'X-9' }] },
            request: { method: 'PUT', url: 'Patient?identifier=urn:test:mrn|X-9' },
          },
          {
            resource: {
              resourceType: 'Encounter',
              subject: { reference: 'urn:uuid:00000000-0000-4000-8000-00000000dead' },
            },
            request: { method: 'PUT', url: 'Encounter?identifier=urn:test:vn|V-9' },
          },
        ],
      };
      await expect(
        db.transaction((tx) => applyTransaction(tx, dangling, { messageId: '801' })),
      ).rejects.toThrow(FhirTransactionError);
      const deleting: FhirBundle = {
        ...dangling,
        entry: [{ request: { method: 'DELETE', url: 'Patient/x' } }],
      };
      await expect(
        db.transaction((tx) => applyTransaction(tx, deleting, { messageId: '802' })),
      ).rejects.toThrow(/Bundle.entry\[0\]/);
      expect(await count(db, 'fhir_resources')).toBe(before);
    });
  });
}
