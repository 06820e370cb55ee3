/**
 * DICOMweb against a real engine: one study comes in over STOW-RS, the other over DIMSE (DCMTK's
 * storescu); QIDO-RS finds both by the manifest's values, WADO-RS gives back the stored Part-10 bytes
 * unchanged (multipart/related) and the metadata as DICOM JSON, and every read is audited.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DicomJsonDataset } from '../../engine/dicom/dicom-json.ts';
import {
  makeDicomCorpus,
  type DicomCorpus,
  type DicomManifestRow,
} from '../../engine/dicom/testing/dicom-corpus.ts';
import { decodeMultipart, encodeMultipart, parseMediaType } from '../../engine/dicom/web/multipart.ts';
import { dicomObjectKey } from '../../engine/objects/object-store.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { toolAvailable } from '../support/tools.ts';
import { storeFolder } from '../support/dcmtk.ts';

const HAVE_DCMTK =
  toolAvailable('storescu', 'apt-get install dcmtk') && toolAvailable('dump2dcm', 'apt-get install dcmtk');
const STOW_TYPE = (boundary: string): string =>
  `multipart/related; type="application/dicom"; boundary=${boundary}`;

type Json = DicomJsonDataset;
const value = (d: Json, tag: string): unknown => d[tag]?.Value?.[0];

/** Raw fetch (the body is bytes, not text). */
async function get(
  f: ApiFixture,
  urlPath: string,
  token: string,
  accept?: string,
): Promise<{ status: number; type: string; body: Buffer; headers: Headers }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (accept) headers.accept = accept;
  const res = await fetch(`${f.baseUrl}${urlPath}`, { headers });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
    headers: res.headers,
  };
}

function partsOf(res: { type: string; body: Buffer }): Buffer[] {
  const type = parseMediaType(res.type);
  expect(type?.essence).toBe('multipart/related');
  expect(type?.params.type).toBe('application/dicom');
  return decodeMultipart(res.body, type!.params.boundary!).map((p) => {
    expect(p.contentType?.essence).toBe('application/dicom');
    return p.body;
  });
}

