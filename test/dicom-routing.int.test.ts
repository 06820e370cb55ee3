/**
 * DICOM routing channels in a real engine: DCMTK's storescu sends a corpus into the engine, a channel
 * forwards what its rules take to DCMTK's storescp (another program nobody here wrote), and the
 * forwarded datasets must be byte-identical to the files sent. Then the queue's durability: a peer
 * that is down at first (attempts recorded, delivered once it is up), dead-letter and a retry over
 * the API, and deliveries queued before an engine restart sent after it — or dead-lettered at the
 * restart when their channel is gone. And channels deployed on a reload, without a restart.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlQueryable } from '../engine/db/sql.ts';
import { startEngine } from '../engine/engine.ts';
import { UNSERVED_REASON } from '../engine/dicom/routing/dicom-routing.ts';
import { parsePart10 } from '../engine/dicom/parse-part10.ts';
import { dicomObjectKey } from '../engine/objects/object-store.ts';
import {
  makeDicomCorpus,
  type DicomCorpus,
  type DicomManifestRow,
} from '../engine/dicom/testing/dicom-corpus.ts';
import { STOW_CALLING_AE } from '../engine/http/routes/dicomweb-routes.ts';
import { encodeMultipart } from '../engine/dicom/web/multipart.ts';
import { callApi, signIn, startApiEngine } from './support/api.ts';
import { dcmtkOk, storescuFolderArgs } from './support/dcmtk.ts';
import { freeLocalPort, startStorescp, type TestStorescp } from './support/storescp.ts';
import { testDatabases } from './support/databases.ts';
import { toolAvailable } from './support/tools.ts';
import { waitFor } from './support/wait.ts';

const HAVE_DCMTK =
  toolAvailable('storescu', 'apt-get install dcmtk') &&
  toolAvailable('storescp', 'apt-get install dcmtk') &&
  toolAvailable('dump2dcm', 'apt-get install dcmtk');

/** The dataset after the File Meta Information group (group 0002, whose length is in its first element). */
function datasetOf(part10: Buffer): Buffer {
  const groupLength = part10.readUInt32LE(128 + 4 + 8);
  return part10.subarray(128 + 4 + 12 + groupLength);
}

const configFor = (port: number) =>
  `dicom:\n  remoteAes:\n    - { aeTitle: RESEARCH, host: 127.0.0.1, port: ${port} }\n`;

function forwardChannel(options: { id?: string; rules?: string; retry: string }): string {
  return `id: ${options.id ?? 'to-research'}
rules:
${options.rules ?? '  []'}
destinations:
  - name: research
    type: dicom-forward
    ae: RESEARCH
    timeoutMs: 5000
    retry: ${options.retry}
`.replace('rules:\n  []\n', '');
}

