/**
 * Channel routes over real HTTP against a real engine: the list and its counters moving after a real
 * ADT message over MLLP, the detail with secrets masked, start/pause/stop (audited), validating a
 * broken document, deploying one with PUT (and a refused PUT leaving files and channels as they were),
 * reloading the folder; then the counters over time and the listeners.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMllp } from '../../listeners/mllp/client.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { testDatabases } from '../support/databases.ts';
import { adtMessage, readAck } from '../support/hl7-samples.ts';

interface Counts {
  received: number;
  filtered: number;
  processed: number;
  errored: number;
}
interface Destination {
  name: string;
  type: string;
  queued: number;
  sent: number;
  error: number;
}
interface Channel {
  id: string;
  name: string;
  state: string;
  listener: string;
  messageTypes: string[];
  counts: Counts;
  lastMessageAt: string | null;
  destinations: Destination[];
}
interface Problem {
  file: string | null;
  path: string;
  line: number | null;
  message: string;
}

const FILE_CHANNEL = (id: string, dir: string, name = 'File drop') => `id: ${id}
name: ${name}
source:
  listener: mllp
  messageTypes: ADT^A08
destinations:
  - name: drop
    type: file
    directory: ${JSON.stringify(dir)}
`;

for (const target of await testDatabases())
  describe(`channel routes (${target.name})`, () => {
    let f: ApiFixture;
    let outDir: string;
    const list = async (token = f.tokens.viewer): Promise<Channel[]> => {
      const res = await f.call<{ channels: Channel[] }>('GET', '/api/channels', { token });
      expect(res.status).toBe(200);
      return res.body.channels;
    };
    const channel = async (id: string): Promise<Channel | undefined> =>
      (await list()).find((c) => c.id === id);
    const sendAdt = async (controlId: string, trigger = 'A01'): Promise<void> => {
      const [ack] = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [
        adtMessage({ controlId, trigger }),
      ]);
      expect(readAck(ack!).code).toBe('AA');
      await f.engine.drain();
    };

    beforeAll(async () => {
      f = await startApiEngine({ database: target.name });
      outDir = path.join(f.dir, 'out');
      await mkdir(outDir, { recursive: true });
    }, 60_000);
    afterAll(async () => f?.stop());

    it('lists the shipped channels with state, listener, types and destinations', async () => {
      const channels = await list();
      expect(channels.map((c) => c.id)).toEqual(['adt', 'orm', 'oru']);
      const adt = channels[0]!;
      expect(adt).toMatchObject({
        name: 'ADT to FHIR',
        state: 'started',
        listener: 'mllp',
        messageTypes: ['ADT'],
        counts: { received: 0, filtered: 0, processed: 0, errored: 0 },
        lastMessageAt: null,
        destinations: [
          { name: 'fhir', type: 'fhir-store', queued: 0, sent: 0, error: 0 },
          { name: 'hms', type: 'hms', queued: 0, sent: 0, error: 0 },
        ],
      });
    });

    it('moves the counters after a real ADT message over MLLP, and counts a reprocessed one once', async () => {
      await sendAdt('CNT-1');
      const adt = (await channel('adt'))!;
      expect(adt.counts).toEqual({ received: 1, filtered: 0, processed: 1, errored: 0 });
      expect(adt.destinations[0]).toMatchObject({ name: 'fhir', queued: 0, sent: 1, error: 0 });
      expect(Date.parse(adt.lastMessageAt!)).toBeGreaterThan(Date.now() - 60_000);
      expect((await channel('orm'))!.counts.received).toBe(0);

      const { rows } = await f.engine.db.query<{ id: string }>(
        `SELECT id::text AS id FROM messages WHERE control_id = 'CNT-1'`,
      );
      expect((await f.engine.reprocess(rows[0]!.id)).ok).toBe(true);
      await f.engine.drain();
      const again = (await channel('adt'))!;
      const results = await f.engine.db.query(`SELECT 1 FROM channel_results WHERE message_id = $1`, [
        rows[0]!.id,
      ]);
      expect(results.rows).toHaveLength(2);
      expect(again.counts).toEqual({ received: 1, filtered: 0, processed: 1, errored: 0 });
      // Deliveries are real sends: both runs delivered.
      expect(again.destinations[0]!.sent).toBe(2);
    });

    it('shows one channel in detail with its spec and destination queues; 404 for an unknown one', async () => {
      const res = await f.call('GET', '/api/channels/adt', { token: f.tokens.viewer });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: 'adt',
        file: 'adt.yaml',
        enabled: true,
        spec: {
          id: 'adt',
          source: { listener: 'mllp', messageTypes: ['ADT'] },
          filters: [],
          destinations: [
            {
              name: 'fhir',
              type: 'fhir-store',
              transformers: [{ kind: 'mapping', name: 'adt-to-fhir' }],
              retry: { maxAttempts: 5 },
            },
            { name: 'hms', type: 'hms', transformers: [] },
          ],
        },
        destinations: [
          {
            name: 'fhir',
            enabled: true,
            queueDepth: 0,
            oldestQueuedAt: null,
            oldestQueuedAgeSeconds: null,
            deadLettered: 0,
          },
          { name: 'hms', enabled: true, queueDepth: 0, deadLettered: 0 },
        ],
      });
      expect(res.body.spec.file).toBeUndefined();
      expect((await f.call('GET', '/api/channels/nope', { token: f.tokens.viewer })).status).toBe(404);
    });

    it('masks secrets in destinations, and counts queued and dead-lettered deliveries', async () => {
      // Port 9 on 127.0.0.1 refuses: "hook" keeps its delivery queued for a retry in an hour. The http
      // destination refuses credentials in a URL for good, so "creds" dead-letters at once.
      const yaml = `id: secret-hook
source: { listener: mllp, messageTypes: ADT^A04 }
destinations:
  - name: hook
    type: http
    url: http://127.0.0.1:9/in?api_key=hunter2-key&x=1
    retry: { maxAttempts: 50, initialDelayMs: 3600000, maxDelayMs: 3600000, jitter: false }
    headers:
      Authorization: Bearer hunter2-token
      X-Api-Key: hunter2-apikey
      X-Trace: visible-value
  - name: creds
    type: http
    url: http://svc:hunter2-password@127.0.0.1:9/in
`;
      const put = await f.call('PUT', '/api/channels/secret-hook', {
        token: f.tokens.analyst,
        raw: { body: yaml, contentType: 'application/yaml' },
      });
      expect(put.status).toBe(201);
      await sendAdt('Q-1', 'A04');
      const res = await f.call('GET', '/api/channels/secret-hook', { token: f.tokens.viewer });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('hunter2');
      const dest = res.body.spec.destinations[0];
      expect(dest.headers).toEqual({
        Authorization: '********',
        'X-Api-Key': '********',
        'X-Trace': 'visible-value',
      });
      expect(dest.url).toBe('http://127.0.0.1:9/in?api_key=********&x=1');
      expect(res.body.spec.destinations[1].url).toBe('http://svc:********@127.0.0.1:9/in');
      expect(res.body.destinations[0]).toMatchObject({
        name: 'hook',
        queued: 1,
        queueDepth: 1,
        deadLettered: 0,
      });
      expect(res.body.destinations[1]).toMatchObject({
        name: 'creds',
        queued: 0,
        error: 1,
        deadLettered: 1,
        oldestQueuedAt: null,
      });
      expect(res.body.destinations[0].oldestQueuedAgeSeconds).toBeGreaterThanOrEqual(0);
      expect(Date.parse(res.body.destinations[0].oldestQueuedAt)).not.toBeNaN();
      await f.call('POST', '/api/channels/secret-hook/stop', { token: f.tokens.operator });
    });

    it('pauses, stops and starts a channel, each change audited; 404 for an unknown channel', async () => {
      for (const [action, state] of [
        ['pause', 'paused'],
        ['stop', 'stopped'],
        ['start', 'started'],
      ] as const) {
        const res = await f.call('POST', `/api/channels/orm/${action}`, { token: f.tokens.operator });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ id: 'orm', state });
        expect((await channel('orm'))!.state).toBe(state);
      }
      const rows = await f.engine.audit.list({ action: 'channel.state', target: 'channel/orm' });
      expect(rows.map((r) => [r.actor, r.detail.state])).toEqual([
        ['operator-user', 'paused'],
        ['operator-user', 'stopped'],
        ['operator-user', 'started'],
      ]);
      const missing = await f.call('POST', '/api/channels/nope/pause', { token: f.tokens.operator });
      expect(missing.status).toBe(404);
    });

    it('a stopped channel is not routed to: its message type is rejected', async () => {
      await f.call('POST', '/api/channels/adt/stop', { token: f.tokens.operator });
      const [ack] = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [
        adtMessage({ controlId: 'STOPPED-1', trigger: 'A03' }),
      ]);
      expect(readAck(ack!).code).toBe('AR');
      await f.call('POST', '/api/channels/adt/start', { token: f.tokens.operator });
    });

    it('validates a broken document with paths and lines, and writes nothing', async () => {
      const before = await readdir(f.channelsDir);
      const broken = `id: broken
source:
  listener: mllp
  messageTypes: ADT
destinatons: []
destinations:
  - name: out
    type: mllp
    host: 127.0.0.1
    port: abc
`;
      const res = await f.call<{ ok: boolean; problems: Problem[] }>('POST', '/api/channels/validate', {
        token: f.tokens.analyst,
        raw: { body: broken, contentType: 'application/yaml' },
      });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      const byPath = new Map(res.body.problems.map((p) => [p.path, p]));
      expect(byPath.get('destinations[0].port')).toMatchObject({ line: 10 });
      expect(byPath.get('destinations[0].port')!.message).toMatch(/1 to 65535/);
      expect(byPath.get('destinatons')).toMatchObject({ line: 5 });

      const syntax = await f.call<{ ok: boolean; problems: Problem[] }>('POST', '/api/channels/validate', {
        token: f.tokens.analyst,
        raw: { body: 'id: [unclosed\n', contentType: 'text/plain' },
      });
      expect(syntax.body.ok).toBe(false);
      expect(syntax.body.problems[0]!.message).toMatch(/YAML/);

      const good = await f.call('POST', '/api/channels/validate', {
        token: f.tokens.analyst,
        json: { yaml: FILE_CHANNEL('fine', outDir) },
      });
      expect(good.body).toEqual({ ok: true, problems: [] });
      const notYaml = await f.call('POST', '/api/channels/validate', {
        token: f.tokens.analyst,
        json: { x: 1 },
      });
      expect(notYaml.status).toBe(400);
      expect(await readdir(f.channelsDir)).toEqual(before);
      expect(await channel('fine')).toBeUndefined();
    });

    it('deploys a new channel with PUT: written, listed, started, audited, and it takes messages', async () => {
      const yaml = FILE_CHANNEL('file-drop', outDir);
      const res = await f.call('PUT', '/api/channels/file-drop', {
        token: f.tokens.analyst,
        raw: { body: yaml, contentType: 'application/yaml' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        ok: true,
        created: true,
        file: 'file-drop.yaml',
        diff: { added: ['file-drop'], changed: [], removed: [] },
      });
      expect(await readFile(path.join(f.channelsDir, 'file-drop.yaml'), 'utf8')).toBe(yaml);
      expect(await channel('file-drop')).toMatchObject({ state: 'started', messageTypes: ['ADT^A08'] });
      const audit = await f.engine.audit.list({ action: 'channel.deploy', target: 'channel/file-drop' });
      expect(audit.at(-1)).toMatchObject({ actor: 'analyst-user', detail: { ok: true, added: 'file-drop' } });

      await sendAdt('DROP-1', 'A08');
      expect((await readdir(outDir)).length).toBe(1);
      expect((await channel('file-drop'))!.destinations[0]).toMatchObject({ sent: 1 });

      const rename = await f.call('PUT', '/api/channels/file-drop', {
        token: f.tokens.analyst,
        json: { yaml: FILE_CHANNEL('file-drop', outDir, 'Renamed drop') },
      });
      expect(rename.status).toBe(200);
      expect(rename.body).toMatchObject({
        created: false,
        diff: { added: [], changed: ['file-drop'], removed: [] },
      });
      expect((await channel('file-drop'))!.name).toBe('Renamed drop');
    });

    it('refuses a PUT whose document is invalid or names another id, changing nothing', async () => {
      const before = await readdir(f.channelsDir);
      const ids = (await list()).map((c) => c.id);
      const wrongId = await f.call('PUT', '/api/channels/other-id', {
        token: f.tokens.analyst,
        raw: { body: FILE_CHANNEL('file-drop', outDir), contentType: 'application/yaml' },
      });
      expect(wrongId.status).toBe(422);
      expect(wrongId.body.problems).toEqual([expect.objectContaining({ path: 'id', line: 1 })]);
      const invalid = await f.call('PUT', '/api/channels/bad-one', {
        token: f.tokens.analyst,
        raw: {
          body: 'id: bad-one\nsource: { listener: nowhere, messageTypes: ADT }\n',
          contentType: 'text/plain',
        },
      });
      expect(invalid.status).toBe(422);
      expect(invalid.body.error.code).toBe('invalid-channel');
      expect(invalid.body.problems.map((p: Problem) => p.path).sort()).toEqual([
        'destinations',
        'source.listener',
      ]);
      const traversal = await f.call('PUT', `/api/channels/${encodeURIComponent('../escape')}`, {
        token: f.tokens.analyst,
        raw: { body: FILE_CHANNEL('escape', outDir), contentType: 'application/yaml' },
      });
      expect(traversal.status).toBe(422);
      expect(traversal.body.problems[0].path).toBe('id');
      expect(await readdir(f.channelsDir)).toEqual(before);
      expect(await readdir(path.dirname(f.channelsDir))).not.toContain('escape.yaml');
      expect((await list()).map((c) => c.id)).toEqual(ids);
    });

    it('a PUT refused by the reload puts the folder back and keeps the running channels', async () => {
      // A broken file someone left in the folder: every reload is refused while it is there.
      await writeFile(path.join(f.channelsDir, 'zz-broken.yaml'), 'id: zz-broken\nsource: 12\n');
      const fileBefore = await readFile(path.join(f.channelsDir, 'file-drop.yaml'), 'utf8');
      const ids = (await list()).map((c) => c.id);

      const update = await f.call('PUT', '/api/channels/file-drop', {
        token: f.tokens.analyst,
        raw: { body: FILE_CHANNEL('file-drop', outDir, 'Never deployed'), contentType: 'application/yaml' },
      });
      expect(update.status).toBe(422);
      expect(update.body.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ file: 'zz-broken.yaml', path: 'source' })]),
      );
      expect(await readFile(path.join(f.channelsDir, 'file-drop.yaml'), 'utf8')).toBe(fileBefore);
      expect((await channel('file-drop'))!.name).toBe('Renamed drop');

      const created = await f.call('PUT', '/api/channels/brand-new', {
        token: f.tokens.analyst,
        raw: { body: FILE_CHANNEL('brand-new', outDir), contentType: 'application/yaml' },
      });
      expect(created.status).toBe(422);
      expect((await readdir(f.channelsDir)).includes('brand-new.yaml')).toBe(false);
      expect((await list()).map((c) => c.id)).toEqual(ids);

      const refusedAudit = await f.engine.audit.list({
        action: 'channel.deploy',
        target: 'channel/brand-new',
      });
      expect(refusedAudit.at(-1)!.detail.ok).toBe(false);

      // Reloading the folder as it is: refused too, with the broken file's problem.
      const reload = await f.call('POST', '/api/channels/deploy', { token: f.tokens.analyst });
      expect(reload.status).toBe(422);
      expect(reload.body.problems[0]).toMatchObject({ file: 'zz-broken.yaml', path: 'source', line: 2 });
      await rm(path.join(f.channelsDir, 'zz-broken.yaml'));
    });

    it('reloads the folder from disk on deploy, audited as a config change', async () => {
      await writeFile(path.join(f.channelsDir, 'extra.yaml'), FILE_CHANNEL('extra', outDir));
      const res = await f.call('POST', '/api/channels/deploy', { token: f.tokens.admin });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      // The folder watcher may have deployed it a moment earlier; either way it runs now.
      expect([[], ['extra']]).toContainEqual(res.body.diff.added);
      expect(await channel('extra')).toMatchObject({ state: 'started' });
      const audit = await f.engine.audit.list({ action: 'config.change', target: 'channels' });
      expect(audit.at(-1)).toMatchObject({ actor: 'admin-user', detail: { ok: true } });
    });
  });

for (const target of await testDatabases())
  describe(`stats and listeners (${target.name})`, () => {
    let f: ApiFixture;
    beforeAll(async () => {
      f = await startApiEngine({ database: target.name });
    }, 60_000);
    afterAll(async () => f?.stop());

    interface Point {
      at: string;
      received: number;
      filtered: number;
      processed: number;
      errored: number;
      deliveriesSent: number;
      deliveryErrors: number;
    }
    interface Stats {
      from: string;
      to: string;
      window: string;
      bucket: string;
      channels: { id: string; deployed: boolean; points: Point[] }[];
      totals: { messages: Record<string, number>; deliveries: Record<string, number> };
    }

    it('counts channel results and delivery attempts in the bucket of their time', async () => {
      const [ack] = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [
        adtMessage({ controlId: 'STATS-1' }),
      ]);
      expect(readAck(ack!).code).toBe('AA');
      await f.engine.drain();
      const { rows } = await f.engine.db.query<{ id: string; at: Date; sent_at: Date }>(
        `SELECT m.id::text AS id, r.at, a.at AS sent_at
       FROM messages m JOIN channel_results r ON r.message_id = m.id
       JOIN deliveries d ON d.message_id = m.id JOIN delivery_attempts a ON a.delivery_id = d.id
       WHERE m.control_id = 'STATS-1'`,
      );
      const real = rows[0]!;
      // Two more results at known times, for a channel no longer deployed.
      const threeHoursAgo = new Date(Date.now() - 3 * 3600_000);
      const fiveHoursAgo = new Date(Date.now() - 5 * 3600_000);
      await f.engine.db.query(
        `INSERT INTO channel_results (message_id, channel_id, run, status, at)
       VALUES ($1, 'retired', 1, 'filtered', $2), ($1, 'retired', 2, 'error', $3)`,
        [real.id, threeHoursAgo, fiveHoursAgo],
      );

      const res = await f.call<Stats>('GET', '/api/stats?window=24h&bucket=1h', { token: f.tokens.viewer });
      expect(res.status).toBe(200);
      const { body } = res;
      expect(body).toMatchObject({ window: '24h', bucket: '1h' });
      const from = Date.parse(body.from);
      expect(Date.parse(body.to) - from).toBe(24 * 3600_000);
      const bucketOf = (d: Date) => Math.floor((d.getTime() - from) / 3600_000);
      const series = (id: string) => body.channels.find((c) => c.id === id)!;

      const adt = series('adt');
      expect(adt.deployed).toBe(true);
      expect(adt.points).toHaveLength(24);
      expect(Date.parse(adt.points[bucketOf(real.at)]!.at)).toBe(from + bucketOf(real.at) * 3600_000);
      expect(adt.points[bucketOf(real.at)]).toMatchObject({ received: 1, processed: 1, filtered: 0 });
      expect(adt.points[bucketOf(real.sent_at)]!.deliveriesSent).toBe(2); // fhir and hms
      expect(adt.points.reduce((n, p) => n + p.received, 0)).toBe(1);

      const retired = series('retired');
      expect(retired.deployed).toBe(false);
      expect(retired.points[bucketOf(threeHoursAgo)]).toMatchObject({ received: 1, filtered: 1, errored: 0 });
      expect(retired.points[bucketOf(fiveHoursAgo)]).toMatchObject({ received: 1, errored: 1 });
      expect(retired.points.reduce((n, p) => n + p.received, 0)).toBe(2);

      expect(series('orm').points.every((p) => p.received === 0)).toBe(true);
      expect(body.totals.messages.processed).toBe(1);
      expect(body.totals.deliveries.sent).toBe(2); // adt: fhir and hms

      // The last hour in 5-minute buckets leaves the older results out.
      const hour = await f.call<Stats>('GET', '/api/stats?window=1h', { token: f.tokens.viewer });
      expect(hour.body.bucket).toBe('5m');
      expect(hour.body.channels.find((c) => c.id === 'adt')!.points).toHaveLength(12);
      expect(hour.body.channels.find((c) => c.id === 'retired')).toBeUndefined();
    });

    it('refuses windows and buckets that do not fit', async () => {
      for (const q of ['window=1h&bucket=1d', 'window=7d&bucket=1m', 'window=2h', 'bucket=7m']) {
        const res = await f.call('GET', `/api/stats?${q}`, { token: f.tokens.viewer });
        expect(res.status, q).toBe(400);
      }
    });

    it('lists the MLLP listener and the HTTP listener with ports, connections and last message', async () => {
      const res = await f.call('GET', '/api/listeners', { token: f.tokens.viewer });
      expect(res.status).toBe(200);
      const byName = new Map(res.body.listeners.map((l: { name: string }) => [l.name, l]));
      expect(byName.get('mllp')).toMatchObject({
        kind: 'mllp',
        port: f.engine.mllpPort,
        listening: true,
        tls: false,
      });
      expect(Date.parse((byName.get('mllp') as { lastMessageAt: string }).lastMessageAt)).not.toBeNaN();
      expect(byName.get('http')).toMatchObject({ kind: 'http', port: f.engine.httpPort, listening: true });
      // This request's own connection is open.
      expect((byName.get('http') as { openConnections: number }).openConnections).toBeGreaterThanOrEqual(1);
    });
  });