describe.runIf(HAVE_DCMTK)('DICOMweb: STOW-RS, QIDO-RS, WADO-RS', () => {
  let corpus: DicomCorpus;
  let f: ApiFixture;
  let stowed: DicomManifestRow[];
  let sent: DicomManifestRow[];
  const studyUids: string[] = [];

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 2, series: 2, instances: 2 });
    f = await startApiEngine();
    for (const row of corpus.rows)
      if (!studyUids.includes(row.studyInstanceUid)) studyUids.push(row.studyInstanceUid);
    stowed = corpus.rows.filter((r) => r.studyInstanceUid === studyUids[0]);
    sent = corpus.rows.filter((r) => r.studyInstanceUid === studyUids[1]);
  }, 120_000);
  afterAll(async () => {
    await f?.stop();
    await corpus?.remove();
  });

  it('stores a study over STOW-RS: 200 with every instance in ReferencedSOPSequence', async () => {
    const boundary = 'test-boundary-1';
    const parts = await Promise.all(
      stowed.map(async (r) => ({ contentType: 'application/dicom', body: await readFile(r.file) })),
    );
    const res = await f.call<Json>('POST', '/dicomweb/studies', {
      token: f.tokens.operator,
      raw: { body: encodeMultipart(boundary, parts), contentType: STOW_TYPE(boundary) },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/dicom\+json/);
    const referenced = res.body['00081199']?.Value as Json[];
    expect(referenced.map((i) => value(i, '00081155')).sort()).toEqual(
      stowed.map((r) => r.sopInstanceUid).sort(),
    );
    expect(value(referenced[0]!, '00081190')).toMatch(
      new RegExp(`^${f.baseUrl}/dicomweb/studies/${studyUids[0]}/`),
    );
    expect(res.body['00081198']).toBeUndefined();
    // Stored as sent: the object store holds the request's part bytes unchanged.
    for (const r of stowed) {
      const stored = await f.engine.objects.get(
        dicomObjectKey(r.studyInstanceUid, r.seriesInstanceUid, r.sopInstanceUid),
      );
      expect(stored?.equals(await readFile(r.file)), r.path).toBe(true);
    }
    const audit = await f.engine.audit.list({ action: 'dicom.store', actor: 'operator-user' });
    expect(audit.map((a) => a.target)).toEqual([`study/${studyUids[0]}`]);
    expect(audit[0]?.detail).toMatchObject({ stored: stowed.length, failed: 0 });
  });

  it('stores the other study over DIMSE (storescu), the same index', async () => {
    const dir = path.join(corpus.dir, path.dirname(path.dirname(sent[0]!.path)));
    await storeFolder(f.engine.dicomPort!, dir);
    const { rows } = await f.engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dicom_instances');
    expect(rows[0]?.n).toBe(corpus.rows.length);
  }, 90_000);

  it('QIDO-RS finds studies by PatientID, PatientName wildcard, StudyDate range, AccessionNumber, modality', async () => {
    const all = await f.call<Json[]>('GET', '/dicomweb/studies', { token: f.tokens.analyst });
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^application\/dicom\+json/);
    expect(all.body.map((s) => value(s, '0020000D')).sort()).toEqual([...studyUids].sort());

    const row = sent[0]!;
    const byId = await f.call<Json[]>('GET', `/dicomweb/studies?PatientID=${row.patientId}`, {
      token: f.tokens.analyst,
    });
    expect(byId.body).toHaveLength(1);
    const study = byId.body[0]!;
    expect(value(study, '0020000D')).toBe(row.studyInstanceUid);
    expect(value(study, '00100020')).toBe(row.patientId);
    expect(value(study, '00100010')).toEqual({ Alphabetic: row.patientNameUtf8 });
    expect(value(study, '00080050')).toBe(row.accessionNumber);
    expect(value(study, '00080020')).toBe(row.studyDate);
    expect(value(study, '00201208')).toBe(sent.length);
    expect(value(study, '00201206')).toBe(new Set(sent.map((r) => r.seriesInstanceUid)).size);
    expect(value(study, '00081190')).toBe(`${f.baseUrl}/dicomweb/studies/${row.studyInstanceUid}`);
    expect(study['00100020']?.vr).toBe('LO');

    const family = row.patientNameUtf8.split('^')[0]!;
    const byName = await f.call<Json[]>(
      'GET',
      `/dicomweb/studies?PatientName=${encodeURIComponent(family.slice(0, 3).toLowerCase())}*`,
      {
        token: f.tokens.analyst,
      },
    );
    expect(byName.body.map((s) => value(s, '0020000D'))).toContain(row.studyInstanceUid);

    const day = row.studyDate;
    const inRange = await f.call<Json[]>('GET', `/dicomweb/studies?StudyDate=${day}-${day}`, {
      token: f.tokens.analyst,
    });
    expect(inRange.body.map((s) => value(s, '0020000D'))).toContain(row.studyInstanceUid);
    const after = await f.call<Json[]>('GET', `/dicomweb/studies?StudyDate=${Number(day) + 1}-`, {
      token: f.tokens.analyst,
    });
    expect(after.body.map((s) => value(s, '0020000D'))).not.toContain(row.studyInstanceUid);

    const byAcc = await f.call<Json[]>('GET', `/dicomweb/studies?00080050=${row.accessionNumber}`, {
      token: f.tokens.analyst,
    });
    expect(byAcc.body.map((s) => value(s, '0020000D'))).toEqual([row.studyInstanceUid]);

    const byModality = await f.call<Json[]>(
      'GET',
      `/dicomweb/studies?ModalitiesInStudy=${row.modality}&PatientID=${row.patientId}`,
      {
        token: f.tokens.analyst,
      },
    );
    expect(byModality.body).toHaveLength(1);
    const noModality = await f.call<Json[]>(
      'GET',
      `/dicomweb/studies?ModalitiesInStudy=XX&PatientID=${row.patientId}`,
      {
        token: f.tokens.analyst,
      },
    );
    expect(noModality.status).toBe(200);
    expect(noModality.body).toEqual([]);

    const page = await f.call<Json[]>('GET', '/dicomweb/studies?limit=1&offset=1', {
      token: f.tokens.analyst,
    });
    expect(page.body).toHaveLength(1);
    expect(value(page.body[0]!, '0020000D')).toBe(value(all.body[1]!, '0020000D'));
  });

  it('QIDO-RS at series and instance level, includefield, and what it refuses', async () => {
    const row = stowed[0]!;
    const series = await f.call<Json[]>('GET', `/dicomweb/studies/${row.studyInstanceUid}/series`, {
      token: f.tokens.admin,
    });
    expect(series.body.map((s) => value(s, '0020000E')).sort()).toEqual(
      [...new Set(stowed.map((r) => r.seriesInstanceUid))].sort(),
    );
    expect(value(series.body[0]!, '00080060')).toBe(row.modality);

    const instances = await f.call<Json[]>(
      'GET',
      `/dicomweb/studies/${row.studyInstanceUid}/series/${row.seriesInstanceUid}/instances?includefield=PatientID,00100010`,
      { token: f.tokens.admin },
    );
    const expected = stowed.filter((r) => r.seriesInstanceUid === row.seriesInstanceUid);
    expect(instances.body.map((i) => value(i, '00080018')).sort()).toEqual(
      expected.map((r) => r.sopInstanceUid).sort(),
    );
    expect(value(instances.body[0]!, '00080016')).toBe(row.sopClassUid);
    expect(value(instances.body[0]!, '00100020')).toBe(row.patientId);
    expect(value(instances.body[0]!, '00083002')).toBe(row.transferSyntaxUid);

    const everySeries = await f.call<Json[]>('GET', `/dicomweb/series?Modality=${row.modality}`, {
      token: f.tokens.admin,
    });
    expect(everySeries.body.length).toBeGreaterThanOrEqual(2);
    const bySop = await f.call<Json[]>('GET', `/dicomweb/instances?SOPInstanceUID=${row.sopInstanceUid}`, {
      token: f.tokens.admin,
    });
    expect(bySop.body.map((i) => value(i, '00080018'))).toEqual([row.sopInstanceUid]);

    // PatientID cannot be matched on at series level: refusing beats answering every patient's series.
    const refused = await f.call('GET', `/dicomweb/series?PatientID=${row.patientId}`, {
      token: f.tokens.admin,
    });
    expect(refused.status).toBe(400);
    const warned = await f.call<Json[]>('GET', '/dicomweb/studies?fuzzymatching=false', {
      token: f.tokens.admin,
    });
    expect(warned.status).toBe(200);
    expect(warned.headers.get('warning')).toMatch(/fuzzymatching/);
    expect((await f.call('GET', '/dicomweb/studies?limit=ten', { token: f.tokens.admin })).status).toBe(400);
    expect(
      (await f.call('GET', '/dicomweb/studies', { token: f.tokens.admin, headers: { accept: 'text/html' } }))
        .status,
    ).toBe(406);
  });

  it('WADO-RS gives back each instance byte for byte, and whole series and studies', async () => {
    for (const r of [stowed[0]!, sent[0]!]) {
      const res = await get(
        f,
        `/dicomweb/studies/${r.studyInstanceUid}/series/${r.seriesInstanceUid}/instances/${r.sopInstanceUid}`,
        f.tokens.operator,
      );
      expect(res.status).toBe(200);
      const [body, ...rest] = partsOf(res);
      expect(rest).toHaveLength(0);
      const stored = await f.engine.objects.get(
        dicomObjectKey(r.studyInstanceUid, r.seriesInstanceUid, r.sopInstanceUid),
      );
      expect(body!.equals(stored!), r.path).toBe(true);
      if (r === stowed[0]) expect(body!.equals(await readFile(r.file))).toBe(true);
    }

    const study = await get(
      f,
      `/dicomweb/studies/${studyUids[0]}`,
      f.tokens.admin,
      'multipart/related; type="application/dicom"; transfer-syntax=*',
    );
    const bodies = partsOf(study);
    expect(bodies).toHaveLength(stowed.length);
    const files = await Promise.all(stowed.map((r) => readFile(r.file)));
    for (const b of bodies) expect(files.some((file) => file.equals(b))).toBe(true);

    const s = sent[0]!;
    const series = await get(
      f,
      `/dicomweb/studies/${s.studyInstanceUid}/series/${s.seriesInstanceUid}`,
      f.tokens.admin,
    );
    expect(partsOf(series)).toHaveLength(
      sent.filter((r) => r.seriesInstanceUid === s.seriesInstanceUid).length,
    );

    const unknown = await get(f, '/dicomweb/studies/1.2.3.4', f.tokens.admin);
    expect(unknown.status).toBe(404);
    const transcode = await get(
      f,
      `/dicomweb/studies/${studyUids[0]}`,
      f.tokens.admin,
      'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50',
    );
    expect(transcode.status).toBe(406);
    const rendered = await get(f, `/dicomweb/studies/${studyUids[0]}`, f.tokens.admin, 'image/jpeg');
    expect(rendered.status).toBe(406);
  });

  it('WADO-RS metadata is DICOM JSON with PatientID and absolute BulkDataURIs', async () => {
    const r = sent[0]!;
    const url = `/dicomweb/studies/${r.studyInstanceUid}/series/${r.seriesInstanceUid}/instances/${r.sopInstanceUid}`;
    const res = await f.call<Json[]>('GET', `${url}/metadata`, { token: f.tokens.analyst });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/dicom\+json/);
    expect(res.body).toHaveLength(1);
    const meta = res.body[0]!;
    expect(meta['00100020']).toEqual({ vr: 'LO', Value: [r.patientId] });
    expect(value(meta, '00080018')).toBe(r.sopInstanceUid);
    expect(meta['7FE00010']?.BulkDataURI).toBe(`${f.baseUrl}${url}/bulkdata/7FE00010`);

    const studyMeta = await f.call<Json[]>('GET', `/dicomweb/studies/${r.studyInstanceUid}/metadata`, {
      token: f.tokens.analyst,
    });
    expect(studyMeta.body.map((m) => value(m, '00080018')).sort()).toEqual(
      sent.map((x) => x.sopInstanceUid).sort(),
    );
  });

  it('audits reads on study/, series/ and instance/<uid>, searches with parameter names only', async () => {
    const r = sent[1]!;
    const base = `/dicomweb/studies/${r.studyInstanceUid}`;
    await get(f, base, f.tokens.operator);
    await get(f, `${base}/series/${r.seriesInstanceUid}/metadata`, f.tokens.operator);
    await get(f, `${base}/series/${r.seriesInstanceUid}/instances/${r.sopInstanceUid}`, f.tokens.operator);
    const reads = await f.engine.audit.list({ action: 'dicom.read', actor: 'operator-user' });
    expect(reads.map((a) => a.target)).toEqual(
      expect.arrayContaining([
        `study/${r.studyInstanceUid}`,
        `series/${r.seriesInstanceUid}`,
        `instance/${r.sopInstanceUid}`,
      ]),
    );
    expect(reads.find((a) => a.target === `series/${r.seriesInstanceUid}`)?.detail).toMatchObject({
      interaction: 'metadata',
    });

    await f.call(
      'GET',
      `/dicomweb/studies?PatientID=${r.patientId}&PatientName=${encodeURIComponent(r.patientNameUtf8)}`,
      {
        token: f.tokens.operator,
      },
    );
    const searches = await f.engine.audit.list({ action: 'dicom.search', actor: 'operator-user' });
    const last = searches.at(-1)!;
    expect(last.detail).toMatchObject({ level: 'study', params: 'PatientID,PatientName', count: 1 });
    expect(JSON.stringify(last)).not.toContain(r.patientId);

    // A viewer reads nothing and leaves no read behind.
    expect((await get(f, base, f.tokens.viewer)).status).toBe(403);
    expect(await f.engine.audit.list({ action: 'dicom.read', actor: 'viewer-user' })).toEqual([]);
  });

  it('STOW-RS answers 202 when some parts fail, 409 when all do, and refuses other media types', async () => {
    const good = sent[0]!;
    const boundary = 'b2';
    const mixed = await f.call<Json>('POST', '/dicomweb/studies', {
      token: f.tokens.admin,
      raw: {
        body: encodeMultipart(boundary, [
          { contentType: 'application/dicom', body: await readFile(good.file) },
          { contentType: 'application/dicom', body: Buffer.from('not a DICOM object') },
        ]),
        contentType: STOW_TYPE(boundary),
      },
    });
    expect(mixed.status, mixed.text).toBe(202);
    expect((mixed.body['00081199']?.Value as Json[]).map((i) => value(i, '00081155'))).toEqual([
      good.sopInstanceUid,
    ]);
    expect((mixed.body['00081198']?.Value as Json[]).map((i) => value(i, '00081197'))).toEqual([0xc000]);

    const wrongStudy = await f.call<Json>('POST', `/dicomweb/studies/${studyUids[0]}`, {
      token: f.tokens.admin,
      raw: {
        body: encodeMultipart(boundary, [
          { contentType: 'application/dicom', body: await readFile(good.file) },
        ]),
        contentType: STOW_TYPE(boundary),
      },
    });
    expect(wrongStudy.status).toBe(409);
    const failed = wrongStudy.body['00081198']?.Value as Json[];
    expect(value(failed[0]!, '00081197')).toBe(0xa900);
    expect(value(failed[0]!, '00081155')).toBe(good.sopInstanceUid);

    const json = await f.call('POST', '/dicomweb/studies', { token: f.tokens.admin, json: {} });
    expect(json.status).toBe(415);
    const noBoundary = await f.call('POST', '/dicomweb/studies', {
      token: f.tokens.admin,
      raw: { body: Buffer.from('x'), contentType: 'multipart/related; type="application/dicom"' },
    });
    expect(noBoundary.status).toBe(400);

    // Nothing was duplicated by storing an instance again.
    const { rows } = await f.engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dicom_instances');
    expect(rows[0]?.n).toBe(corpus.rows.length);
  });
});
