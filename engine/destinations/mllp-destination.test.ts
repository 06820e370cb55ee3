import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../channels/schema.ts';
import type { Payload } from '../channels/transform.ts';
import { createMllpDestination } from './mllp-destination.ts';
import type { Destination } from './types.ts';
import { TEST_DELIVERY_CONTEXT } from './test-context.ts';

type Answer = 'AA' | 'AE' | 'AR' | 'silent' | 'other-id';

/** A plain MLLP receiver: deframes 0x0B ... 0x1C 0x0D and answers each frame as `answer` says. */
class TestReceiver {
  readonly frames: Buffer[] = [];
  connections = 0;
  answer: Answer = 'AA';
  /** Answer after this delay, to see whether a client sends the next frame before its ACK. */
  delayMs = 0;
  private pending = 0;
  maxPending = 0;
  private server = net.createServer((socket) => this.accept(socket));
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and ends every connection; resolves once both sides have closed them. */
  async close(): Promise<void> {
    const closed = [...this.sockets].map((s) => new Promise((resolve) => s.once('close', resolve)));
    const serverClosed = new Promise((resolve) => this.server.close(resolve));
    for (const s of this.sockets) s.end();
    await Promise.all([...closed, serverClosed]);
  }

  private accept(socket: net.Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const start = buffer.indexOf(0x0b);
        const end = buffer.indexOf(Buffer.from([0x1c, 0x0d]), start + 1);
        if (start < 0 || end < 0) return;
        const frame = buffer.subarray(start + 1, end);
        buffer = buffer.subarray(end + 2);
        this.frames.push(frame);
        this.pending += 1;
        this.maxPending = Math.max(this.maxPending, this.pending);
        setTimeout(() => {
          this.pending -= 1;
          this.reply(socket, frame);
        }, this.delayMs);
      }
    });
  }

  private reply(socket: net.Socket, frame: Buffer): void {
    if (this.answer === 'silent') return;
    const controlId = frame.toString('latin1').split('\r')[0]?.split('|')[9] ?? '';
    const code = this.answer === 'other-id' ? 'AA' : this.answer;
    const acked = this.answer === 'other-id' ? 'SOMEONE-ELSE' : controlId;
    const err = code === 'AA' ? '' : '\rERR|||207^Application internal error^HL70357|E';
    const ack = `MSH|^~\\&|RECV|FAC|SEND|FAC|20240101120000||ACK^A01^ACK|A${controlId}|P|2.5\rMSA|${code}|${acked}|some text${err}\r`;
    socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(ack, 'latin1'), Buffer.from([0x1c, 0x0d])]));
  }
}

const ctx = TEST_DELIVERY_CONTEXT;

function hl7(controlId: string): Payload {
  const text = `MSH|^~\\&|SEND|FAC|RECV|FAC|20240101120000||ADT^A01^ADT_A01|${controlId}|P|2.5\rPID|1||123^^^H||M\xfcller^J\xe9r\xf4me  \r`;
  return { contentType: 'x-application/hl7-v2+er7', body: Buffer.from(text, 'latin1') };
}

let receiver: TestReceiver;
let dest: Destination | null;

beforeEach(async () => {
  receiver = new TestReceiver();
  await receiver.listen();
  dest = null;
});

afterEach(async () => {
  await dest?.stop();
  await receiver.close();
});

function mllp(extra: { requireAck?: boolean; timeoutMs?: number; port?: number } = {}): Destination {
  dest = createMllpDestination({
    type: 'mllp',
    name: 'to-lab',
    enabled: true,
    retry: DEFAULT_RETRY,
    transformers: [],
    host: '127.0.0.1',
    port: extra.port ?? receiver.port,
    tls: false,
    timeoutMs: extra.timeoutMs ?? 5000,
    requireAck: extra.requireAck ?? true,
  });
  return dest;
}

