/**
 * WADO-RS Retrieve Frames against a real engine: multi-frame objects made by DCMTK (native, big
 * endian, JPEG baseline, JPEG-LS with several fragments per frame, RLE) come in over STOW-RS; the
 * frames fetched over HTTP are compared with what `dcmdump +W` writes for the same files, so the
 * expectation comes from DCMTK, not from our reader. Bulk data too: fetched at the BulkDataURIs the
 * metadata gives, pixel data against `dcmdump +W`, other elements against the bytes `dcmodify` put in.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMultipart, encodeMultipart, parseMediaType } from '../../engine/dicom/web/multipart.ts';
import {
  dcmtkPixelItems,
  makeFrameObjects,
  type FrameObjectName,
  type FrameObjects,
} from '../../engine/dicom/web/testing/frame-objects.ts';
import { parsePart10 } from '../../engine/dicom/parse-part10.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { toolAvailable } from '../support/tools.ts';

const HAVE_DCMTK =
  toolAvailable('dump2dcm', 'apt-get install dcmtk') && toolAvailable('dcmcjpls', 'apt-get install dcmtk');
const MULTIPART_DICOM = 'multipart/related; type="application/dicom"';

interface Fetched {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
}

describe.runIf(HAVE_DCMTK)('DICOMweb: WADO-RS frames', () => {
  let made: FrameObjects;
  let out: string;
  let f: ApiFixture;

  const urlOf = (name: FrameObjectName): string => {
    const o = made.objects[name];
    return `/dicomweb/studies/${o.studyInstanceUid}/series/${o.seriesInstanceUid}/instances/${o.sopInstanceUid}`;
  };
  async function get(url: string, accept?: string, token = f.tokens.analyst): Promise<Fetched> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (accept) headers.accept = accept;
    const res = await fetch(`${f.baseUrl}${url}`, { headers });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: Buffer.from(await res.arrayBuffer()),
    };
  }
  /** The parts of a multipart answer, each with its Content-Type as sent. */
  function parts(res: Fetched, partType: string): { type: string; body: Buffer }[] {
    expect(res.status, res.body.toString('latin1', 0, 300)).toBe(200);
    const type = parseMediaType(res.type);
    expect(type?.essence).toBe('multipart/related');
    expect(type?.params.type).toBe(partType);
    return decodeMultipart(res.body, type!.params.boundary!).map((p) => ({
      type: p.headers['content-type'] ?? '',
      body: p.body,
    }));
  }
  const dcmtkItems = async (name: FrameObjectName): Promise<Buffer[]> =>
    Promise.all((await dcmtkPixelItems(made.objects[name].file, out)).map((file) => readFile(file)));
  const errorOf = (res: Fetched): string =>
    (JSON.parse(res.body.toString('utf8')) as { error: { message: string } }).error.message;

  beforeAll(async () => {
    made = await makeFrameObjects();
    out = await mkdtemp(path.join(tmpdir(), 'switchboard-frames-http-'));
    f = await startApiEngine();
    const boundary = 'frames-boundary';
    const body = encodeMultipart(
      boundary,
      await Promise.all(
        Object.values(made.objects).map(async (o) => ({
          contentType: 'application/dicom',
          body: await readFile(o.file),
        })),
      ),
    );
    const stored = await f.call('POST', '/dicomweb/studies', {
      token: f.tokens.operator,
      raw: { body, contentType: `${MULTIPART_DICOM}; boundary=${boundary}` },
    });
    expect(stored.status, stored.text).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await f?.stop();
    await made?.remove();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('native frames: octet-stream, little endian, in the order asked, as dcmdump writes the pixels', async () => {
    for (const name of ['native16', 'bigEndian16'] as const) {
      const o = made.objects[name];
      const size = (o.rows * o.columns * o.bitsAllocated) / 8;
      const [raw] = await dcmtkItems(name);
      const got = parts(await get(`${urlOf(name)}/frames/3,1`), 'application/octet-stream');
      expect(got.map((p) => p.type)).toEqual([
        'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1',
        'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1',
      ]);
      expect(got[0]!.body.equals(raw!.subarray(2 * size, 3 * size)), name).toBe(true);
      expect(got[1]!.body.equals(raw!.subarray(0, size)), name).toBe(true);
    }
  });

  it('compressed frames: the fragments with the media type of the stored syntax', async () => {
    const cases = [
      ['jpegBaseline', 'image/jpeg', '1.2.840.10008.1.2.4.50'],
      ['rle', 'image/dicom-rle', '1.2.840.10008.1.2.5'],
      ['jpegLs', 'image/jls', '1.2.840.10008.1.2.4.80'],
    ] as const;
    for (const [name, type, syntax] of cases) {
      const [, ...fragments] = await dcmtkItems(name);
      const got = parts(await get(`${urlOf(name)}/frames/2`), type);
      expect(got.map((p) => p.type)).toEqual([`${type}; transfer-syntax=${syntax}`]);
      expect(got[0]!.body.equals(fragments[1]!), name).toBe(true);
    }
    // Several fragments per frame, joined by the Basic Offset Table: the same codestream DCMTK
    // writes as one fragment per frame.
    const [, ...whole] = await dcmtkItems('jpegLs');
    const joined = parts(await get(`${urlOf('jpegLsFragmented')}/frames/1,2,3`), 'image/jls');
    expect(joined.map((p) => whole.findIndex((w) => w.equals(p.body)))).toEqual([0, 1, 2]);
  });

  it('honours Accept: octet-stream of the stored syntax, 406 for a syntax it would have to transcode', async () => {
    const [, ...fragments] = await dcmtkItems('jpegBaseline');
    const octet = parts(
      await get(
        `${urlOf('jpegBaseline')}/frames/1`,
        'multipart/related; type="application/octet-stream"; transfer-syntax=*',
      ),
      'application/octet-stream',
    );
    expect(octet[0]!.type).toBe('application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.50');
    expect(octet[0]!.body.equals(fragments[0]!)).toBe(true);

    const jp2 = await get(`${urlOf('jpegBaseline')}/frames/1`, 'multipart/related; type="image/jp2"');
    expect(jp2.status).toBe(406);
    expect(errorOf(jp2)).toMatch(/image\/jpeg.*no transcoding/);
    const decompressed = await get(
      `${urlOf('jpegBaseline')}/frames/1`,
      'multipart/related; type="application/octet-stream"',
    );
    expect(decompressed.status).toBe(406);
    expect((await get(`${urlOf('native8')}/frames/1`, 'multipart/related; type="image/jpeg"')).status).toBe(
      406,
    );
  });

  it('answers 400 for frame 0 or beyond Number of Frames, 404 without pixel data or instance, 501 without boundaries', async () => {
    const zero = await get(`${urlOf('native8')}/frames/1,0`);
    expect(zero.status).toBe(400);
    expect(errorOf(zero)).toBe('frame numbers start at 1 (frame 0 asked for)');
    const beyond = await get(`${urlOf('native8')}/frames/4`);
    expect(beyond.status).toBe(400);
    expect(errorOf(beyond)).toBe('frame 4 does not exist: the instance has 3 frames');
    expect((await get(`${urlOf('native8')}/frames/one`)).status).toBe(400);

    const noPixels = await get(`${urlOf('noPixels')}/frames/1`);
    expect(noPixels.status).toBe(404);
    expect(errorOf(noPixels)).toMatch(/no pixel data/);
    const o = made.objects.native8;
    const unknown = await get(
      `/dicomweb/studies/${o.studyInstanceUid}/series/${o.seriesInstanceUid}/instances/1.2.3.999/frames/1`,
    );
    expect(unknown.status).toBe(404);

    const split = await get(`${urlOf('jpegLsFragmentedNoTable')}/frames/1`);
    expect(split.status).toBe(501);
    expect(errorOf(split)).toMatch(/empty offset table/);
  });

  it('needs fhir.read, and audits the read on instance/<uid>', async () => {
    expect((await get(`${urlOf('native8')}/frames/1`, undefined, f.tokens.viewer)).status).toBe(403);
    await get(`${urlOf('rgb')}/frames/2,1`, undefined, f.tokens.operator);
    const reads = await f.engine.audit.list({ action: 'dicom.read', actor: 'operator-user' });
    const read = reads.find((a) => a.target === `instance/${made.objects.rgb.sopInstanceUid}`);
    expect(read?.detail).toMatchObject({ interaction: 'frames', outcome: 'found', count: 2 });
    expect(await f.engine.audit.list({ action: 'dicom.read', actor: 'viewer-user' })).toEqual([]);
  });

  it('retrieves an instance in its stored syntax when asked by name or *, 406 for another', async () => {
    const url = urlOf('jpegBaseline');
    const stored = await readFile(made.objects.jpegBaseline.file);
    for (const syntax of ['1.2.840.10008.1.2.4.50', '*']) {
      const res = await get(url, `${MULTIPART_DICOM}; transfer-syntax=${syntax}`);
      const [part] = parts(res, 'application/dicom');
      expect(part!.type).toBe('application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50');
      expect(part!.body.equals(stored), syntax).toBe(true);
    }
    expect((await get(url, `${MULTIPART_DICOM}; transfer-syntax=1.2.840.10008.1.2.1`)).status).toBe(406);
  });

  it('serves bulk data at the BulkDataURIs the metadata gives: pixel data as frames, other elements as stored', async () => {
    type Meta = Record<string, { BulkDataURI?: string; Value?: Meta[] }>;
    const metadataOf = async (url: string): Promise<Meta> => {
      const res = await f.call<Meta[]>('GET', `${url}/metadata`, { token: f.tokens.analyst });
      expect(res.status).toBe(200);
      return res.body[0]!;
    };
    const pathOf = (uri: string | undefined): string => {
      expect(uri?.startsWith(f.baseUrl)).toBe(true);
      return uri!.slice(f.baseUrl.length);
    };

    // Native pixel data: one little endian part, the whole value dcmdump writes.
    const native = await metadataOf(urlOf('native16'));
    const [raw] = await dcmtkItems('native16');
    const whole = parts(await get(pathOf(native['7FE00010']?.BulkDataURI)), 'application/octet-stream');
    expect(whole).toHaveLength(1);
    expect(whole[0]!.body.equals(raw!)).toBe(true);

    // Encapsulated pixel data: one part per frame, the fragments dcmdump writes (one per frame here).
    const jpeg = await metadataOf(urlOf('jpegBaseline'));
    const [, ...fragments] = await dcmtkItems('jpegBaseline');
    const frames = parts(await get(pathOf(jpeg['7FE00010']?.BulkDataURI)), 'image/jpeg');
    expect(frames.map((p) => p.body.toString('base64'))).toEqual(fragments.map((b) => b.toString('base64')));

    // Other bulk elements, top level and in a sequence item, put in by DCMTK's dcmodify.
    const file = path.join(out, 'with-documents.dcm');
    const top = Buffer.alloc(2000, 'top-level document ');
    const nested = Buffer.alloc(1500, 'nested document ');
    await writeFile(path.join(out, 'top.bin'), top);
    await writeFile(path.join(out, 'nested.bin'), nested);
    await copyFile(made.objects.native16.file, file);
    await promisify(execFile)('dcmodify', [
      '-nb',
      '-gin',
      '-if',
      `(0042,0011)=${path.join(out, 'top.bin')}`,
      '-if',
      `(0008,1140)[0].(0042,0011)=${path.join(out, 'nested.bin')}`,
      file,
    ]);
    const bytes = await readFile(file);
    const { keys } = parsePart10(bytes);
    const boundary = 'bulk-boundary';
    const stored = await f.call('POST', '/dicomweb/studies', {
      token: f.tokens.operator,
      raw: {
        body: encodeMultipart(boundary, [{ contentType: 'application/dicom', body: bytes }]),
        contentType: `${MULTIPART_DICOM}; boundary=${boundary}`,
      },
    });
    expect(stored.status, stored.text).toBe(200);
    const url = `/dicomweb/studies/${keys.studyInstanceUid}/series/${keys.seriesInstanceUid}/instances/${keys.sopInstanceUid}`;
    const meta = await metadataOf(url);
    expect(meta['00420011']?.BulkDataURI).toBe(`${f.baseUrl}${url}/bulkdata/00420011`);
    const topParts = parts(await get(pathOf(meta['00420011']?.BulkDataURI)), 'application/octet-stream');
    expect(topParts.map((p) => p.body.equals(top))).toEqual([true]);
    const nestedUri = meta['00081140']?.Value?.[0]?.['00420011']?.BulkDataURI;
    expect(nestedUri).toBe(`${f.baseUrl}${url}/bulkdata/00081140/0/00420011`);
    const nestedParts = parts(await get(pathOf(nestedUri)), 'application/octet-stream');
    expect(nestedParts.map((p) => p.body.equals(nested))).toEqual([true]);

    // Not bulk data, not there, not a path, not signed in.
    expect((await get(`${url}/bulkdata/00100010`)).status).toBe(404);
    expect((await get(`${url}/bulkdata/00081140/3/00420011`)).status).toBe(404);
    const bad = await get(`${url}/bulkdata/0042001`);
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toContain('not tag[/item/tag...]');
    expect((await get(`${url}/bulkdata/00420011`, undefined, '')).status).toBe(401);
  });
});
