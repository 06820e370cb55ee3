/**
 * The message routes against a real engine: messages sent over MLLP and processed by the shipped
 * channels, then searched by every filter (paging with the cursor), read in full, reprocessed one at a
 * time and in bulk, and a delivery resent. Every search and read leaves an audit row without PHI;
 * viewers get 403 and analysts may read but not reprocess.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAction } from '../../engine/audit/types.ts';
import { sendMllp } from '../../listeners/mllp/client.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { adtMessage, readAck } from '../support/hl7-samples.ts';

interface Summary {
  id: string;
  receivedAt: string;
  listener: string;
  messageType: string | null;
  triggerEvent: string | null;
  controlId: string | null;
  status: string;
  ackCode: string;
  processingRuns: number;
  channels: { channelId: string; status: string }[];
  [key: string]: unknown;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}
interface Detail extends Summary {
  raw: string;
  rawBase64: string;
  rawCharset: string;
  parsed: { segments: { name: string; fields: string[] }[] } | null;
  parseError: string | null;
  ack: string;
  error: string | null;
  channelResults: { channelId: string; status: string }[];
  deliveries: {
    id: string;
    run: number;
    channelId: string;
    destination: string;
    status: string;
    contentType: string;
    payload: { encoding: string; data: string };
    attemptLog: { attempt: number; ok: boolean }[];
  }[];
}

function oruMessage(controlId: string, mrn: string): string {
  return [
    `MSH|^~\\&|LAB|MCM|SWITCHBOARD|HOSP|20261121093000||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    `PID|1||${mrn}^^^MCM^MR||DOE^JANE||19800101|F`,
    'OBR|1||ORD1|CBC^Blood count',
    'OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|||||F',
    '',
  ].join('\r');
}

/** An ADT with two PID-3 repetitions: the MRN of MCM and a national number of authority SSA. */
function twoIdentifiers(controlId: string, mrn: string, national: string): string {
  return adtMessage({ controlId, mrn }).replace(`${mrn}^^^MCM^MR`, `${mrn}^^^MCM^MR~${national}^^^SSA^SS`);
}

