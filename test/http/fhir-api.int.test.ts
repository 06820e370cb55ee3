/**
 * The FHIR R4 read API end to end: real ADT messages from the corpus go in over MLLP, the engine
 * maps them into its FHIR store, and a real FHIR client (fhir-kit-client, which nobody here wrote)
 * reads them back: CapabilityStatement, read, vread, history, search with paging. Expectations
 * come from the store's own tables, not from this API. Runs on PGlite and on PostgreSQL.
 */
import { Client, type FhirResource } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransaction } from '../../engine/fhir/fhir-store.ts';
import { readBytes, readManifest } from '../../engine/hl7/testing/corpus.ts';
import { sendMllp } from '../../listeners/mllp/client.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { testDatabases } from '../support/databases.ts';
import { readAck } from '../support/hl7-samples.ts';

/**
 * In this order: an admission then the discharge of the same visit (an Encounter with two
 * versions), one patient sent four times with changes (four Patient versions), and others.
 * Several fhir-converter samples share one MSH-10, so the engine runs with deduplication off.
 */
const CORPUS_SEQUENCE = [
  'fhir-converter/ADT-A01-01.hl7',
  'fhir-converter/ADT-A03-01.hl7',
  'rethinkhealth-hl7v2/adt-a01-basic.hl7',
  'rethinkhealth-hl7v2/edge-crlf-line-endings.hl7',
  'rethinkhealth-hl7v2/edge-escaped-delimiters.hl7',
  'rethinkhealth-hl7v2/invalid-trailing-empty-fields.hl7',
  'google-hdh/adt_a01_ex2.hl7',
  'google-hdh/adt_a01_ex3.hl7',
  'cdc-trusted-intermediary/001_ADT_A01.hl7',
  'google-hdh/adt_a01_ex1.hl7',
  'fhir-converter/ADT-A06-01.hl7',
];
/** Admitted by ADT-A01-01, discharged by ADT-A03-01 (PV1-50 AccMng). */
const VISIT = { system: 'urn:switchboard:id:AccMng', value: '40007716' };
/** PID-3 of ADT-A01-01 (CX.4 test1). */
const PATIENT_ID = { system: 'urn:switchboard:id:test1', value: 'PATID1234' };
/** The rethinkhealth patient, sent four times. */
const REPEATED_PATIENT = { system: 'urn:switchboard:id:MRN', value: '12345' };

type Resource = FhirResource & {
  id?: string;
  meta?: { versionId?: string; lastUpdated?: string };
  status?: string;
};

type Bundle = FhirResource & {
  type: string;
  total?: number;
  link: { relation: string; url: string }[];
  entry?: {
    fullUrl: string;
    resource?: Resource;
    search?: { mode: string };
    request?: { method: string; url: string };
    response?: { status: string; etag?: string };
  }[];
};

interface FhirKitError {
  response: {
    status: number;
    data: { resourceType?: string; issue?: { code: string; diagnostics?: string }[] };
  };
}

async function fhirError(promise: Promise<unknown>): Promise<FhirKitError['response']> {
  try {
    await promise;
  } catch (err) {
    return (err as FhirKitError).response;
  }
  throw new Error('expected the request to fail');
}

const idsOf = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => e.resource!.id!);