interface DeliveryRow {
  id: string;
  sop_instance_uid: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

async function deliveries(f: { readonly engine: { readonly db: SqlQueryable } }): Promise<DeliveryRow[]> {
  const { rows } = await f.engine.db.query<DeliveryRow>(
    'SELECT id::text AS id, sop_instance_uid, status, attempts, last_error FROM dicom_deliveries ORDER BY id',
  );
  return rows;
}

/** Sends the given corpus files with storescu on one association. */
async function send(port: number, corpus: DicomCorpus, rows: readonly DicomManifestRow[]): Promise<void> {
  const args = storescuFolderArgs(port, corpus.dir, 'CT01').slice(0, 4); // -aet CT01 -aec SWITCHBOARD
  await dcmtkOk('storescu', [
    ...args,
    '127.0.0.1',
    String(port),
    ...rows.map((r) => path.join(corpus.dir, r.path)),
  ]);
}

async function expectForwarded(
  scp: TestStorescp,
  corpus: DicomCorpus,
  rows: readonly DicomManifestRow[],
): Promise<void> {
  const received = await scp.files();
  expect(received).toHaveLength(rows.length);
  const byDataset = new Set(received.map((b) => datasetOf(b).toString('base64')));
  for (const row of rows) {
    const sent = await readFile(path.join(corpus.dir, row.path));
    expect(byDataset.has(datasetOf(sent).toString('base64')), row.path).toBe(true);
  }
}

/** An engine on `dir` (data, switchboard.yaml) and `channelsDir`, started again on the same data by each call. */
function startEngineIn(dir: string, channelsDir: string): ReturnType<typeof startEngine> {
  return startEngine(
    {
      dataDir: path.join(dir, 'data'),
      channelsDir,
      configFile: path.join(dir, 'switchboard.yaml'),
      mllpPort: 0,
      httpPort: 0,
      dicomPort: 0,
      silent: true,
    },
    { SWITCHBOARD_BIND_ADDRESS: '127.0.0.1', SWITCHBOARD_ADMIN_PASSWORD: 'correct horse battery staple' },
  );
}

const DATABASES = await testDatabases();

describe.runIf(HAVE_DCMTK)('DICOM routing channels', () => {
  let corpus: DicomCorpus;
  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 2, series: 2, instances: 2 });
  }, 60_000);
  afterAll(async () => corpus?.remove());

  for (const target of DATABASES) {
    it(`forwards the instances its rules take to storescp, datasets byte-identical, and no others (${target.name})`, async () => {
      const modality = corpus.rows[0]!.modality;
      const taken = corpus.rows.filter((r) => r.modality === modality);
      expect(taken.length).toBeGreaterThan(0);
      expect(taken.length).toBeLessThan(corpus.rows.length);
      const scp = await startStorescp(await freeLocalPort());
      const f = await startApiEngine({
        database: target.name,
        configYaml: configFor(scp.port),
        channels: {
          'dicom/to-research.yaml': forwardChannel({
            rules: `  - modality: ${modality}\n  - callingAe: [CT01, MR01]`,
            retry: '{ maxAttempts: 3, initialDelayMs: 100 }',
          }),
        },
      });
      try {
        await send(f.engine.dicomPort!, corpus, corpus.rows);
        await waitFor(
          async () => (await deliveries(f)).every((d) => d.status === 'sent'),
          'deliveries sent',
          30_000,
        );
        const rows = await deliveries(f);
        expect(rows.map((d) => d.sop_instance_uid).sort()).toEqual(taken.map((r) => r.sopInstanceUid).sort());
        expect(rows.every((d) => d.attempts === 1)).toBe(true);
        await expectForwarded(scp, corpus, taken);

        const channels = await f.call('GET', '/api/dicom/channels', { token: f.tokens.viewer });
        expect(channels.status).toBe(200);
        expect(channels.body.channels).toEqual([
          expect.objectContaining({
            id: 'to-research',
            file: 'to-research.yaml',
            counters: { queued: 0, sent: taken.length, dead: 0 },
            destinations: [
              expect.objectContaining({ name: 'research', ae: 'RESEARCH', type: 'dicom-forward' }),
            ],
          }),
        ]);
        const page = await f.call('GET', '/api/dicom/deliveries?status=sent&limit=1', {
          token: f.tokens.operator,
        });
        expect(page.status).toBe(200);
        expect(page.body.deliveries).toHaveLength(1);
        expect(page.body.deliveries[0]).toMatchObject({
          channelId: 'to-research',
          status: 'sent',
          attempts: 1,
        });
        const next = await f.call('GET', `/api/dicom/deliveries?status=sent&cursor=${page.body.nextCursor}`, {
          token: f.tokens.operator,
        });
        expect(next.body.deliveries).toHaveLength(taken.length - 1);
        expect(next.body.nextCursor).toBeNull();
      } finally {
        await f.stop();
        await scp.stop();
      }
    }, 120_000);
  }

  it('routes what arrives over STOW-RS like a C-STORE (calling AE rule on the STOW pseudo AE)', async () => {
    const rows = corpus.rows.slice(0, 2);
    const scp = await startStorescp(await freeLocalPort());
    const f = await startApiEngine({
      database: 'pglite',
      configYaml: configFor(scp.port),
      channels: {
        'dicom/to-research.yaml': forwardChannel({
          rules: `  - callingAe: [${STOW_CALLING_AE}]`,
          retry: '{ maxAttempts: 3, initialDelayMs: 100 }',
        }),
      },
    });
    try {
      const boundary = 'routing-stow';
      const parts = await Promise.all(
        rows.map(async (r) => ({ contentType: 'application/dicom', body: await readFile(r.file) })),
      );
      const res = await f.call('POST', '/dicomweb/studies', {
        token: f.tokens.operator,
        raw: {
          body: encodeMultipart(boundary, parts),
          contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
        },
      });
      expect(res.status, res.text).toBe(200);
      await waitFor(
        async () => {
          const d = await deliveries(f);
          return d.length === rows.length && d.every((x) => x.status === 'sent');
        },
        'STOW deliveries sent',
        30_000,
      );
      await expectForwarded(scp, corpus, rows);
      // The same channel does not take C-STOREs from a modality: its rule names the STOW AE only.
      await send(f.engine.dicomPort!, corpus, corpus.rows.slice(2, 3));
      expect(await deliveries(f)).toHaveLength(rows.length);
    } finally {
      await f.stop();
      await scp.stop();
    }
  }, 120_000);

  it('applies channel then destination edits: a de-identified forward and a tag-edited copy in our archive', async () => {
    const row = corpus.rows[2]!;
    const scp = await startStorescp(await freeLocalPort());
    const copyUid = '2.25.1234567890123456789';
    const f = await startApiEngine({
      database: 'pglite',
      configYaml: configFor(scp.port),
      channels: {
        // The rule also matches the copy (same study): were copies routed, a second delivery would appear.
        'dicom/edits.yaml': `id: edits
rules:
  - tag: StudyInstanceUID
    equals: '${row.studyInstanceUid}'
transformers:
  - tagEdits: { set: { StudyDescription: 'ROUTED' } }
destinations:
  - name: research
    type: dicom-forward
    ae: RESEARCH
    transformers:
      - deidentify: { patientName: ANON, patientId: 'ANON-\${hash}', uidSecret: 'a-secret-of-enough-length', keep: [StudyDescription] }
  - name: teaching
    type: dicom-store
    transformers:
      - tagEdits: { set: { SOPInstanceUID: '${copyUid}', InstitutionName: Teaching } }
  - name: same-uid
    type: dicom-store
    transformers:
      - tagEdits: { set: { InstitutionName: Teaching } }
`,
      },
    });
    try {
      await send(f.engine.dicomPort!, corpus, [row]);
      await waitFor(
        async () => (await deliveries(f)).every((d) => d.status !== 'queued'),
        'deliveries settled',
        30_000,
      );
      const rows = await f.engine.db.query<{
        destination: string;
        status: string;
        attempts: number;
        last_error: string | null;
      }>('SELECT destination, status, attempts, last_error FROM dicom_deliveries ORDER BY destination');
      expect(rows.rows.map((r) => [r.destination, r.status, r.attempts])).toEqual([
        ['research', 'sent', 1],
        ['same-uid', 'error', 1],
        ['teaching', 'sent', 1],
      ]);
      expect(rows.rows[1]!.last_error).toMatch(/still has the SOPInstanceUID/);

      const [forwarded] = await scp.files();
      const fw = parsePart10(forwarded!);
      expect(fw.keys.patientName).toBe('ANON');
      expect(fw.keys.patientId).toMatch(/^ANON-/);
      expect(fw.keys.patientId).not.toBe(row.patientId);
      expect(fw.keys.sopInstanceUid).not.toBe(row.sopInstanceUid);
      expect(fw.keys.studyDescription).toBe('ROUTED');
      expect(fw.meta.transferSyntaxUid).toBe(row.transferSyntaxUid);

      // The copy is an instance of its own, found through QIDO-RS; the original is untouched.
      const qido = await f.call('GET', `/dicomweb/instances?SOPInstanceUID=${copyUid}`, {
        token: f.tokens.analyst,
      });
      expect(qido.status).toBe(200);
      expect(qido.body).toHaveLength(1);
      const copy = await f.engine.objects.get(
        dicomObjectKey(row.studyInstanceUid, row.seriesInstanceUid, copyUid),
      );
      expect(parsePart10(copy!).keys).toMatchObject({ sopInstanceUid: copyUid, studyDescription: 'ROUTED' });
      const original = await f.engine.objects.get(
        dicomObjectKey(row.studyInstanceUid, row.seriesInstanceUid, row.sopInstanceUid),
      );
      const sent = await readFile(path.join(corpus.dir, row.path));
      expect(datasetOf(original!).equals(datasetOf(sent))).toBe(true);
      expect(
        await f.engine.dicomIndex.findInstances({ studyInstanceUid: row.studyInstanceUid }),
      ).toHaveLength(
        corpus.rows.filter((r) => r.studyInstanceUid === row.studyInstanceUid && r.path === row.path).length +
          1,
      );
    } finally {
      await f.stop();
      await scp.stop();
    }
  }, 60_000);

  it('retries while the peer is down, records each attempt, and delivers once it is up', async () => {
    const port = await freeLocalPort();
    const f = await startApiEngine({
      database: 'pglite',
      configYaml: configFor(port),
      channels: {
        'dicom/to-research.yaml': forwardChannel({
          retry: '{ maxAttempts: 100, backoff: fixed, initialDelayMs: 100, jitter: false }',
        }),
      },
    });
    let scp: TestStorescp | null = null;
    try {
      const row = corpus.rows[0]!;
      await send(f.engine.dicomPort!, corpus, [row]);
      await waitFor(
        async () => ((await deliveries(f))[0]?.attempts ?? 0) >= 2,
        'two failed attempts',
        10_000,
      );
      const [queued] = await deliveries(f);
      expect(queued).toMatchObject({ status: 'queued', sop_instance_uid: row.sopInstanceUid });
      expect(queued!.last_error).toMatch(/no association with RESEARCH@127\.0\.0\.1/);
      const { rows: attempts } = await f.engine.db.query<{ ok: boolean; error: string | null }>(
        'SELECT ok, error FROM dicom_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt',
        [queued!.id],
      );
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.every((a) => !a.ok && a.error !== null)).toBe(true);

      scp = await startStorescp(port);
      await waitFor(
        async () => (await deliveries(f))[0]?.status === 'sent',
        'delivered after the peer came up',
        10_000,
      );
      await expectForwarded(scp, corpus, [row]);
    } finally {
      await f.stop();
      await scp?.stop();
    }
  }, 60_000);

  it('dead-letters after maxAttempts and delivers on a retry over the API', async () => {
    const port = await freeLocalPort();
    const f = await startApiEngine({
      database: 'pglite',
      configYaml: configFor(port),
      channels: {
        'dicom/to-research.yaml': forwardChannel({
          retry: '{ maxAttempts: 2, backoff: fixed, initialDelayMs: 50, jitter: false }',
        }),
      },
    });
    let scp: TestStorescp | null = null;
    try {
      const row = corpus.rows[1]!;
      await send(f.engine.dicomPort!, corpus, [row]);
      await waitFor(async () => (await deliveries(f))[0]?.status === 'error', 'dead-letter', 10_000);
      const [dead] = await deliveries(f);
      expect(dead!.attempts).toBe(2);

      const channels = await f.call('GET', '/api/dicom/channels', { token: f.tokens.viewer });
      expect(channels.body.channels[0].counters).toEqual({ queued: 0, sent: 0, dead: 1 });
      const metrics = await f.call('GET', '/metrics', { token: f.tokens.viewer });
      expect(metrics.text).toContain(
        'switchboard_dicom_deliveries{channel="to-research",destination="research",status="error"} 1',
      );
      expect(metrics.text).toContain(
        'switchboard_dicom_delivery_attempts_total{channel="to-research",destination="research",outcome="retry"} 1',
      );
      expect(metrics.text).toContain(
        'switchboard_dicom_delivery_attempts_total{channel="to-research",destination="research",outcome="dead-letter"} 1',
      );
      const listed = await f.call('GET', '/api/dicom/deliveries?status=error&channel=to-research', {
        token: f.tokens.analyst,
      });
      expect(listed.body.deliveries.map((d: { id: string }) => d.id)).toEqual([dead!.id]);

      expect(
        (await f.call('POST', `/api/dicom/deliveries/${dead!.id}/retry`, { token: f.tokens.viewer })).status,
      ).toBe(403);
      scp = await startStorescp(port);
      const retried = await f.call('POST', `/api/dicom/deliveries/${dead!.id}/retry`, {
        token: f.tokens.operator,
      });
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual({
        id: dead!.id,
        channelId: 'to-research',
        destination: 'research',
        status: 'queued',
      });
      await waitFor(async () => (await deliveries(f))[0]?.status === 'sent', 'sent after the retry', 10_000);
      await expectForwarded(scp, corpus, [row]);

      const again = await f.call('POST', `/api/dicom/deliveries/${dead!.id}/retry`, {
        token: f.tokens.operator,
      });
      expect(again.status).toBe(409);
      expect(
        (await f.call('POST', '/api/dicom/deliveries/999999/retry', { token: f.tokens.operator })).status,
      ).toBe(404);
      const { rows: audit } = await f.engine.db.query<{ action: string; target: string }>(
        "SELECT action, target FROM audit_log WHERE action = 'delivery.resend'",
      );
      expect(audit).toEqual([{ action: 'delivery.resend', target: `dicom-delivery/${dead!.id}` }]);
    } finally {
      await f.stop();
      await scp?.stop();
    }
  }, 60_000);

  it('sends after an engine restart what was queued before it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-routing-restart-'));
    const port = await freeLocalPort();
    const channelsDir = path.join(dir, 'channels');
    await mkdir(path.join(channelsDir, 'dicom'), { recursive: true });
    await writeFile(path.join(dir, 'switchboard.yaml'), configFor(port));
    await writeFile(
      path.join(channelsDir, 'dicom', 'to-research.yaml'),
      forwardChannel({ retry: '{ maxAttempts: 100, backoff: fixed, initialDelayMs: 200, jitter: false }' }),
    );
    const start = () => startEngineIn(dir, channelsDir);
    let scp: TestStorescp | null = null;
    let engine: Awaited<ReturnType<typeof start>> | null = await start();
    try {
      const rows = corpus.rows.slice(0, 3);
      const first = engine;
      await send(first.dicomPort!, corpus, rows);
      await waitFor(
        async () =>
          (await deliveries({ engine: first })).filter((d) => d.attempts >= 1).length === rows.length,
        'a failed attempt each',
        10_000,
      );
      expect((await deliveries({ engine: first })).every((d) => d.status === 'queued')).toBe(true);
      engine = null;
      await first.stop();
      scp = await startStorescp(port);
      const second = await start();
      engine = second;
      await waitFor(
        async () => (await deliveries({ engine: second })).every((d) => d.status === 'sent'),
        'sent after the restart',
        15_000,
      );
      expect(await deliveries({ engine: second })).toHaveLength(rows.length);
      await expectForwarded(scp, corpus, rows);
    } finally {
      await engine?.stop();
      await scp?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('dead-letters at start what was queued for a channel no longer configured; the API will not retry it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-routing-removed-'));
    const port = await freeLocalPort();
    const channelsDir = path.join(dir, 'channels');
    const channelFile = path.join(channelsDir, 'dicom', 'to-research.yaml');
    await mkdir(path.dirname(channelFile), { recursive: true });
    await writeFile(path.join(dir, 'switchboard.yaml'), configFor(port));
    await writeFile(
      channelFile,
      forwardChannel({ retry: '{ maxAttempts: 100, backoff: fixed, initialDelayMs: 60000, jitter: false }' }),
    );
    const start = () => startEngineIn(dir, channelsDir);
    let engine: Awaited<ReturnType<typeof start>> | null = await start();
    try {
      const rows = corpus.rows.slice(0, 2);
      const first = engine;
      await send(first.dicomPort!, corpus, rows);
      await waitFor(
        async () =>
          (await deliveries({ engine: first })).filter((d) => d.attempts >= 1).length === rows.length,
        'a failed attempt each (no peer)',
        10_000,
      );
      expect((await deliveries({ engine: first })).map((d) => d.status)).toEqual(['queued', 'queued']);
      engine = null;
      await first.stop();

      await rm(channelFile);
      const second = await start();
      engine = second;
      const after = await deliveries({ engine: second });
      expect(after.map((d) => [d.status, d.last_error])).toEqual([
        ['error', UNSERVED_REASON],
        ['error', UNSERVED_REASON],
      ]);
      const baseUrl = `http://127.0.0.1:${second.httpPort}`;
      await second.users.create({
        username: 'ops',
        password: 'correct horse battery staple',
        role: 'operator',
      });
      const token = await signIn(baseUrl, 'ops', 'correct horse battery staple');
      const metrics = await callApi<string>(baseUrl, 'GET', '/metrics', { token });
      expect(metrics.text).toContain(
        'switchboard_dicom_deliveries{channel="to-research",destination="research",status="error"} 2',
      );
      const retry = await callApi<{ message: string }>(
        baseUrl,
        'POST',
        `/api/dicom/deliveries/${after[0]!.id}/retry`,
        {
          token,
        },
      );
      expect(retry.status).toBe(409);
      expect(retry.text).toContain('not configured or not enabled');
      expect((await deliveries({ engine: second }))[0]!.status).toBe('error');
    } finally {
      await engine?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('deploys DICOM channels on a reload (watched folder and API): added, refused when bad, removed', async () => {
    const scp = await startStorescp(await freeLocalPort());
    const f = await startApiEngine({ database: 'pglite', configYaml: configFor(scp.port) });
    const channelFile = path.join(f.channelsDir, 'dicom', 'to-research.yaml');
    try {
      const [a, b, c, d] = corpus.rows;
      await send(f.engine.dicomPort!, corpus, [a!]);
      expect(await deliveries(f)).toEqual([]);

      // Added, in a dicom/ folder made after the start: the (recursive) folder watcher deploys it.
      await rm(path.dirname(channelFile), { recursive: true, force: true });
      await mkdir(path.dirname(channelFile));
      await writeFile(channelFile, forwardChannel({ retry: '{ maxAttempts: 3, initialDelayMs: 100 }' }));
      await waitFor(async () => f.engine.dicomRouting.channels.length === 1, 'the channel deployed', 10_000);
      await send(f.engine.dicomPort!, corpus, [b!]);
      await waitFor(
        async () => (await deliveries(f)).map((x) => x.status).join() === 'sent',
        'the new instance forwarded',
        15_000,
      );
      expect((await deliveries(f)).map((x) => x.sop_instance_uid)).toEqual([b!.sopInstanceUid]);
      await expectForwarded(scp, corpus, [b!]);

      // A bad file: the reload is refused, naming it, and the running channel stays.
      await writeFile(channelFile, 'id: to-research\ndestinations: 12\n');
      const refused = await f.engine.reloadChannels();
      expect(refused.ok).toBe(false);
      expect(refused.problems).toContain('to-research.yaml');
      await send(f.engine.dicomPort!, corpus, [c!]);
      await waitFor(
        async () => (await deliveries(f)).filter((x) => x.status === 'sent').length === 2,
        'still forwarded under the running channel',
        15_000,
      );

      // Removed: nothing more is routed.
      await rm(channelFile);
      expect((await f.engine.reloadChannels()).ok).toBe(true);
      expect(f.engine.dicomRouting.channels).toEqual([]);
      await send(f.engine.dicomPort!, corpus, [d!]);
      expect((await deliveries(f)).map((x) => x.sop_instance_uid)).toEqual([
        b!.sopInstanceUid,
        c!.sopInstanceUid,
      ]);
      const channels = await f.call('GET', '/api/dicom/channels', { token: f.tokens.viewer });
      expect(channels.body.channels).toEqual([]);
    } finally {
      await f.stop();
      await scp.stop();
    }
  }, 90_000);
});
