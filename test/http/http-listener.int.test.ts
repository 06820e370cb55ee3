/**
 * The HTTP listener (POST /api/channels/{id}/messages) against a real engine: the ACK comes back as
 * the response body after the commit, the message goes to the named channel only and into the FHIR
 * store, resends get the original ACK, rejects are stored for review, bytes are kept as sent. Then a
 * real engine process is killed with SIGKILL right after answering AA: the message survives the crash.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCall } from '../../engine/control/control-socket.ts';
import { openDatabase } from '../../engine/db/open.ts';
import { readResource } from '../../engine/fhir/fhir-store.ts';
import type { FhirResource } from '../../engine/fhir/types.ts';
import { callApi, signIn, startApiEngine, type ApiFixture, type ApiResponse } from '../support/api.ts';
import { REPO_ROOT } from '../support/engine-fixture.ts';
import { startEngineProcess } from '../support/engine-process.ts';
import { adtMessage, readAck } from '../support/hl7-samples.ts';

const ER7 = 'x-application/hl7-v2+er7';

interface ErrorAnswer {
  readonly error: { readonly code: string; readonly message: string };
}
const LISTENER_LIMIT = 64 * 1024;

/** The message with MSH-18 (character set) set, e.g. `8859/1`. */
function withCharset(message: string, charset: string): string {
  const [msh, ...rest] = message.split('\r');
  const fields = msh!.split('|');
  while (fields.length < 18) fields.push('');
  fields[17] = charset;
  return [fields.join('|'), ...rest].join('\r');
}