for (const target of await testDatabases()) {
  describe(`FHIR read API on ${target.name}`, () => {
    let f: ApiFixture;
    let fhir: Client;
    let base: string;
    const db = () => f.engine.db;

    async function idByIdentifier(type: string, ident: { system: string; value: string }): Promise<string> {
      const { rows } = await db().query<{ id: string }>(
        'SELECT id FROM fhir_identifiers WHERE resource_type = $1 AND system = $2 AND value = $3',
        [type, ident.system, ident.value],
      );
      expect(rows, `${type} ${ident.system}|${ident.value} stored`).toHaveLength(1);
      return rows[0]!.id;
    }

    async function currentIds(type: string): Promise<string[]> {
      const { rows } = await db().query<{ id: string }>(
        'SELECT id FROM fhir_resources WHERE resource_type = $1 AND NOT deleted ORDER BY id',
        [type],
      );
      return rows.map((r) => r.id).sort();
    }

    async function search(type: string, searchParams: Record<string, string | string[]>): Promise<Bundle> {
      return (await fhir.search({ resourceType: type, searchParams })) as Bundle;
    }

    beforeAll(async () => {
      f = await startApiEngine({ database: target.name, env: { SWITCHBOARD_DEDUP_WINDOW_SECONDS: '0' } });
      const manifest = readManifest('hl7');
      for (const path of CORPUS_SEQUENCE) {
        const row = manifest.find((r) => r.path === path);
        if (!row) throw new Error(`${path} is not in the corpus manifest`);
        const [ack] = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [readBytes(row)]);
        expect(['AA', 'CA'], path).toContain(readAck(ack!).code);
        // One at a time: the versions of a resource follow the order the messages were sent in.
        await f.engine.drain();
      }
      base = `${f.baseUrl}/fhir`;
      fhir = new Client({ baseUrl: base, bearerToken: f.tokens.analyst });
    }, 120_000);

    afterAll(async () => f?.stop());

    it('serves a CapabilityStatement without a token', async () => {
      const anonymous = new Client({ baseUrl: base });
      const cs = (await anonymous.capabilityStatement()) as FhirResource & {
        fhirVersion: string;
        format: string[];
        rest: {
          mode: string;
          resource: { type: string; interaction: { code: string }[]; searchParam: { name: string }[] }[];
        }[];
      };
      expect(cs.resourceType).toBe('CapabilityStatement');
      expect(cs.fhirVersion).toBe('4.0.1');
      expect(cs.format).toContain('json');
      expect(cs.rest[0]!.mode).toBe('server');
      const byType = new Map(cs.rest[0]!.resource.map((r) => [r.type, r]));
      for (const type of ['Patient', 'Encounter']) {
        expect(byType.get(type)?.interaction.map((i) => i.code)).toEqual([
          'read',
          'vread',
          'history-instance',
          'search-type',
        ]);
      }
      expect(
        byType
          .get('Encounter')!
          .searchParam.map((p) => p.name)
          .sort(),
      ).toEqual(['_id', '_lastUpdated', 'identifier', 'patient', 'subject'].sort());
      expect(byType.get('Observation')!.searchParam.map((p) => p.name)).toContain('encounter');
      const res = await f.call('GET', '/fhir/metadata');
      expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    });

    it('reads a Patient found by identifier, with ETag and Last-Modified', async () => {
      const bundle = await search('Patient', { identifier: `${PATIENT_ID.system}|${PATIENT_ID.value}` });
      expect(bundle.type).toBe('searchset');
      expect(bundle.total).toBe(1);
      const id = await idByIdentifier('Patient', PATIENT_ID);
      expect(idsOf(bundle)).toEqual([id]);
      expect(bundle.entry![0]!.fullUrl).toBe(`${base}/Patient/${id}`);
      expect(bundle.entry![0]!.search?.mode).toBe('match');

      const patient = (await fhir.read({ resourceType: 'Patient', id })) as FhirResource & {
        meta: { versionId: string; lastUpdated: string };
      };
      const { rows } = await db().query<{ version_id: number; last_updated: Date }>(
        "SELECT version_id, last_updated FROM fhir_resources WHERE resource_type = 'Patient' AND id = $1",
        [id],
      );
      expect(patient.id).toBe(id);
      expect(patient.meta.versionId).toBe(String(rows[0]!.version_id));
      expect(new Date(patient.meta.lastUpdated).getTime()).toBe(new Date(rows[0]!.last_updated).getTime());
      const headers = Client.httpFor(patient).response!.headers;
      expect(headers.get('etag')).toBe(`W/"${rows[0]!.version_id}"`);
      expect(headers.get('last-modified')).toBe(new Date(rows[0]!.last_updated).toUTCString());
      expect(headers.get('content-type')).toMatch(/^application\/fhir\+json/);

      const cached = await f.call('GET', `/fhir/Patient/${id}`, {
        token: f.tokens.analyst,
        headers: { 'if-none-match': `W/"${rows[0]!.version_id}"` },
      });
      expect(cached.status).toBe(304);
    });

    it('reads an Encounter, its history newest first, and each version by vread', async () => {
      const id = await idByIdentifier('Encounter', VISIT);
      const encounter = (await fhir.read({ resourceType: 'Encounter', id })) as FhirResource & {
        status: string;
        meta: { versionId: string };
      };
      expect(encounter.meta.versionId).toBe('2');
      expect(encounter.status).toBe('finished'); // the A03 set PV1-45

      const history = (await fhir.resourceHistory({ resourceType: 'Encounter', id })) as Bundle;
      expect(history.type).toBe('history');
      expect(history.total).toBe(2);
      expect(history.entry!.map((e) => e.resource!.meta!.versionId)).toEqual(['2', '1']);
      expect(history.entry!.map((e) => e.response!.status)).toEqual(['200 OK', '201 Created']);
      expect(history.entry!.map((e) => e.request)).toEqual([
        { method: 'PUT', url: `Encounter/${id}` },
        { method: 'PUT', url: `Encounter/${id}` },
      ]);
      expect(history.entry![1]!.fullUrl).toBe(`${base}/Encounter/${id}`);

      const v1 = (await fhir.vread({ resourceType: 'Encounter', id, version: '1' })) as FhirResource & {
        status: string;
        meta: { versionId: string };
      };
      expect(v1.meta.versionId).toBe('1');
      expect(v1.status).toBe('in-progress'); // as admitted
      expect(Client.httpFor(v1).response!.headers.get('etag')).toBe('W/"1"');
      expect(v1).toEqual(history.entry![1]!.resource);

      const missing = await fhirError(fhir.vread({ resourceType: 'Encounter', id, version: '3' }));
      expect(missing.status).toBe(404);
      expect(missing.data.resourceType).toBe('OperationOutcome');
    });

    it('pages a history with _count through next links', async () => {
      const id = await idByIdentifier('Patient', REPEATED_PATIENT);
      const { rows } = await db().query<{ version_id: number }>(
        "SELECT version_id FROM fhir_resource_history WHERE resource_type = 'Patient' AND id = $1 ORDER BY version_id DESC",
        [id],
      );
      expect(rows.length).toBeGreaterThan(2);
      let page = (await fhir.request(`Patient/${id}/_history?_count=1`)) as Bundle | undefined;
      const versions: string[] = [];
      while (page) {
        expect(page.total).toBe(rows.length);
        expect(page.entry).toHaveLength(1);
        versions.push(page.entry![0]!.resource!.meta!.versionId!);
        page = (await fhir.nextPage({ bundle: page })) as Bundle | undefined;
      }
      expect(versions).toEqual(rows.map((r) => String(r.version_id)));
    });

    it('searches Encounters by patient and subject, as Type/id and as a bare id', async () => {
      const patientId = await idByIdentifier('Patient', PATIENT_ID);
      const { rows } = await db().query<{ id: string }>(
        "SELECT id FROM fhir_references WHERE resource_type = 'Encounter' AND path = 'subject' AND target_id = $1",
        [patientId],
      );
      const expected = rows.map((r) => r.id).sort();
      expect(expected.length).toBeGreaterThan(0);
      const variants: Record<string, string>[] = [
        { patient: `Patient/${patientId}` },
        { patient: patientId },
        { subject: `Patient/${patientId}` },
        { subject: patientId },
        { 'subject:Patient': patientId },
        { subject: `${base}/Patient/${patientId}` },
      ];
      for (const searchParams of variants) {
        const bundle = await search('Encounter', searchParams);
        expect(idsOf(bundle).sort(), JSON.stringify(searchParams)).toEqual(expected);
        expect(bundle.total).toBe(expected.length);
      }
      // Patients of more than one encounter, OR-ed with a comma.
      const other = await idByIdentifier('Patient', REPEATED_PATIENT);
      const both = await search('Encounter', { patient: `${patientId},Patient/${other}` });
      const { rows: bothRows } = await db().query<{ id: string }>(
        "SELECT id FROM fhir_references WHERE resource_type = 'Encounter' AND target_id = ANY($1::text[])",
        [[patientId, other]],
      );
      expect(idsOf(both).sort()).toEqual(bothRows.map((r) => r.id).sort());
      expect(bothRows.length).toBeGreaterThan(expected.length);

      const none = await search('Encounter', { patient: 'no-such-patient' });
      expect(none.total).toBe(0);
      expect(none.entry ?? []).toEqual([]);
    });

    it('searches by encounter= and by an identifier without a system (an Observation written through the store)', async () => {
      // No shipped mapping writes Observations yet: this one goes in through the store's own transaction.
      const encounterId = await idByIdentifier('Encounter', VISIT);
      const patientId = await idByIdentifier('Patient', PATIENT_ID);
      const { rows: messages } = await db().query<{ id: string }>(
        'SELECT id::text AS id FROM messages ORDER BY id LIMIT 1',
      );
      await db().transaction((tx) =>
        applyTransaction(
          tx,
          {
            resourceType: 'Bundle',
            type: 'transaction',
            entry: [
              {
                resource: {
                  resourceType: 'Observation',
                  id: 'obs-api-1',
                  status: 'final',
                  code: { text: 'heart rate' },
                  identifier: [{ value: 'OBS-NO-SYSTEM-1' }],
                  subject: { reference: `Patient/${patientId}` },
                  encounter: { reference: `Encounter/${encounterId}` },
                },
                request: { method: 'PUT', url: 'Observation/obs-api-1' },
              },
            ],
          },
          { messageId: messages[0]!.id },
        ),
      );
      for (const encounter of [`Encounter/${encounterId}`, encounterId]) {
        expect(idsOf(await search('Observation', { encounter }))).toEqual(['obs-api-1']);
      }
      expect(idsOf(await search('Observation', { patient: patientId, encounter: encounterId }))).toEqual([
        'obs-api-1',
      ]);
      expect(idsOf(await search('Observation', { encounter: 'Encounter/other' }))).toEqual([]);
      expect(idsOf(await search('Observation', { identifier: '|OBS-NO-SYSTEM-1' }))).toEqual(['obs-api-1']);
      expect(idsOf(await search('Observation', { identifier: 'urn:x|OBS-NO-SYSTEM-1' }))).toEqual([]);
    });

    it('searches identifiers as system|value, value alone, and system|', async () => {
      const id = await idByIdentifier('Patient', PATIENT_ID);
      expect(idsOf(await search('Patient', { identifier: PATIENT_ID.value }))).toContain(id);
      const { rows } = await db().query<{ id: string }>(
        "SELECT id FROM fhir_identifiers WHERE resource_type = 'Patient' AND value = $1",
        [PATIENT_ID.value],
      );
      expect(idsOf(await search('Patient', { identifier: PATIENT_ID.value })).sort()).toEqual(
        rows.map((r) => r.id).sort(),
      );
      expect(idsOf(await search('Patient', { identifier: `${PATIENT_ID.system}|` }))).toEqual([id]);
      expect(idsOf(await search('Patient', { identifier: `${PATIENT_ID.system}|nope` }))).toEqual([]);
      // Two identifier parameters are ANDed: both must belong to the patient.
      const and = await search('Patient', {
        identifier: [
          `${PATIENT_ID.system}|${PATIENT_ID.value}`,
          `${REPEATED_PATIENT.system}|${REPEATED_PATIENT.value}`,
        ],
      });
      expect(and.total).toBe(0);
      const ids = await search('Patient', { _id: id });
      expect(idsOf(ids)).toEqual([id]);
    });

    it('searches _lastUpdated with prefixes and ranges', async () => {
      const { rows } = await db().query<{ id: string; last_updated: Date }>(
        "SELECT id, last_updated FROM fhir_resources WHERE resource_type = 'Encounter' ORDER BY last_updated, id",
      );
      const times = rows.map((r) => new Date(r.last_updated).toISOString());
      const first = times[0]!;
      const last = times.at(-1)!;
      expect(first < last).toBe(true);
      const all = await search('Encounter', { _lastUpdated: [`ge${first}`, `le${last}`], _count: '200' });
      expect(idsOf(all).sort()).toEqual(rows.map((r) => r.id).sort());
      const after = await search('Encounter', { _lastUpdated: `gt${first}`, _count: '200' });
      expect(idsOf(after).sort()).toEqual(
        rows
          .filter((_, i) => times[i]! > first)
          .map((r) => r.id)
          .sort(),
      );
      const before = await search('Encounter', { _lastUpdated: `lt${last}`, _count: '200' });
      expect(idsOf(before).sort()).toEqual(
        rows
          .filter((_, i) => times[i]! < last)
          .map((r) => r.id)
          .sort(),
      );
      const exact = await search('Encounter', { _lastUpdated: `eq${last}`, _count: '200' });
      expect(idsOf(exact).sort()).toEqual(
        rows
          .filter((_, i) => times[i] === last)
          .map((r) => r.id)
          .sort(),
      );
      expect((await search('Encounter', { _lastUpdated: 'lt2000-01-01' })).total).toBe(0);
      const year = new Date(first).getUTCFullYear();
      expect((await search('Encounter', { _lastUpdated: `eq${year}` })).total).toBe(
        rows.filter((_, i) => new Date(times[i]!).getUTCFullYear() === year).length,
      );
    });

    it('pages a search with _count through every page with next links', async () => {
      const expected = await currentIds('Encounter');
      expect(expected.length).toBeGreaterThan(4);
      let page = (await search('Encounter', { _count: '2' })) as Bundle | undefined;
      const seen: string[] = [];
      let pages = 0;
      while (page) {
        pages++;
        expect(page.total).toBe(expected.length);
        expect(page.entry!.length).toBeLessThanOrEqual(2);
        expect(page.link.find((l) => l.relation === 'self')!.url.startsWith(`${base}/Encounter?`)).toBe(true);
        seen.push(...idsOf(page));
        page = (await fhir.nextPage({ bundle: page })) as Bundle | undefined;
      }
      expect(pages).toBe(Math.ceil(expected.length / 2));
      expect(seen.sort()).toEqual(expected);
      expect((await search('Encounter', { _total: 'none' })).total).toBeUndefined();
      expect((await search('Encounter', { _total: 'accurate' })).total).toBe(expected.length);
      const zero = await search('Encounter', { _count: '0' });
      expect(zero.total).toBe(expected.length);
      expect(zero.entry ?? []).toEqual([]);
      expect(zero.link.some((l) => l.relation === 'next')).toBe(false);
    });

    it('answers 404 OperationOutcomes for a missing resource or an unknown type', async () => {
      const missing = await fhirError(fhir.read({ resourceType: 'Patient', id: 'no-such-patient' }));
      expect(missing.status).toBe(404);
      expect(missing.data.resourceType).toBe('OperationOutcome');
      expect(missing.data.issue![0]!.code).toBe('not-found');
      const unknownType = await fhirError(fhir.read({ resourceType: 'Spaceship', id: 'x' }));
      expect(unknownType.status).toBe(404);
      expect(unknownType.data.resourceType).toBe('OperationOutcome');
      const noHistory = await fhirError(
        fhir.resourceHistory({ resourceType: 'Patient', id: 'no-such-patient' }),
      );
      expect(noHistory.status).toBe(404);
    });

    it('rejects an unsupported search parameter (strict), or ignores and reports it when lenient', async () => {
      const strict = await fhirError(
        fhir.search({ resourceType: 'Patient', searchParams: { name: 'SMITH' } }),
      );
      expect(strict.status).toBe(400);
      expect(strict.data.resourceType).toBe('OperationOutcome');
      expect(strict.data.issue![0]!.diagnostics).toMatch(/"name" is not supported/);
      const badDate = await fhirError(
        fhir.search({ resourceType: 'Patient', searchParams: { _lastUpdated: 'ap2020' } }),
      );
      expect(badDate.status).toBe(400);

      const lenient = (await fhir.search({
        resourceType: 'Patient',
        searchParams: { name: 'SMITH', _count: '200' },
        options: { headers: { prefer: 'handling=lenient' } },
      })) as Bundle;
      const matches = lenient.entry!.filter((e) => e.search?.mode === 'match');
      expect(matches.map((e) => e.resource!.id).sort()).toEqual(await currentIds('Patient'));
      const outcome = lenient.entry!.find((e) => e.search?.mode === 'outcome');
      expect(outcome?.resource?.resourceType).toBe('OperationOutcome');
      const issues = (outcome!.resource as unknown as { issue: { diagnostics: string }[] }).issue;
      expect(issues.map((i) => i.diagnostics)).toEqual([expect.stringMatching(/"name" is not supported/)]);
      expect(lenient.link.find((l) => l.relation === 'self')!.url).not.toMatch(/name=/);
    });

    it('answers application/json to Accept: application/json, and 406 to XML only', async () => {
      const json = await f.call('GET', '/fhir/Patient?_count=1', {
        token: f.tokens.operator,
        headers: { accept: 'application/json' },
      });
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toMatch(/^application\/json/);
      expect((json.body as Bundle).resourceType).toBe('Bundle');
      const xml = await f.call('GET', '/fhir/Patient', {
        token: f.tokens.operator,
        headers: { accept: 'application/fhir+xml' },
      });
      expect(xml.status).toBe(406);
      expect(xml.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      expect((xml.body as FhirResource).resourceType).toBe('OperationOutcome');
    });

    it('refuses viewers (403) and callers without a token (401) with OperationOutcomes', async () => {
      const patientId = await idByIdentifier('Patient', PATIENT_ID);
      const viewer = new Client({ baseUrl: base, bearerToken: f.tokens.viewer });
      const anonymous = new Client({ baseUrl: base });
      for (const [client, status, code] of [
        [viewer, 403, 'forbidden'],
        [anonymous, 401, 'login'],
      ] as const) {
        for (const call of [
          () => client.read({ resourceType: 'Patient', id: patientId }),
          () => client.search({ resourceType: 'Patient', searchParams: { _count: '1' } }),
          () => client.resourceHistory({ resourceType: 'Patient', id: patientId }),
          () => client.vread({ resourceType: 'Patient', id: patientId, version: '1' }),
        ]) {
          const res = await fhirError(call());
          expect(res.status).toBe(status);
          expect(res.data.resourceType).toBe('OperationOutcome');
          expect(res.data.issue![0]!.code).toBe(code);
        }
      }
      const raw = await f.call('GET', `/fhir/Patient/${patientId}`);
      expect(raw.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('audits every read, vread and history as fhir.read, every search as fhir.search without values', async () => {
      const operator = new Client({ baseUrl: base, bearerToken: f.tokens.operator });
      const id = await idByIdentifier('Encounter', VISIT);
      await operator.read({ resourceType: 'Encounter', id });
      await operator.vread({ resourceType: 'Encounter', id, version: '1' });
      await operator.resourceHistory({ resourceType: 'Encounter', id });
      await fhirError(operator.read({ resourceType: 'Encounter', id: 'no-such-encounter' }));
      const reads = await f.engine.audit.list({ action: 'fhir.read', actor: 'operator-user' });
      expect(reads.map((r) => [r.target, r.detail.interaction, r.detail.outcome])).toEqual([
        [`Encounter/${id}`, 'read', 'found'],
        [`Encounter/${id}`, 'vread', 'found'],
        [`Encounter/${id}`, 'history', 'found'],
        ['Encounter/no-such-encounter', 'read', 'not-found'],
      ]);
      expect(reads.every((r) => r.actorRole === 'operator')).toBe(true);

      await operator.search({
        resourceType: 'Patient',
        searchParams: { identifier: `${PATIENT_ID.system}|${PATIENT_ID.value}`, _count: '5' },
      });
      const searches = await f.engine.audit.list({ action: 'fhir.search', actor: 'operator-user' });
      const last = searches.at(-1)!;
      expect(last.target).toBe('Patient');
      expect(last.detail).toMatchObject({ params: 'identifier,_count', count: 1, total: 1 });
      expect(JSON.stringify(last.detail)).not.toContain(PATIENT_ID.value);

      // Refused callers read nothing and leave no fhir.read row.
      const before = (await f.engine.audit.list({ action: 'fhir.read', actor: 'viewer-user' })).length;
      await fhirError(
        new Client({ baseUrl: base, bearerToken: f.tokens.viewer }).read({ resourceType: 'Encounter', id }),
      );
      expect((await f.engine.audit.list({ action: 'fhir.read', actor: 'viewer-user' })).length).toBe(before);
    });
  });
}
