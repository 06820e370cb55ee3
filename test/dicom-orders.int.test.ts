/**
 * Orders meet images, end to end: an ORM^O01 over MLLP through the shipped `orm` channel (FHIR
 * ServiceRequest and HMS order), then DCMTK's storescu sends a generated study whose
 * AccessionNumber and PatientID are the order's. The study must become a FHIR ImagingStudy based on
 * that ServiceRequest, about its Patient, with the series and instances sent; the HMS order must be
 * `images-received` with a history row. A second study, with no order, must be listed by
 * GET /api/dicom/unmatched-studies, and must match once its order arrives and more of it is sent.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DCM_SYSTEM, DICOM_UID_SYSTEM } from '../engine/dicom/orders/imaging-study.ts';
import {
  makeDicomCorpus,
  type DicomCorpus,
  type DicomManifestRow,
} from '../engine/dicom/testing/dicom-corpus.ts';
import { searchByIdentifier } from '../engine/fhir/fhir-store.ts';
import type { FhirResource } from '../engine/fhir/types.ts';
import { sendMllp } from '../listeners/mllp/client.ts';
import { bundleErrors, validateBundle } from '../mappings/validation/validate-bundle.ts';
import { startApiEngine, type ApiFixture } from './support/api.ts';
import { testDatabases } from './support/databases.ts';
import { readAck } from './support/hl7-samples.ts';
import { toolAvailable } from './support/tools.ts';
import { waitFor } from './support/wait.ts';
import { storeFolder } from './support/dcmtk.ts';

const HAVE_DCMTK =
  toolAvailable('storescu', 'apt-get install dcmtk') && toolAvailable('dump2dcm', 'apt-get install dcmtk');
const storescu = (port: number, dir: string): Promise<string> => storeFolder(port, dir);

/** An ORM^O01 NW whose OBR-18 (placer field 1) is the accession number, for PID-3 `mrn`. */
function orm(o: { controlId: string; order: string; mrn: string; accession: string }): string {
  return [
    `MSH|^~\\&|RIS|HOSP|PACS|HOSP|20240501101500||ORM^O01^ORM_O01|${o.controlId}|P|2.5.1`,
    `PID|1||${o.mrn}^^^HOSP^MR||TEST^PATIENT||19800101|F`,
    `PV1|1|O|RAD^1^A||||||||||||||||V${o.mrn}^^^HOSP^VN`,
    `ORC|NW|${o.order}^RIS|||||||20240501101000+0000`,
    `OBR|1|${o.order}^RIS||CTHEAD^CT head^L||||||||||||||${o.accession}`,
  ].join('\r');
}

interface ImagingStudy extends FhirResource {
  identifier: { system?: string; value?: string }[];
  status: string;
  subject: { reference?: string; identifier?: { value?: string } };
  basedOn?: { reference: string }[];
  started?: string;
  numberOfSeries: number;
  numberOfInstances: number;
  series: {
    uid: string;
    modality: { system: string; code: string };
    numberOfInstances: number;
    instance: { uid: string; sopClass: { system: string; code: string } }[];
  }[];
}