function oruMessage(controlId: string): string {
  return [
    `MSH|^~\\&|LAB|MCM|SWITCHBOARD|HOSP|20261121093000||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    'PID|1||100009^^^MCM^MR||DOE^JANE||19800101|F',
    'OBR|1||ORD1|CBC^Blood count',
    'OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|||||F',
    '',
  ].join('\r');
}

describe('HTTP listener: POST /api/channels/{id}/messages', () => {
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApiEngine({
      database: 'pglite',
      configYaml: `mllp: [{ name: mllp, port: 0, maxMessageBytes: ${LISTENER_LIMIT} }]\n`,
      channels: (dir) => {
        const fileChannel = (id: string, types: string) =>
          [
            `id: ${id}`,
            `source: { listener: mllp, messageTypes: [${types}] }`,
            'destinations:',
            '  - name: files',
            '    type: file',
            `    directory: ${JSON.stringify(path.join(dir, `out-${id}`))}`,
          ].join('\n');
        // archive shares adt's listener and takes ADT^A01 too: HTTP messages for adt must not reach it.
        return {
          'archive.yaml': fileChannel('archive', 'ADT^A01'),
          'standby.yaml': fileChannel('standby', 'ADT'),
        };
      },
    });
    await f.engine.channels.stop('standby');
  }, 60_000);
  afterAll(async () => f?.stop());

  const post = (
    channel: string,
    body: string | Buffer,
    opts: { token?: string | null; contentType?: string } = {},
  ): Promise<ApiResponse<string>> =>
    f.call<string>('POST', `/api/channels/${channel}/messages`, {
      token: opts.token === undefined ? f.tokens.operator : opts.token,
      raw: { body, contentType: opts.contentType ?? 'text/plain' },
    });

  /** Body bytes of a response, exactly as received. */
  const postBytes = async (channel: string, body: string | Buffer, contentType = 'text/plain') => {
    const res = await fetch(`${f.baseUrl}/api/channels/${channel}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tokens.operator}`, 'content-type': contentType },
      body,
    });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  const messageIdOf = (res: ApiResponse | Response): string => {
    const id = res.headers.get('x-switchboard-message-id');
    expect(id).toMatch(/^\d+$/);
    return id!;
  };

  it('answers AA after storing the message; only the named channel processes it, into the FHIR store', async () => {
    const message = adtMessage({ controlId: 'HTTP-1', mrn: '710001' });
    const res = await post('adt', message);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`${ER7}; charset=utf-8`);
    expect(res.headers.get('x-switchboard-ack-code')).toBe('AA');
    const ack = readAck(res.text);
    expect(ack).toMatchObject({ code: 'AA', controlId: 'HTTP-1', err: null });
    expect(res.text).toMatch(/^MSH\|\^~\\&\|SWITCHBOARD\|\|REGADT\|MCM\|/);

    const id = messageIdOf(res);
    await f.engine.drain();
    const stored = await f.engine.store.get(id);
    expect(stored).toMatchObject({ listener: 'http:adt', remoteAddress: '127.0.0.1', status: 'processed' });
    expect(stored!.raw.equals(Buffer.from(message))).toBe(true);
    // archive takes ADT^A01 on the same MLLP listener; a message posted to adt is not its business.
    const results = await f.engine.store.channelResults(id);
    expect(results.map((r) => `${r.channelId}:${r.status}`)).toEqual(['adt:transformed']);
    const deliveries = await f.engine.store.deliveries(id);
    expect(deliveries.map((d) => `${d.channelId}/${d.destination}:${d.status}`)).toEqual([
      'adt/fhir:sent',
      'adt/hms:sent',
    ]);

    const { rows } = await f.engine.db.query<{ id: string }>(
      `SELECT id FROM fhir_resources WHERE resource_type = 'Patient' AND source_message_id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    const patient = (await readResource(f.engine.db, 'Patient', rows[0]!.id)) as FhirResource & {
      identifier: { value: string }[];
    };
    expect(patient.identifier.map((i) => i.value)).toContain('710001');
  });

  it('answers a resend within the dedup window with the original ACK bytes and stores it as a duplicate', async () => {
    const message = adtMessage({ controlId: 'HTTP-DUP', mrn: '710002' });
    const first = await postBytes('adt', message);
    const second = await postBytes('adt', message);
    expect(second.res.status).toBe(200);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.res.headers.get('x-switchboard-ack-code')).toBe('AA');
    const firstId = messageIdOf(first.res);
    const secondId = messageIdOf(second.res);
    expect(secondId).not.toBe(firstId);
    expect(await f.engine.store.get(secondId)).toMatchObject({ status: 'duplicate', duplicateOf: firstId });
    await f.engine.drain();
    expect(await f.engine.store.channelResults(secondId)).toEqual([]);
  });

  it('answers AR with an ERR segment for malformed HL7 and stores it as rejected', async () => {
    const garbage = 'this is not HL7\rPID|1||123\r';
    const res = await post('adt', garbage);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-ack-code')).toBe('AR');
    const ack = readAck(res.text);
    expect(ack.code).toBe('AR');
    expect(ack.err).toMatch(/^ERR\|/);
    const stored = await f.engine.store.get(messageIdOf(res));
    expect(stored).toMatchObject({ status: 'rejected', ackCode: 'AR', listener: 'http:adt' });
    expect(stored!.raw.equals(Buffer.from(garbage))).toBe(true);
  });

  it('answers 404 with an error body for a channel that does not exist, and stores nothing', async () => {
    const res = await post('no-such-channel', adtMessage({ controlId: 'HTTP-404' }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'not-found', message: 'channel "no-such-channel" not found' },
    });
    const { rows } = await f.engine.db.query(`SELECT 1 FROM messages WHERE control_id = 'HTTP-404'`);
    expect(rows).toHaveLength(0);
  });

  it('answers AR for a stopped channel, storing the message for review', async () => {
    const res = await post('standby', adtMessage({ controlId: 'HTTP-STOPPED' }));
    expect(res.status).toBe(200);
    const ack = readAck(res.text);
    expect(ack).toMatchObject({ code: 'AR', controlId: 'HTTP-STOPPED' });
    expect(ack.err).toContain('200^Unsupported message type');
    const stored = await f.engine.store.get(messageIdOf(res));
    expect(stored).toMatchObject({ status: 'rejected', listener: 'http:standby' });
  });

  it('answers AR for a message type the channel does not take, even if another channel would', async () => {
    // oru takes ORU^R01 on the same MLLP listener; posted to adt it is still refused.
    const res = await post('adt', oruMessage('HTTP-ORU'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-ack-code')).toBe('AR');
    const ack = readAck(res.text);
    expect(ack).toMatchObject({ code: 'AR', controlId: 'HTTP-ORU' });
    expect(ack.err).toContain('MSH^1^9');
    expect(await f.engine.store.get(messageIdOf(res))).toMatchObject({ status: 'rejected' });
    // The same message posted to oru is taken.
    const toOru = await post('oru', oruMessage('HTTP-ORU-2'));
    expect(readAck(toOru.text).code).toBe('AA');
  });

  it('takes x-application/hl7-v2+er7 and application/hl7-v2 bodies, and analysts may send', async () => {
    for (const [i, contentType] of [ER7, 'application/hl7-v2', `${ER7}; charset=utf-8`].entries()) {
      const res = await post('adt', adtMessage({ controlId: `HTTP-CT-${i}` }), {
        contentType,
        token: f.tokens.analyst,
      });
      expect(res.status, contentType).toBe(200);
      expect(readAck(res.text)).toMatchObject({ code: 'AA', controlId: `HTTP-CT-${i}` });
    }
  });

  it('stores Latin-1 (MSH-18 8859/1) bytes exactly as sent and labels the ACK with that charset', async () => {
    const text = withCharset(
      adtMessage({ controlId: 'HTTP-LATIN1', mrn: '710003', family: 'MÜLLER' }),
      '8859/1',
    );
    const bytes = Buffer.from(text, 'latin1');
    expect(bytes.includes(0xdc)).toBe(true); // Ü as one Latin-1 byte, not valid UTF-8
    const res = await post('adt', bytes, { contentType: ER7 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`${ER7}; charset=iso-8859-1`);
    expect(readAck(res.text).code).toBe('AA');
    const id = messageIdOf(res);
    expect((await f.engine.store.get(id))!.raw.equals(bytes)).toBe(true);
    await f.engine.drain();
    const { rows } = await f.engine.db.query<{ resource: { name: { family: string }[] } }>(
      `SELECT resource FROM fhir_resources WHERE resource_type = 'Patient' AND source_message_id = $1`,
      [id],
    );
    expect(rows[0]!.resource.name[0]!.family).toBe('MÜLLER');
  });

  it('keeps \\n line endings as received and processes the message', async () => {
    const text = adtMessage({ controlId: 'HTTP-LF', mrn: '710004' }).replace(/\r/g, '\n');
    const res = await post('adt', text);
    expect(readAck(res.text)).toMatchObject({ code: 'AA', controlId: 'HTTP-LF' });
    const id = messageIdOf(res);
    expect((await f.engine.store.get(id))!.raw.equals(Buffer.from(text))).toBe(true);
    await f.engine.drain();
    expect((await f.engine.store.get(id))!.status).toBe('processed');
  });

  it('answers a batch with a batch of ACKs, one stored message each', async () => {
    const batch =
      'BHS|^~\\&|REGADT|MCM|SWITCHBOARD|HOSP|20261121093000\r' +
      adtMessage({ controlId: 'HTTP-B1', mrn: '710005' }) +
      oruMessage('HTTP-B2') +
      'BTS|2\r';
    const res = await post('adt', batch);
    expect(res.status).toBe(200);
    const segments = res.text.split('\r').filter(Boolean);
    expect(segments[0]).toMatch(/^BHS\|\^~\\&\|SWITCHBOARD\|\|REGADT\|MCM\|/);
    expect(segments.filter((s) => s.startsWith('MSA'))).toEqual(['MSA|AA|HTTP-B1', 'MSA|AR|HTTP-B2']);
    expect(segments.at(-1)).toBe('BTS|2');
    expect(res.headers.get('x-switchboard-ack-code')).toBe('AA, AR');
    const ids = res.headers.get('x-switchboard-message-id')!.split(', ');
    expect(ids).toHaveLength(2);
    expect((await f.engine.store.get(ids[0]!))!.controlId).toBe('HTTP-B1');
    expect((await f.engine.store.get(ids[1]!))!.status).toBe('rejected');
  });

  it('answers 400 for an empty body and 415 for a body that is not HL7', async () => {
    for (const body of ['', '\r\n']) {
      const res = await post('adt', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'bad-request' } });
    }
    const none = await f.call('POST', '/api/channels/adt/messages', { token: f.tokens.operator });
    expect(none.status).toBe(400);
    const json = await f.call('POST', '/api/channels/adt/messages', {
      token: f.tokens.operator,
      json: { message: 'MSH|...' },
    });
    expect(json.status).toBe(415);
    expect(json.body).toMatchObject({ error: { code: 'unsupported-media-type' } });
    const yaml = await post('adt', 'id: x\n', { contentType: 'application/yaml' });
    expect(yaml.status).toBe(415);
  });

  it('answers 413 with a JSON error for a message over the listener limit or the server body limit', async () => {
    const big = adtMessage({ controlId: 'HTTP-BIG' }) + `NTE|1||${'x'.repeat(LISTENER_LIMIT)}\r`;
    const overListener = await post('adt', big);
    expect(overListener.status).toBe(413);
    expect(overListener.body).toMatchObject({ error: { code: 'payload-too-large' } });
    expect((overListener.body as unknown as ErrorAnswer).error.message).toContain(
      `at most ${LISTENER_LIMIT}`,
    );
    const huge = adtMessage({ controlId: 'HTTP-HUGE' }) + `NTE|1||${'x'.repeat(2 * 1024 * 1024)}\r`;
    const overServer = await post('adt', huge);
    expect(overServer.status).toBe(413);
    expect(overServer.body).toMatchObject({ error: { code: 'payload-too-large' } });
    expect((overServer.body as unknown as ErrorAnswer).error.message).toMatch(
      /larger than the limit of \d+ bytes/,
    );
    const { rows } = await f.engine.db.query(
      `SELECT 1 FROM messages WHERE control_id LIKE 'HTTP-BIG%' OR control_id = 'HTTP-HUGE'`,
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses viewers (403) and callers without a token (401), storing nothing', async () => {
    const viewer = await post('adt', adtMessage({ controlId: 'HTTP-VIEWER' }), { token: f.tokens.viewer });
    expect(viewer.status).toBe(403);
    const anonymous = await post('adt', adtMessage({ controlId: 'HTTP-ANON' }), { token: null });
    expect(anonymous.status).toBe(401);
    const { rows } = await f.engine.db.query(
      `SELECT 1 FROM messages WHERE control_id IN ('HTTP-VIEWER', 'HTTP-ANON')`,
    );
    expect(rows).toHaveLength(0);
  });

  it('answers 503 with an AE when the message cannot be stored, so the sender resends', async () => {
    await f.engine.db.query('ALTER TABLE messages RENAME TO messages_away');
    let res: ApiResponse<string>;
    try {
      res = await post('adt', adtMessage({ controlId: 'HTTP-NOSTORE' }));
    } finally {
      await f.engine.db.query('ALTER TABLE messages_away RENAME TO messages');
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('x-switchboard-message-id')).toBeNull();
    expect(res.headers.get('x-switchboard-ack-code')).toBe('AE');
    expect(readAck(res.text)).toMatchObject({ code: 'AE', controlId: 'HTTP-NOSTORE' });
    // Resent once the store is back: taken.
    const again = await post('adt', adtMessage({ controlId: 'HTTP-NOSTORE' }));
    expect(readAck(again.text).code).toBe('AA');
  });
});

