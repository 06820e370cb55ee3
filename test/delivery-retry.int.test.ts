/**
 * Delivery retry and dead-letter end to end: a real engine (PGlite), MLLP in, channels with `http`
 * destinations pointing at a real HTTP server on 127.0.0.1 that answers as each test needs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HL7_V2_CONTENT_TYPE } from '../engine/channels/transform.ts';
import type { Delivery } from '../engine/store/types.ts';
import { MllpClient } from '../listeners/mllp/client.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { adtMessage, readAck } from './support/hl7-samples.ts';

interface Endpoint {
  readonly requests: Array<{ body: Buffer; contentType: string | undefined }>;
  /** The status to answer the n-th request (1-based). */
  readonly status: (n: number) => number;
}

let downIsHealthy = false;
const endpoints = new Map<string, Endpoint>([
  ['/busy-twice', { requests: [], status: (n) => (n <= 2 ? 503 : 200) }],
  ['/bad-request', { requests: [], status: () => 400 }],
  ['/down', { requests: [], status: () => (downIsHealthy ? 200 : 503) }],
]);

function startServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const endpoint = endpoints.get(req.url ?? '');
      if (!endpoint) {
        res.writeHead(404).end();
        return;
      }
      endpoint.requests.push({ body: Buffer.concat(chunks), contentType: req.headers['content-type'] });
      const status = endpoint.status(endpoint.requests.length);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'stored' : 'no');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function channel(id: string, facility: string, url: string, retry: string): string {
  return [
    `id: ${id}`,
    'source: { listener: mllp, messageTypes: [ADT] }',
    'filters:',
    `  - sendingFacility: ${facility}`,
    'destinations:',
    '  - name: server',
    '    type: http',
    `    url: ${url}`,
    `    retry: ${retry}`,
  ].join('\n');
}

describe('delivery retry and dead-letter over a real HTTP destination', () => {
  let server: http.Server;
  let fx: EngineFixture;
  let client: MllpClient;

  beforeAll(async () => {
    server = await startServer();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const retry = '{ initialDelayMs: 50, jitter: false }';
    fx = await startTestEngine({
      database: 'pglite',
      shippedChannels: false,
      channels: {
        'http-out.yaml': channel('http-out', 'OUT', `${base}/busy-twice`, retry),
        'http-bad.yaml': channel('http-bad', 'BAD', `${base}/bad-request`, retry),
        'http-down.yaml': channel(
          'http-down',
          'DOWN',
          `${base}/down`,
          '{ maxAttempts: 2, initialDelayMs: 50, jitter: false }',
        ),
      },
    });
    client = await MllpClient.connect({ host: '127.0.0.1', port: fx.engine.mllpPort });
  });

  afterAll(async () => {
    await client?.close();
    await fx?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Sends one ADT over MLLP, expects AA, returns the stored message id and the bytes sent. */
  async function send(controlId: string, sendingFacility: string, mrn: string) {
    const raw = adtMessage({ controlId, sendingFacility, mrn });
    expect(readAck(await client.send(raw)).code).toBe('AA');
    const { rows } = await fx.engine.db.query<{ id: string }>(
      'SELECT id::text AS id FROM messages WHERE control_id = $1',
      [controlId],
    );
    expect(rows).toHaveLength(1);
    return { messageId: rows[0]!.id, raw: Buffer.from(raw, 'utf8') };
  }

  /** Polls (bounded) until the channel's delivery of the message reaches a status. */
  async function deliveryIn(messageId: string, channelId: string, status: Delivery['status']) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const d = (await fx.engine.store.deliveries(messageId)).find((x) => x.channelId === channelId);
      if (d?.status === status) return d;
      if (Date.now() > deadline) throw new Error(`delivery of ${messageId} is ${d?.status}, not ${status}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('retries 503 twice with backoff and sends on the third attempt, the same bytes each time', async () => {
    const { messageId, raw } = await send('RETRY-1', 'OUT', '700001');
    const d = await deliveryIn(messageId, 'http-out', 'sent');

    expect(d.attempts).toBe(3);
    const attempts = await fx.engine.store.attempts(d.id);
    expect(attempts.map((a) => a.ok)).toEqual([false, false, true]);
    expect(attempts[0]!.error).toMatch(/503/);
    expect(attempts[2]!.response).toMatch(/^200/);
    // Exponential from 50 ms without jitter: about 50 ms, then 100 ms between attempts.
    expect(attempts[1]!.at.getTime() - attempts[0]!.at.getTime()).toBeGreaterThanOrEqual(40);
    expect(attempts[2]!.at.getTime() - attempts[1]!.at.getTime()).toBeGreaterThanOrEqual(90);

    const stored = await fx.engine.store.get(messageId);
    expect(stored!.raw.equals(raw)).toBe(true);
    const requests = endpoints.get('/busy-twice')!.requests;
    expect(requests).toHaveLength(3);
    for (const r of requests) {
      expect(r.body.equals(raw)).toBe(true);
      expect(r.contentType).toBe(HL7_V2_CONTENT_TYPE);
    }
    expect((await fx.engine.store.get(messageId))!.status).toBe('processed');
  });

  it('dead-letters a 400 answer after one attempt', async () => {
    const { messageId, raw } = await send('RETRY-2', 'BAD', '700002');
    const d = await deliveryIn(messageId, 'http-bad', 'error');

    expect(d.attempts).toBe(1);
    expect(d.lastError).toMatch(/400/);
    expect((await fx.engine.store.attempts(d.id)).map((a) => a.ok)).toEqual([false]);
    const requests = endpoints.get('/bad-request')!.requests;
    expect(requests.map((r) => r.body.equals(raw))).toEqual([true]);
  });

  it('dead-letters after maxAttempts 503 answers, and sends once requeued to a healthy server', async () => {
    const { messageId, raw } = await send('RETRY-3', 'DOWN', '700003');
    const dead = await deliveryIn(messageId, 'http-down', 'error');
    expect(dead.attempts).toBe(2);
    expect((await fx.engine.store.attempts(dead.id)).map((a) => a.ok)).toEqual([false, false]);
    const requests = endpoints.get('/down')!.requests;
    expect(requests).toHaveLength(2);

    downIsHealthy = true;
    expect(await fx.engine.store.requeueDelivery(dead.id)).toBe(true);
    fx.engine.channels.kickQueues('http-down', ['server']);
    const sent = await deliveryIn(messageId, 'http-down', 'sent');

    expect(sent.id).toBe(dead.id);
    expect((await fx.engine.store.attempts(dead.id)).map((a) => a.ok)).toEqual([false, false, true]);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.body.equals(raw))).toBe(true);
  });
});
