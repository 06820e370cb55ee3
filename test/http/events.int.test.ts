/**
 * GET /api/events against a real engine: a real ADT message over MLLP shows up on the stream as
 * message.received, message.processed and delivery.attempted; a viewer's stream has no control ids
 * or error texts; pausing a channel is a channel.state event; `types=` subscribes to a subset; a
 * client that goes away is unsubscribed; stopping the engine ends open streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMllp } from '../../listeners/mllp/client.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { adtMessage, readAck } from '../support/hl7-samples.ts';
import { waitFor } from '../support/wait.ts';

interface SseEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A console subscriber: fetch with the body read as a stream, parsed into SSE messages. */
class EventStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  ended = false;
  private buffer = '';

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.pump();
  }

  static async open(baseUrl: string, token: string, query = ''): Promise<EventStream> {
    const abort = new AbortController();
    const res = await fetch(`${baseUrl}/api/events${query}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    if (res.status !== 200) throw new Error(`events stream answered ${res.status}: ${await res.text()}`);
    return new EventStream(res, abort);
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body!) {
        this.buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) !== -1) {
          this.parse(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
  }

  private parse(block: string): void {
    let type = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) type = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data !== '') this.events.push({ type, data: JSON.parse(data) as Record<string, unknown> });
  }

  async next(match: (e: SseEvent) => boolean, what: string): Promise<SseEvent> {
    await waitFor(() => this.events.some(match), what);
    return this.events.find(match)!;
  }

  close(): void {
    this.abort.abort();
  }
}

describe('GET /api/events', () => {
  let f: ApiFixture;
  let base: number;
  const mllp = () => ({ host: '127.0.0.1', port: f.engine.mllpPort });
  const listeners = () => f.engine.events.listenerCount('event');

  /** Resolves once subscribed: the server's first comment is written after it subscribed. */
  const open = async (token: string, query = ''): Promise<EventStream> => {
    const stream = await EventStream.open(f.baseUrl, token, query);
    await waitFor(() => stream.comments.length > 0, 'the stream to open');
    return stream;
  };
  /** Closes the client and waits for the server to have unsubscribed it. */
  const close = async (stream: EventStream): Promise<void> => {
    const before = listeners();
    stream.close();
    await waitFor(() => listeners() === before - 1, 'the stream to unsubscribe');
  };

  beforeAll(async () => {
    f = await startApiEngine({ database: 'pglite' });
    base = listeners();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('answers 401 without a token and 400 for an unknown event type', async () => {
    expect((await f.call('GET', '/api/events')).status).toBe(401);
    const bad = await f.call<{ error: { code: string } }>('GET', '/api/events?types=message.deleted', {
      token: f.tokens.admin,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad-request');
    expect(listeners()).toBe(base);
  });

  it('streams received, processed and delivered for a message sent over MLLP, with control ids for operators', async () => {
    const stream = await open(f.tokens.operator);
    try {
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const [ack] = await sendMllp(mllp(), [adtMessage({ controlId: 'EVT1', mrn: '5550101' })]);
      expect(readAck(ack!).code).toBe('AA');
      await f.engine.drain();

      const received = await stream.next(
        (e) => e.type === 'message.received' && e.data.controlId === 'EVT1',
        'message.received',
      );
      expect(received.data).toMatchObject({
        listener: expect.stringMatching(/^mllp:/),
        ackCode: 'AA',
        status: 'received',
      });
      expect(received.data.ackSeconds).toEqual(expect.any(Number));
      const messageId = received.data.messageId;
      const processed = await stream.next(
        (e) => e.type === 'message.processed' && e.data.messageId === messageId,
        'message.processed',
      );
      expect(processed.data).toMatchObject({
        status: 'processed',
        channels: [{ channelId: 'adt', status: 'transformed' }],
        error: null,
      });
      const delivered = await stream.next(
        (e) =>
          e.type === 'delivery.attempted' && e.data.messageId === messageId && e.data.destination === 'fhir',
        'delivery.attempted',
      );
      expect(delivered.data).toMatchObject({
        channelId: 'adt',
        destination: 'fhir',
        ok: true,
        status: 'sent',
        attempts: 1,
        error: null,
      });
      // The order the engine did things in.
      const order = stream.events.filter((e) => e.data.messageId === messageId).map((e) => e.type);
      // (adt also delivers to hms: a second delivery.attempted may follow or precede fhir's)
      expect(order.slice(0, 3)).toEqual(['message.received', 'message.processed', 'delivery.attempted']);
      // An operator's stream carries control ids: opening it is audited as a content read.
      const audit = await f.engine.audit.list({
        actor: 'operator-user',
        action: 'message.read',
        target: 'events',
      });
      expect(audit.length).toBeGreaterThanOrEqual(1);
    } finally {
      await close(stream);
    }
  });

  it("gives a viewer's stream the same events without controlId and error", async () => {
    const stream = await open(f.tokens.viewer);
    try {
      await sendMllp(mllp(), [adtMessage({ controlId: 'EVT2', mrn: '5550102' })]);
      await f.engine.drain();
      const received = await stream.next((e) => e.type === 'message.received', 'message.received');
      expect(received.data).not.toHaveProperty('controlId');
      expect(received.data).toMatchObject({ messageType: 'ADT', triggerEvent: 'A01', ackCode: 'AA' });
      const processed = await stream.next((e) => e.type === 'message.processed', 'message.processed');
      expect(processed.data).not.toHaveProperty('error');
      const delivered = await stream.next((e) => e.type === 'delivery.attempted', 'delivery.attempted');
      expect(delivered.data).not.toHaveProperty('error');
      expect(JSON.stringify(stream.events)).not.toContain('EVT2');
      const audit = await f.engine.audit.list({ actor: 'viewer-user', action: 'message.read' });
      expect(audit).toEqual([]);
    } finally {
      await close(stream);
    }
  });

  it('sends only the subscribed types: a channel pause is a channel.state event', async () => {
    const stream = await open(f.tokens.viewer, '?types=channel.state');
    try {
      // Sent before the pause: had message events been streamed, they would come first.
      await sendMllp(mllp(), [adtMessage({ controlId: 'EVT3', mrn: '5550103' })]);
      await f.engine.drain();
      await f.engine.channels.pause('adt');
      await stream.next((e) => e.type === 'channel.state', 'channel.state');
      expect(stream.events[0]).toMatchObject({
        type: 'channel.state',
        data: { channelId: 'adt', state: 'paused' },
      });
      await f.engine.channels.start('adt');
      await waitFor(() => stream.events.length === 2, 'the second channel.state');
      expect(stream.events.map((e) => e.type)).toEqual(['channel.state', 'channel.state']);
      expect(stream.events[1]!.data).toMatchObject({ channelId: 'adt', state: 'started' });
    } finally {
      await close(stream);
    }
  });

  it('unsubscribes a client that goes away', async () => {
    const before = listeners();
    const streams = [await open(f.tokens.admin), await open(f.tokens.viewer)];
    expect(listeners()).toBe(before + 2);
    for (const s of streams) s.close(); // the clients go away without a word
    await waitFor(() => listeners() === before, 'the closed streams to unsubscribe');
    expect(listeners()).toBe(base);
  });

  it('ends open streams when the engine stops', async () => {
    const other = await startApiEngine({ database: 'pglite' });
    const opened = EventStream.open(other.baseUrl, other.tokens.admin).then(async (stream) => {
      await waitFor(() => stream.comments.length > 0, 'the stream to open');
      return stream;
    });
    // Stopped whatever happens above, so a failure here leaves no engine behind.
    const stream = await opened.catch(async (err: unknown) => {
      await other.stop();
      throw err;
    });
    const subscribed = other.engine.events.listenerCount('event');
    let stopped = false;
    // The HTTP server waits for open connections: without ending the stream this never resolves.
    void other.stop().then(() => (stopped = true));
    await waitFor(() => stopped, 'the engine to stop', 15_000);
    await waitFor(() => stream.ended, 'the stream to end');
    // The stream's listener and the metrics' are gone (other modules may keep theirs).
    expect(other.engine.events.listenerCount('event')).toBeLessThanOrEqual(subscribed - 2);
  });
});