describe('HTTP listener durability (kill -9 right after the ACK)', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps and processes every message it answered AA, after a crash and restart', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-http-crash-'));
    const dataDir = path.join(dir, 'data');
    const password = 'crash test admin password 1';
    const env = {
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_CHANNELS_DIR: path.join(REPO_ROOT, 'channels'),
      SWITCHBOARD_ADMIN_PASSWORD: password,
    };
    const first = await startEngineProcess(env);
    const baseUrl = `http://127.0.0.1:${first.httpPort}`;
    let acked: string[];
    try {
      const token = await signIn(baseUrl, 'admin', password);
      const controlIds = Array.from({ length: 8 }, (_, i) => `HTTP-CRASH-${i}`);
      const answers = await Promise.all(
        controlIds.map((controlId, i) =>
          callApi<string>(baseUrl, 'POST', '/api/channels/adt/messages', {
            token,
            raw: { body: adtMessage({ controlId, mrn: `72000${i}` }), contentType: ER7 },
          }),
        ),
      );
      first.child.kill('SIGKILL');
      acked = answers
        .map((a) => readAck(a.text))
        .filter((a) => a.code === 'AA')
        .map((a) => a.controlId);
      expect(acked.sort()).toEqual(controlIds.sort());
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(await first.exited).toBe('SIGKILL');

    const second = await startEngineProcess(env);
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const stats = (await controlCall(dataDir, 'GET', '/stats')) as {
          byStatus: Record<string, number>;
          deliveriesByStatus: Record<string, number>;
          pendingDispatch: number;
        } | null;
        const settled =
          stats &&
          (stats.byStatus.received ?? 0) === 0 &&
          (stats.deliveriesByStatus.queued ?? 0) === 0 &&
          stats.pendingDispatch === 0;
        if (settled) break;
        if (Date.now() > deadline) throw new Error(`engine did not settle: ${JSON.stringify(stats)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }

    const db = await openDatabase({ databaseUrl: null, dataDir });
    try {
      const { rows } = await db.query<{
        control_id: string;
        status: string;
        listener: string;
        patients: string;
      }>(
        `SELECT m.control_id, m.status, m.listener,
                (SELECT count(*) FROM fhir_resources r
                  WHERE r.resource_type = 'Patient' AND r.source_message_id = m.id)::text AS patients
           FROM messages m WHERE m.control_id LIKE 'HTTP-CRASH-%' ORDER BY m.control_id`,
      );
      expect(rows).toEqual(
        acked.map((controlId) => ({
          control_id: controlId,
          status: 'processed',
          listener: 'http:adt',
          patients: '1',
        })),
      );
    } finally {
      await db.close();
    }
  }, 180_000);
});