describe('mllp destination', () => {
  it('delivers on AA, sends the exact bytes and keeps one connection', async () => {
    const d = mllp();
    const first = await d.deliver(hl7('CTRL1'), ctx);
    expect(first.ok).toBe(true);
    expect(first.ok && first.response).toContain('MSA|AA|CTRL1');
    expect(receiver.frames[0]?.equals(hl7('CTRL1').body)).toBe(true);
    expect((await d.deliver(hl7('CTRL2'), ctx)).ok).toBe(true);
    expect(receiver.frames).toHaveLength(2);
    expect(receiver.connections).toBe(1);
  });

  it('treats AE as transient, and as delivered when no ACK is required', async () => {
    receiver.answer = 'AE';
    const outcome = await mllp().deliver(hl7('CTRL1'), ctx);
    expect(outcome).toEqual({
      ok: false,
      error: `mllp://127.0.0.1:${receiver.port} answered AE (error code 207)`,
      errorClass: 'transient',
    });
    await dest?.stop();
    expect((await mllp({ requireAck: false }).deliver(hl7('CTRL1'), ctx)).ok).toBe(true);
  });

  it('treats AR as permanent', async () => {
    receiver.answer = 'AR';
    expect(await mllp().deliver(hl7('CTRL1'), ctx)).toMatchObject({ ok: false, errorClass: 'permanent' });
  });

  it('times out as transient without an answer, then delivers on a new connection', async () => {
    receiver.answer = 'silent';
    const d = mllp({ timeoutMs: 150 });
    const outcome = await d.deliver(hl7('CTRL1'), ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'transient' });
    expect(!outcome.ok && outcome.error).toContain('no ACK within the delivery timeout');
    receiver.answer = 'AA';
    expect((await d.deliver(hl7('CTRL1'), ctx)).ok).toBe(true);
    expect(receiver.connections).toBe(2);
  });

  it('reconnects after the receiver restarts', async () => {
    const d = mllp();
    expect((await d.deliver(hl7('CTRL1'), ctx)).ok).toBe(true);
    const port = receiver.port;
    await receiver.close();
    await receiver.listen(port);
    const outcome = await d.deliver(hl7('CTRL2'), ctx);
    expect(outcome.ok).toBe(true);
    expect(receiver.connections).toBe(2);
    expect(receiver.frames[1]?.equals(hl7('CTRL2').body)).toBe(true);
  });

  it('treats a refused connection as transient', async () => {
    const port = receiver.port;
    await receiver.close();
    const outcome = await mllp({ port }).deliver(hl7('CTRL1'), ctx);
    expect(outcome).toMatchObject({ ok: false, errorClass: 'transient' });
    expect(!outcome.ok && outcome.error).toContain('ECONNREFUSED');
    await receiver.listen();
  });

  it('rejects a payload that is not HL7 v2 as permanent without connecting', async () => {
    const d = mllp();
    const json = await d.deliver({ contentType: 'application/fhir+json', body: Buffer.from('{}') }, ctx);
    expect(json).toMatchObject({ ok: false, errorClass: 'permanent' });
    const junk = await d.deliver(
      { contentType: 'x-application/hl7-v2+er7', body: Buffer.from('hello') },
      ctx,
    );
    expect(junk).toMatchObject({ ok: false, errorClass: 'permanent' });
    const framed = Buffer.concat([hl7('CTRL1').body, Buffer.from([0x1c, 0x0d])]);
    const frameByte = await d.deliver({ ...hl7('CTRL1'), body: framed }, ctx);
    expect(frameByte).toMatchObject({ ok: false, errorClass: 'permanent' });
    expect(receiver.connections).toBe(0);
  });

  it('resets the connection when the ACK names another message', async () => {
    receiver.answer = 'other-id';
    const d = mllp();
    expect(await d.deliver(hl7('CTRL1'), ctx)).toMatchObject({ ok: false, errorClass: 'transient' });
    receiver.answer = 'AA';
    expect((await d.deliver(hl7('CTRL1'), ctx)).ok).toBe(true);
    expect(receiver.connections).toBe(2);
  });

  it('sends concurrent deliveries one at a time over the one connection', async () => {
    receiver.delayMs = 5;
    const d = mllp();
    const ids = ['C1', 'C2', 'C3', 'C4', 'C5'];
    const outcomes = await Promise.all(ids.map((id) => d.deliver(hl7(id), ctx)));
    expect(outcomes.map((o) => o.ok && o.response?.includes(`MSA|AA|${ids[outcomes.indexOf(o)]}`))).toEqual(
      ids.map(() => true),
    );
    expect(receiver.frames.map((f) => f.toString('latin1').split('|')[9])).toEqual(ids);
    expect(receiver.connections).toBe(1);
    expect(receiver.maxPending).toBe(1);
  });

  it('lets an in-flight delivery finish on stop and refuses later ones as transient', async () => {
    const d = mllp();
    const pending = d.deliver(hl7('CTRL1'), ctx);
    await d.stop();
    expect((await pending).ok).toBe(true);
    expect(await d.deliver(hl7('CTRL2'), ctx)).toMatchObject({ ok: false, errorClass: 'transient' });
  });
});