for (const target of await testDatabases()) {
  describe.runIf(HAVE_DCMTK)(`orders meet images on ${target.name}`, () => {
    let corpus: DicomCorpus;
    let f: ApiFixture;
    let studyA: DicomManifestRow[];
    let studyB: DicomManifestRow[];

    beforeAll(async () => {
      corpus = await makeDicomCorpus({ studies: 2, series: 2, instances: 2, seed: 'orders-meet-images' });
      const uids = [...new Set(corpus.rows.map((r) => r.studyInstanceUid))];
      studyA = corpus.rows.filter((r) => r.studyInstanceUid === uids[0]);
      studyB = corpus.rows.filter((r) => r.studyInstanceUid === uids[1]);
      f = await startApiEngine({ database: target.name });
    }, 60_000);

    afterAll(async () => {
      await f?.stop();
      await corpus?.remove();
    });

    async function sendOrm(message: string): Promise<void> {
      const acks = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [message]);
      expect(readAck(acks[0]!).code).toBe('AA');
      await f.engine.drain();
    }

    const studyDir = (rows: readonly DicomManifestRow[]): string =>
      path.join(corpus.dir, rows[0]!.path.split('/')[0]!);

    async function imagingStudy(uid: string): Promise<ImagingStudy | undefined> {
      const [found] = await searchByIdentifier(
        f.engine.db,
        'ImagingStudy',
        DICOM_UID_SYSTEM,
        `urn:oid:${uid}`,
      );
      return found as ImagingStudy | undefined;
    }

    async function orderStatus(placer: string): Promise<{ status: string; history: string[] }> {
      const { rows } = await f.engine.db.query<{ id: string; status: string }>(
        'SELECT id::text AS id, status FROM hms_orders WHERE placer_number = $1',
        [placer],
      );
      expect(rows).toHaveLength(1);
      const history = await f.engine.db.query<{ status: string }>(
        'SELECT status FROM hms_order_status_history WHERE order_id = $1::bigint ORDER BY id',
        [rows[0]!.id],
      );
      return { status: rows[0]!.status, history: history.rows.map((r) => r.status) };
    }

    async function unmatchedUids(): Promise<string[]> {
      const res = await f.call<{ studies: { studyInstanceUid: string; reason: string }[] }>(
        'GET',
        '/api/dicom/unmatched-studies',
        { token: f.tokens.analyst },
      );
      expect(res.status).toBe(200);
      return res.body.studies.map((s) => s.studyInstanceUid);
    }

    it('a study with its order becomes an ImagingStudy based on it; one without is listed as unmatched', async () => {
      const a = studyA[0]!;
      await sendOrm(
        orm({ controlId: 'ORM-A', order: 'ORD-A', mrn: a.patientId, accession: a.accessionNumber }),
      );
      expect(await orderStatus('ORD-A')).toEqual({ status: 'active', history: ['active'] });

      await storescu(f.engine.dicomPort!, corpus.dir);
      await waitFor(
        async () => (await imagingStudy(a.studyInstanceUid))?.numberOfInstances === studyA.length,
        'the ImagingStudy of study A with every instance',
        20_000,
      );
      await waitFor(
        async () => (await unmatchedUids()).includes(studyB[0]!.studyInstanceUid),
        'study B listed as unmatched',
        20_000,
      );

      const [request] = await searchByIdentifier(
        f.engine.db,
        'ServiceRequest',
        'urn:switchboard:id:RIS',
        'ORD-A',
      );
      expect(request).toBeDefined();
      const study = (await imagingStudy(a.studyInstanceUid))!;
      expect(study.status).toBe('available');
      expect(study.basedOn).toEqual([{ reference: `ServiceRequest/${request!.id}` }]);
      expect(study.subject).toEqual(request!['subject']);
      expect(study.subject.reference).toMatch(/^Patient\//);
      expect(study.started).toMatch(new RegExp(`^${a.studyDate.slice(0, 4)}-${a.studyDate.slice(4, 6)}-`));
      const seriesUids = [...new Set(studyA.map((r) => r.seriesInstanceUid))].sort();
      expect(study.numberOfSeries).toBe(seriesUids.length);
      expect(study.series.map((s) => s.uid).sort()).toEqual(seriesUids);
      for (const s of study.series) {
        const rows = studyA.filter((r) => r.seriesInstanceUid === s.uid);
        expect(s.modality).toEqual({ system: DCM_SYSTEM, code: rows[0]!.modality });
        expect(s.numberOfInstances).toBe(rows.length);
        expect(s.instance.map((i) => i.uid).sort()).toEqual(rows.map((r) => r.sopInstanceUid).sort());
        expect(s.instance[0]!.sopClass.code).toBe(`urn:oid:${rows[0]!.sopClassUid}`);
      }
      // What the store holds is valid R4, as the mappings' output must be.
      const errors = bundleErrors(
        validateBundle({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              fullUrl: `urn:uuid:${study.id}`,
              resource: study,
              request: { method: 'PUT', url: `ImagingStudy/${study.id}` },
            },
          ],
        }),
      );
      expect(errors).toEqual([]);

      expect(await orderStatus('ORD-A')).toEqual({
        status: 'images-received',
        history: ['active', 'images-received'],
      });
      const unmatched = await unmatchedUids();
      expect(unmatched).not.toContain(a.studyInstanceUid);
      const b = await imagingStudy(studyB[0]!.studyInstanceUid);
      expect(b?.basedOn).toBeUndefined(); // written all the same, about the patient by PatientID
      expect(b?.subject.identifier?.value).toBe(studyB[0]!.patientId);

      const listed = await f.call<{
        studies: { studyInstanceUid: string; reason: string; accessionNumber: string }[];
      }>('GET', '/api/dicom/unmatched-studies', { token: f.tokens.operator });
      expect(listed.body.studies).toEqual([
        expect.objectContaining({
          studyInstanceUid: studyB[0]!.studyInstanceUid,
          accessionNumber: studyB[0]!.accessionNumber,
          reason: 'no-order',
        }),
      ]);
      expect((await f.call('GET', '/api/dicom/unmatched-studies', { token: f.tokens.viewer })).status).toBe(
        403,
      );
      const audit = await f.engine.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'dicom.read' AND target = 'dicom/unmatched-studies'`,
      );
      expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(2);
    }, 120_000);

    it('an unmatched study matches when its order arrives and more of it is sent', async () => {
      const b = studyB[0]!;
      await sendOrm(
        orm({ controlId: 'ORM-B', order: 'ORD-B', mrn: b.patientId, accession: b.accessionNumber }),
      );
      await storescu(f.engine.dicomPort!, studyDir(studyB));
      await waitFor(
        async () => (await imagingStudy(b.studyInstanceUid))?.basedOn !== undefined,
        'the ImagingStudy of study B based on its order',
        20_000,
      );
      expect(await unmatchedUids()).toEqual([]);
      expect((await orderStatus('ORD-B')).history).toEqual(['active', 'images-received']);
      expect((await orderStatus('ORD-A')).history).toEqual(['active', 'images-received']);
    }, 120_000);
  });
}
