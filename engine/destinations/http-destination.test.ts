import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../channels/schema.ts';
import type { Payload } from '../channels/transform.ts';
import { createHttpDestination } from './http-destination.ts';
import { TEST_DELIVERY_CONTEXT } from './test-context.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

const ctx = TEST_DELIVERY_CONTEXT;
// Bytes that must survive untouched: CR segment ends, a latin1 byte, invalid UTF-8.
const body = Buffer.concat([
  Buffer.from('MSH|^~\\&|A|B\rPID|1||x\r', 'latin1'),
  Buffer.from([0xe9, 0xff, 0x00]),
]);
const payload: Payload = { contentType: 'x-application/hl7-v2+er7', body };

let server: http.Server;
let received: Received[];
let base: string;

beforeEach(async () => {
  received = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      switch (new URL(req.url ?? '/', 'http://x').pathname) {
        case '/ok':
          res.writeHead(201, { 'content-type': 'text/plain' }).end('A'.repeat(3000));
          return;
        case '/busy':
          res.writeHead(503, { 'retry-after': '120' }).end('try later');
          return;
        case '/throttled':
          res.writeHead(429).end();
          return;
        case '/bad':
          res.writeHead(400).end('bad request: patient DOE^JOHN');
          return;
        case '/moved':
          res.writeHead(301, { location: '/elsewhere' }).end();
          return;
        case '/slow':
          return; // never answers
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function spec(
  url: string,
  extra: { method?: 'POST' | 'PUT'; headers?: Record<string, string>; timeoutMs?: number } = {},
) {
  return {
    type: 'http' as const,
    name: 'to-http',
    enabled: true,
    retry: DEFAULT_RETRY,
    transformers: [],
    url,
    method: extra.method ?? 'POST',
    headers: extra.headers ?? {},
    timeoutMs: extra.timeoutMs ?? 5000,
  };
}

describe('http destination', () => {
  it('delivers on 2xx with the exact body and content type, keeping 2 KB of the answer', async () => {
    const dest = createHttpDestination(spec(`${base}/ok`, { headers: { 'X-Source': 'switchboard' } }));
    const outcome = await dest.deliver(payload, ctx);
    expect(outcome).toEqual({ ok: true, response: `201 Created\n${'A'.repeat(2048)}` });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('x-application/hl7-v2+er7');
    expect(req?.headers['x-source']).toBe('switchboard');
    expect(req?.body.equals(body)).toBe(true);
    await dest.stop();
  });

  it('sends PUT and lets a configured Content-Type win', async () => {
    const dest = createHttpDestination(
      spec(`${base}/ok`, { method: 'PUT', headers: { 'Content-Type': 'application/hl7-v2' } }),
    );
    expect((await dest.deliver(payload, ctx)).ok).toBe(true);
    expect(received[0]?.method).toBe('PUT');
    expect(received[0]?.headers['content-type']).toBe('application/hl7-v2');
  });

  it('treats 503 as transient and mentions Retry-After', async () => {
    const outcome = await createHttpDestination(spec(`${base}/busy`)).deliver(payload, ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'transient' });
    expect(!outcome.ok && outcome.error).toContain('503 Service Unavailable (Retry-After: 120)');
  });

  it('treats 429 as transient', async () => {
    const outcome = await createHttpDestination(spec(`${base}/throttled`)).deliver(payload, ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'transient' });
  });

  it('treats 400 as permanent without echoing the body or the Authorization header', async () => {
    const dest = createHttpDestination(
      spec(`${base}/bad?token=s3cret`, { headers: { Authorization: 'Bearer s3cret' } }),
    );
    const outcome = await dest.deliver(payload, ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'permanent' });
    expect(received[0]?.headers.authorization).toBe('Bearer s3cret');
    const error = outcome.ok ? '' : outcome.error;
    expect(error).toBe(`POST ${base}/bad answered 400 Bad Request`);
  });

  it('does not follow a redirect (a POST must not turn into a GET)', async () => {
    const outcome = await createHttpDestination(spec(`${base}/moved`)).deliver(payload, ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'permanent' });
    expect(received.map((r) => r.url)).toEqual(['/moved']);
  });

  it('times out as transient when the server never answers', async () => {
    const started = Date.now();
    const outcome = await createHttpDestination(spec(`${base}/slow`, { timeoutMs: 100 })).deliver(
      payload,
      ctx,
    );
    expect(outcome).toEqual({
      ok: false,
      error: `POST ${base}/slow: no response within 100 ms`,
      errorClass: 'transient',
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('treats a refused connection as transient', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await createHttpDestination(spec(`http://127.0.0.1:${port}/x`)).deliver(payload, ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'transient' });
    expect(!outcome.ok && outcome.error).toContain('ECONNREFUSED');
  });

  it('refuses credentials in the URL as a permanent configuration error', async () => {
    const outcome = await createHttpDestination(spec(`http://user:pw@127.0.0.1:1/x`)).deliver(payload, ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'permanent' });
    expect(!outcome.ok && outcome.error).not.toContain('pw');
  });

  it('waits for an in-flight delivery on stop, then refuses new ones as transient', async () => {
    const dest = createHttpDestination(spec(`${base}/ok`));
    const pending = dest.deliver(payload, ctx);
    await dest.stop();
    expect((await pending).ok).toBe(true);
    expect(await dest.deliver(payload, ctx)).toMatchObject({ ok: false, errorClass: 'transient' });
  });
});