describe('message routes', () => {
  let f: ApiFixture;
  let startedAt: Date;
  /** Message ids by control id. */
  const ids = new Map<string, string>();

  const get = <T>(path: string, token = f.tokens.operator) => f.call<T>('GET', path, { token });
  const search = async (query: string, token = f.tokens.operator): Promise<Page> => {
    const res = await get<Page>(`/api/messages?${query}`, token);
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const controlIds = async (query: string): Promise<string[]> =>
    (await search(query)).items.map((m) => m.controlId ?? '');
  const auditRows = (action: AuditAction) => f.engine.audit.list({ action, limit: 1000 });

  async function send(...messages: string[]): Promise<string[]> {
    const acks = await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, messages);
    await f.engine.drain();
    return acks.map((a) => readAck(a).code);
  }

  async function idOf(controlId: string): Promise<string> {
    const known = ids.get(controlId);
    if (known) return known;
    const [m] = (await search(`controlId=${encodeURIComponent(controlId)}`)).items;
    expect(m, controlId).toBeDefined();
    ids.set(controlId, m!.id);
    return m!.id;
  }

  beforeAll(async () => {
    f = await startApiEngine();
    startedAt = new Date(Date.now() - 1000);
    const acks = await send(
      adtMessage({ controlId: 'ADT-1', mrn: '500001', family: 'ZEBRAFISH' }),
      adtMessage({ controlId: 'ADT-2', mrn: '500002', trigger: 'A08' }),
      twoIdentifiers('ADT-3', '500003', 'NAT-77'),
      oruMessage('ORU-1', '500001'),
      adtMessage({ controlId: 'ADT-4', mrn: '500004' }),
      adtMessage({ controlId: 'ADT-5', mrn: '500005', trigger: 'A08' }),
      adtMessage({ controlId: 'ADT-6', mrn: '500006' }),
      adtMessage({ controlId: 'ADT-1', mrn: '500001', family: 'ZEBRAFISH' }), // a resend: duplicate
      adtMessage({ controlId: 'BAD-1', mrn: '500009' }).replace('ADT^A01^ADT_A01', 'ZZZ^Z01'),
    );
    expect(acks).toEqual(['AA', 'AA', 'AA', 'AA', 'AA', 'AA', 'AA', 'AA', 'AR']);
  }, 60_000);
  afterAll(async () => f?.stop());

  describe('search', () => {
    it('lists summaries newest first, without content', async () => {
      const page = await search('limit=500');
      expect(page.items).toHaveLength(9);
      expect(page.nextCursor).toBeNull();
      const numeric = page.items.map((m) => Number(m.id));
      expect(numeric).toEqual([...numeric].sort((a, b) => b - a));
      const adt1 = page.items.find((m) => m.controlId === 'ADT-1' && m.status === 'processed')!;
      expect(adt1).toMatchObject({
        listener: expect.stringMatching(/^mllp/),
        remoteAddress: '127.0.0.1',
        messageType: 'ADT',
        triggerEvent: 'A01',
        sendingApplication: 'REGADT',
        sendingFacility: 'MCM',
        ackCode: 'AA',
        duplicateOf: null,
        processingRuns: 1,
        channels: [{ channelId: 'adt', status: 'transformed' }],
      });
      expect(Object.keys(adt1)).not.toContain('raw');
      expect(JSON.stringify(page)).not.toContain('ZEBRAFISH');
    });

    it('filters by control ID, type, trigger, status, channel and listener', async () => {
      expect(await controlIds('controlId=ADT-2')).toEqual(['ADT-2']);
      expect(await controlIds('messageType=ORU')).toEqual(['ORU-1']);
      expect(await controlIds('messageType=ADT&trigger=A08')).toEqual(['ADT-5', 'ADT-2']);
      expect(await controlIds('trigger=A08')).toEqual(['ADT-5', 'ADT-2']);
      expect(await controlIds('status=rejected')).toEqual(['BAD-1']);
      const [dup] = (await search('status=duplicate')).items;
      const [original] = (await search('controlId=ADT-1&status=processed')).items;
      expect(dup).toMatchObject({ controlId: 'ADT-1', duplicateOf: original!.id });
      expect(Number(dup!.id)).toBeGreaterThan(Number(original!.id));
      expect(await controlIds('channel=oru')).toEqual(['ORU-1']);
      expect(await controlIds('channel=adt&trigger=A08')).toEqual(['ADT-5', 'ADT-2']);
      expect(await controlIds('channel=nope')).toEqual([]);
      expect((await search('listener=mllp')).items).toHaveLength(9);
      expect(await controlIds('listener=http')).toEqual([]);
    });

    it('finds a patient by any PID-3 identifier, and narrows by assigning authority', async () => {
      expect(await controlIds('patientId=500001')).toEqual(['ADT-1', 'ORU-1', 'ADT-1']);
      expect(await controlIds('patientId=500001&status=processed')).toEqual(['ORU-1', 'ADT-1']);
      expect(await controlIds('patientId=NAT-77')).toEqual(['ADT-3']);
      expect(await controlIds('patientId=NAT-77&authority=SSA')).toEqual(['ADT-3']);
      expect(await controlIds('patientId=NAT-77&authority=MCM')).toEqual([]);
      expect(await controlIds('patientId=500003&authority=MCM')).toEqual(['ADT-3']);
      expect(await controlIds('patientId=500009')).toEqual(['BAD-1']);
      expect(await controlIds('patientId=5000')).toEqual([]);
    });

    it('filters by received time and by free text', async () => {
      const now = new Date(Date.now() + 1000).toISOString();
      expect((await search(`from=${startedAt.toISOString()}&to=${now}`)).items).toHaveLength(9);
      expect((await search(`to=${startedAt.toISOString()}`)).items).toHaveLength(0);
      expect((await search(`from=${now}`)).items).toHaveLength(0);
      expect(await controlIds('q=zebrafish')).toEqual(['ADT-1', 'ADT-1']);
      expect(await controlIds('q=zebrafish&status=processed')).toEqual(['ADT-1']);
      expect(await controlIds('q=Hemoglobin')).toEqual(['ORU-1']);
    });

    it('pages with the cursor across every message without loss or repeats', async () => {
      const all = (await search('limit=500')).items.map((m) => m.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await search(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((m) => m.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(pages).toBe(5);
      expect(seen).toEqual(all);
      // Paging combines with filters.
      const first = await search('messageType=ADT&limit=3');
      const second = await search(`messageType=ADT&limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`);
      const third = await search(`messageType=ADT&limit=3&cursor=${encodeURIComponent(second.nextCursor!)}`);
      expect(third.nextCursor).toBeNull();
      const adts = [...first.items, ...second.items, ...third.items].map((m) => m.id);
      expect(adts).toEqual((await search('messageType=ADT')).items.map((m) => m.id));
      expect(new Set(adts).size).toBe(7);
    });

    it('answers 400 for bad parameters, never 500', async () => {
      for (const query of [
        'limit=0',
        'limit=501',
        'limit=ten',
        'cursor=not-a-cursor',
        'from=yesterday',
        'to=2026-13-45T00:00:00Z',
        'status=lost',
        'patientID=500001',
        'authority=MCM',
      ]) {
        const res = await get<{ error: { code: string } }>(`/api/messages?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error.code, query).toBe('bad-request');
      }
    });

    it('audits each search with the filter names and result count, never the values', async () => {
      const before = (await auditRows('message.search')).length;
      await search('patientId=500001&authority=MCM&status=processed');
      const rows = await auditRows('message.search');
      expect(rows).toHaveLength(before + 1);
      const row = rows[rows.length - 1]!;
      expect(row).toMatchObject({
        actor: 'operator-user',
        actorRole: 'operator',
        target: null,
        detail: { filters: 'status,patientId,authority', page: 'first', results: 2 },
      });
      expect(JSON.stringify(rows)).not.toContain('500001');
    });
  });

  describe('detail', () => {
    it('shows raw bytes, the parsed view, the ACK, channel results and deliveries with attempts', async () => {
      const id = await idOf('ADT-3');
      const sent = twoIdentifiers('ADT-3', '500003', 'NAT-77');
      const res = await get<Detail>(`/api/messages/${id}`, f.tokens.analyst);
      expect(res.status).toBe(200);
      const d = res.body;
      expect(d).toMatchObject({
        id,
        controlId: 'ADT-3',
        status: 'processed',
        rawCharset: 'utf8',
        error: null,
      });
      expect(d.raw).toBe(sent);
      expect(Buffer.from(d.rawBase64, 'base64').equals(Buffer.from(sent))).toBe(true);
      const segments = d.parsed!.segments;
      expect(segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
      expect(segments[0]!.fields.slice(0, 3)).toEqual(['MSH', '|', '^~\\&']);
      expect(segments[0]!.fields[9]).toBe('ADT^A01^ADT_A01');
      expect(segments[0]!.fields[10]).toBe('ADT-3');
      expect(segments[2]!.fields[3]).toBe('500003^^^MCM^MR~NAT-77^^^SSA^SS');
      expect(readAck(d.ack)).toMatchObject({ code: 'AA', controlId: 'ADT-3' });
      expect(d.channelResults).toEqual([
        { channelId: 'adt', status: 'transformed', error: null, detail: null },
      ]);
      // adt delivers to fhir and hms (docs/hms.md)
      expect(d.deliveries.map((x) => x.destination).sort()).toEqual(['fhir', 'hms']);
      const delivery = d.deliveries.find((x) => x.destination === 'fhir');
      expect(delivery).toMatchObject({ run: 1, channelId: 'adt', destination: 'fhir', status: 'sent' });
      expect(delivery!.attemptLog).toMatchObject([{ attempt: 1, ok: true }]);
      expect(delivery!.payload.encoding).toBe('utf8');
      expect(delivery!.payload.data).toContain('NAT-77');
    });

    it('decodes a message that declares ISO 8859-1 as Latin-1', async () => {
      const text = adtMessage({ controlId: 'LATIN-1', mrn: '500010', family: 'MÜLLER' }).replace(
        'ADT^A01^ADT_A01|LATIN-1|P|2.5.1',
        'ADT^A01^ADT_A01|LATIN-1|P|2.5.1||||||8859/1',
      );
      const bytes = Buffer.from(text, 'latin1');
      await sendMllp({ host: '127.0.0.1', port: f.engine.mllpPort }, [bytes]);
      await f.engine.drain();
      const d = (await get<Detail>(`/api/messages/${await idOf('LATIN-1')}`)).body;
      expect(d.rawCharset).toBe('latin1');
      expect(d.raw).toContain('MÜLLER^EVE');
      expect(Buffer.from(d.rawBase64, 'base64').equals(bytes)).toBe(true);
    });

    it('audits every read with the message as target', async () => {
      const id = await idOf('ADT-4');
      const before = (await auditRows('message.read')).length;
      expect((await get(`/api/messages/${id}`)).status).toBe(200);
      expect((await get(`/api/messages/${id}`, f.tokens.admin)).status).toBe(200);
      const rows = (await auditRows('message.read')).slice(before);
      expect(rows.map((r) => [r.actor, r.target])).toEqual([
        ['operator-user', `message/${id}`],
        ['admin-user', `message/${id}`],
      ]);
    });

    it('answers 404 for unknown and non-numeric ids, and audits nothing for them', async () => {
      const before = (await auditRows('message.read')).length;
      for (const id of ['999999', 'abc', '-1', '1.5', '99999999999999999999999']) {
        const res = await get<{ error: { code: string } }>(`/api/messages/${id}`);
        expect(res.status, id).toBe(404);
        expect(res.body.error.code).toBe('not-found');
      }
      expect(await auditRows('message.read')).toHaveLength(before);
    });
  });

  describe('access', () => {
    it('gives viewers 403 on every message route, and analysts 403 on reprocess and resend', async () => {
      const id = await idOf('ADT-1');
      const viewer = f.tokens.viewer;
      expect((await f.call('GET', '/api/messages', { token: viewer })).status).toBe(403);
      expect((await f.call('GET', `/api/messages/${id}`, { token: viewer })).status).toBe(403);
      expect((await f.call('POST', `/api/messages/${id}/reprocess`, { token: viewer })).status).toBe(403);
      expect(
        (await f.call('POST', '/api/messages/reprocess', { token: viewer, json: { ids: [id] } })).status,
      ).toBe(403);
      expect((await f.call('POST', '/api/deliveries/1/resend', { token: viewer })).status).toBe(403);
      const analyst = f.tokens.analyst;
      expect((await f.call('POST', `/api/messages/${id}/reprocess`, { token: analyst })).status).toBe(403);
      expect((await f.call('POST', '/api/deliveries/1/resend', { token: analyst })).status).toBe(403);
      expect((await f.call('GET', '/api/messages')).status).toBe(401);
    });
  });

  describe('reprocess', () => {
    it('puts a processed message through its channels again, audited; 409 and 404 otherwise', async () => {
      const id = await idOf('ADT-5');
      const res = await f.call('POST', `/api/messages/${id}/reprocess`, { token: f.tokens.operator });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id, outcome: 'queued' });
      await f.engine.drain();
      const d = (await get<Detail>(`/api/messages/${id}`)).body;
      expect(d).toMatchObject({ status: 'processed', processingRuns: 2 });
      expect(d.deliveries.filter((x) => x.destination === 'fhir').map((x) => [x.run, x.status])).toEqual([
        [1, 'sent'],
        [2, 'sent'],
      ]);
      const audited = await f.engine.audit.list({ action: 'message.reprocess', target: `message/${id}` });
      expect(audited.map((r) => [r.actor, r.detail.outcome])).toEqual([['operator-user', 'queued']]);

      const rejected = await idOf('BAD-1');
      const conflict = await f.call('POST', `/api/messages/${rejected}/reprocess`, { token: f.tokens.admin });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.code).toBe('conflict');
      expect((await f.engine.store.get(rejected))!.status).toBe('rejected');
      expect((await f.call('POST', '/api/messages/999999/reprocess', { token: f.tokens.admin })).status).toBe(
        404,
      );
      expect((await f.call('POST', '/api/messages/abc/reprocess', { token: f.tokens.admin })).status).toBe(
        404,
      );
    });

    it('reprocesses many, with an outcome per id and an audit row per message', async () => {
      const a = await idOf('ADT-6');
      const b = await idOf('ORU-1');
      const rejected = await idOf('BAD-1');
      const res = await f.call('POST', '/api/messages/reprocess', {
        token: f.tokens.operator,
        json: { ids: [a, b, rejected, '999999', 'abc', a] },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.queued).toBe(2);
      expect(res.body.results.map((r: { id: string; outcome: string }) => [r.id, r.outcome])).toEqual([
        [a, 'queued'],
        [b, 'queued'],
        [rejected, 'conflict'],
        ['999999', 'not-found'],
        ['abc', 'not-found'],
      ]);
      await f.engine.drain();
      expect((await f.engine.store.get(b))!).toMatchObject({ status: 'processed', processingRuns: 2 });
      for (const id of [a, b, rejected]) {
        const rows = await f.engine.audit.list({ action: 'message.reprocess', target: `message/${id}` });
        expect(
          rows.some((r) => r.detail.bulk === true),
          id,
        ).toBe(true);
      }
      const tooMany = Array.from({ length: 1001 }, (_, i) => String(i + 1));
      const big = await f.call('POST', '/api/messages/reprocess', {
        token: f.tokens.operator,
        json: { ids: tooMany },
      });
      expect(big.status).toBe(400);
    });
  });

  describe('resend', () => {
    it('refuses a delivery still queued, then resends a sent one, audited', async () => {
      await f.engine.channels.pause('adt');
      try {
        expect(await send(adtMessage({ controlId: 'RESEND-1', mrn: '500020' }))).toEqual(['AA']);
        const id = await idOf('RESEND-1');
        const [queued] = (await get<Detail>(`/api/messages/${id}`)).body.deliveries;
        expect(queued).toMatchObject({ status: 'queued', attemptLog: [] });
        const refused = await f.call('POST', `/api/deliveries/${queued!.id}/resend`, {
          token: f.tokens.operator,
        });
        expect(refused.status).toBe(409);
      } finally {
        await f.engine.channels.start('adt');
      }
      await f.engine.drain();
      const id = await idOf('RESEND-1');
      const [sent] = (await get<Detail>(`/api/messages/${id}`)).body.deliveries;
      expect(sent).toMatchObject({ status: 'sent', attemptLog: [{ attempt: 1, ok: true }] });

      const res = await f.call('POST', `/api/deliveries/${sent!.id}/resend`, { token: f.tokens.operator });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        id: sent!.id,
        messageId: id,
        channelId: 'adt',
        destination: 'fhir',
        status: 'queued',
      });
      await f.engine.drain();
      const [again] = (await get<Detail>(`/api/messages/${id}`)).body.deliveries;
      expect(again).toMatchObject({ id: sent!.id, status: 'sent' });
      expect(again!.attemptLog.map((a) => [a.attempt, a.ok])).toEqual([
        [1, true],
        [2, true],
      ]);
      const audited = await f.engine.audit.list({
        action: 'delivery.resend',
        target: `delivery/${sent!.id}`,
      });
      expect(audited.map((r) => [r.actor, r.detail])).toEqual([
        ['operator-user', { messageId: id, channel: 'adt', destination: 'fhir' }],
      ]);
      expect(
        (await f.call('POST', '/api/deliveries/999999/resend', { token: f.tokens.operator })).status,
      ).toBe(404);
      expect((await f.call('POST', '/api/deliveries/x/resend', { token: f.tokens.operator })).status).toBe(
        404,
      );
    });
  });
});
