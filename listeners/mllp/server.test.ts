import { once } from 'node:events';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient, sendMllp } from './client.ts';
import { frameMllp } from './frame-decoder.ts';
import {
  MllpServer,
  type MllpConnectionInfo,
  type MllpFrameHandler,
  type MllpServerHooks,
  type MllpServerOptions,
} from './server.ts';
import { RawPeer, deferred, selfSignedCert } from './test-helpers.ts';

const echo: MllpFrameHandler = async (frame) => [Buffer.concat([Buffer.from('ACK:'), frame])];

const hooks: MllpServerHooks = {
  onOversize: (_conn, bytes) => [Buffer.from(`NAK:oversize:${bytes}`)],
  onHandlerError: (_conn, err) => [Buffer.from(`NAK:${err instanceof Error ? err.message : String(err)}`)],
};

const servers: MllpServer[] = [];

async function start(
  handler: MllpFrameHandler = echo,
  opts: Partial<MllpServerOptions> = {},
  serverHooks: MllpServerHooks = hooks,
): Promise<{ server: MllpServer; port: number }> {
  const server = new MllpServer(
    { name: 'mllp', host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, idleTimeoutMs: 0, ...opts },
    handler,
    serverHooks,
  );
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
});

describe('MllpServer', () => {
  it('answers each frame with the handler responses, framed, and reports connection, frame and close', async () => {
    const { server, port } = await start();
    const seen: string[] = [];
    server.on('connection', (info) =>
      seen.push(`connection ${info.listener} ${info.tls} ${info.remoteAddress}`),
    );
    server.on('frame', (_info, bytes) => seen.push(`frame ${bytes}`));
    const closed = once(server, 'close');
    expect(server.lastMessageAt).toBeNull();

    const acks = await sendMllp({ host: '127.0.0.1', port }, ['one', Buffer.from('two'), 'Ünï']);

    expect(acks.map((a) => a.toString('utf8'))).toEqual(['ACK:one', 'ACK:two', 'ACK:Ünï']);
    await closed;
    expect(seen).toEqual(['connection mllp false 127.0.0.1', 'frame 3', 'frame 3', 'frame 5']);
    expect(server.lastMessageAt).toBeInstanceOf(Date);
    expect(server.connectionCount).toBe(0);
  });

  it('serves 50 concurrent connections x 20 messages, each answered with its own response', async () => {
    const { server, port } = await start(async (frame, conn) => {
      await new Promise((r) => setImmediate(r));
      return [Buffer.from(`ACK ${conn.id} ${frame.toString()}`)];
    });
    let maxConnections = 0;
    server.on('connection', () => {
      maxConnections = Math.max(maxConnections, server.connectionCount);
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, c) => {
        const client = await MllpClient.connect({ host: '127.0.0.1', port });
        const acks: string[] = [];
        for (let m = 0; m < 20; m++) acks.push((await client.send(`msg ${c}-${m}`)).toString());
        await client.close();
        return acks;
      }),
    );
    for (const [c, acks] of results.entries()) {
      const connId = acks[0]?.split(' ')[1];
      expect(acks).toEqual(Array.from({ length: 20 }, (_, m) => `ACK ${connId} msg ${c}-${m}`));
    }
    expect(new Set(results.map((acks) => acks[0]?.split(' ')[1])).size).toBe(50);
    expect(maxConnections).toBeGreaterThan(1);
  });

  it('writes responses to pipelined frames in arrival order while handlers finish out of order', async () => {
    const lastDone = deferred();
    const finished: string[] = [];
    const { port } = await start(async (frame) => {
      const text = frame.toString();
      if (text === 'first') await lastDone.promise;
      finished.push(text);
      if (text === 'third') lastDone.resolve();
      return [Buffer.from(`ACK ${text}`)];
    });
    const peer = await RawPeer.connect(port);
    peer.socket.write(Buffer.concat([frameMllp('first'), frameMllp('second'), frameMllp('third')]));
    await peer.waitFrames(3);
    expect(finished).toEqual(['second', 'third', 'first']);
    expect(peer.texts()).toEqual(['ACK first', 'ACK second', 'ACK third']);
    peer.socket.destroy();
  });

  it('pauses reading while maxInFlightPerConnection frames are being handled, answering all in order', async () => {
    let active = 0;
    let peak = 0;
    const { port } = await start(
      async (frame) => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 1));
        active--;
        return [Buffer.from(`ACK ${frame.toString()}`)];
      },
      { maxInFlightPerConnection: 4 },
    );
    const peer = await RawPeer.connect(port);
    peer.socket.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => frameMllp(String(i)))));
    await peer.waitFrames(100);
    expect(peer.texts()).toEqual(Array.from({ length: 100 }, (_, i) => `ACK ${i}`));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    peer.socket.destroy();
  });

  it('sends zero or two responses for a frame, as the handler returns them', async () => {
    const { port } = await start(async (frame) =>
      frame.toString() === 'none' ? [] : [Buffer.from('commit'), Buffer.from('app')],
    );
    const peer = await RawPeer.connect(port);
    peer.socket.write(Buffer.concat([frameMllp('none'), frameMllp('two')]));
    await peer.waitFrames(2);
    expect(peer.texts()).toEqual(['commit', 'app']);
    peer.socket.destroy();
  });

  it('answers an oversized frame with the onOversize responses, then closes the connection', async () => {
    const sizes: number[] = [];
    const handled: string[] = [];
    const { server, port } = await start(
      async (frame) => {
        handled.push(frame.toString());
        return [Buffer.from('ACK')];
      },
      { maxMessageBytes: 100 },
      { ...hooks, onOversize: (_c, bytes) => (sizes.push(bytes), [Buffer.from('NAK too big')]) },
    );
    const serverClose = once(server, 'close');
    const peer = await RawPeer.connect(port);
    peer.socket.write(Buffer.concat([frameMllp('before'), frameMllp('x'.repeat(1000)), frameMllp('after')]));
    await peer.ended;
    expect(peer.texts()).toEqual(['ACK', 'NAK too big']);
    expect(sizes).toEqual([1000]);
    expect(handled).toEqual(['before']);
    await serverClose;
    expect(server.connectionCount).toBe(0);
  });

  it('answers with onHandlerError when the handler throws and keeps the connection usable', async () => {
    const { port } = await start(async (frame) => {
      if (frame.toString() === 'boom') throw new Error('handler failed');
      return [Buffer.from(`ACK ${frame.toString()}`)];
    });
    const acks = await sendMllp({ host: '127.0.0.1', port }, ['a', 'boom', 'b']);
    expect(acks.map(String)).toEqual(['ACK a', 'NAK:handler failed', 'ACK b']);
  });

  it('ends a connection whose handler returns something other than Buffer[] and reports an error', async () => {
    const handler = (async () => 'not a list') as unknown as MllpFrameHandler;
    const { server, port } = await start(handler);
    const error = once(server, 'error');
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    await expect(client.send('x')).rejects.toMatchObject({ code: 'MLLP_CLOSED' });
    const [err] = await error;
    expect(String(err)).toMatch(/returned something other than Buffer\[\]/);
  });

  it('closes a connection idle for idleTimeoutMs', async () => {
    const { server, port } = await start(echo, { idleTimeoutMs: 100 });
    const serverClose = once(server, 'close');
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    expect((await client.send('hi')).toString()).toBe('ACK:hi');
    const started = Date.now();
    await serverClose;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await expect(client.send('again')).rejects.toMatchObject({ code: 'MLLP_CLOSED' });
    expect(server.connectionCount).toBe(0);
  });

  it('finishes writing responses after the peer half-closes, then ends', async () => {
    const { port } = await start(async (frame) => {
      await new Promise((r) => setTimeout(r, 5));
      return [Buffer.from(`ACK ${frame.toString()}`)];
    });
    const peer = await RawPeer.connect(port, { allowHalfOpen: true });
    peer.socket.end(Buffer.concat([frameMllp('1'), frameMllp('2'), frameMllp('3')]));
    await peer.ended;
    expect(peer.texts()).toEqual(['ACK 1', 'ACK 2', 'ACK 3']);
  });

  it('survives a peer reset mid-frame and keeps serving', async () => {
    const { server, port } = await start();
    const junk: number[] = [];
    const firstJunk = once(server, 'junk');
    server.on('junk', (_info, bytes) => junk.push(bytes));
    const closed = once(server, 'close');
    const peer = await RawPeer.connect(port);
    peer.socket.write('noise\x0bpartial frame');
    await firstJunk; // the server has read the bytes
    peer.socket.resetAndDestroy();
    const [info] = (await closed) as [MllpConnectionInfo, Error | undefined];
    expect(info.listener).toBe('mllp');
    expect(junk).toEqual([5, 13]);
    expect((await sendMllp({ host: '127.0.0.1', port }, ['still up']))[0]?.toString()).toBe('ACK:still up');
  });

  it('reports bytes outside frames as junk', async () => {
    const { server, port } = await start();
    const junk = once(server, 'junk');
    const peer = await RawPeer.connect(port);
    peer.socket.write(Buffer.concat([Buffer.from('noise'), frameMllp('m')]));
    await peer.waitFrames(1);
    const [, bytes] = await junk;
    expect(bytes).toBe(5);
    expect(peer.texts()).toEqual(['ACK:m']);
    peer.socket.destroy();
  });

  it('round-trips over TLS with the same code path', async () => {
    const { cert, key } = selfSignedCert();
    const { server, port } = await start(echo, { tls: { cert, key } });
    const conn = once(server, 'connection');
    const acks = await sendMllp({ host: '127.0.0.1', port, tls: { ca: cert } }, ['secure 1', 'secure 2']);
    expect(acks.map(String)).toEqual(['ACK:secure 1', 'ACK:secure 2']);
    const [info] = (await conn) as [MllpConnectionInfo];
    expect(info.tls).toBe(true);

    // Half-close over TLS: the response is still written after the peer's close_notify and FIN.
    const halfOpen = tls.connect({ host: '127.0.0.1', port, ca: cert });
    halfOpen.allowHalfOpen = true;
    await once(halfOpen, 'secureConnect');
    const received: Buffer[] = [];
    halfOpen.on('data', (c: Buffer) => received.push(c));
    halfOpen.end(frameMllp('last'));
    await once(halfOpen, 'end');
    expect(Buffer.concat(received).equals(frameMllp('ACK:last'))).toBe(true);
    halfOpen.destroy();

    const clientError = once(server, 'clientError');
    await expect(MllpClient.connect({ host: '127.0.0.1', port, tls: true })).rejects.toMatchObject({
      code: 'MLLP_CONNECT',
      message: expect.stringMatching(/self-signed certificate/),
    });
    await clientError;
  });

  it('close() waits for an in-flight handler and writes its response', async () => {
    const release = deferred();
    const entered = deferred();
    const { server, port } = await start(async (frame) => {
      entered.resolve();
      await release.promise;
      return [Buffer.from(`ACK ${frame.toString()}`)];
    });
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    const ack = client.send('slow');
    await entered.promise;
    let closed = false;
    const closing = server.close(5_000).then(() => {
      closed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    await expect(MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'MLLP_CONNECT',
    });
    release.resolve();
    expect((await ack).toString()).toBe('ACK slow');
    await closing;
    expect(closed).toBe(true);
    expect(server.connectionCount).toBe(0);
  });

  it('close() gives up on a handler that outlives graceMs', async () => {
    const { server, port } = await start(() => new Promise<readonly Buffer[]>(() => {}));
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    const ack = client.send('never');
    await once(server, 'frame');
    await server.close(50);
    await expect(ack).rejects.toMatchObject({ code: 'MLLP_CLOSED' });
  });

  it('refuses connections past maxConnections', async () => {
    const { server, port } = await start(echo, { maxConnections: 1 });
    const first = await MllpClient.connect({ host: '127.0.0.1', port });
    expect((await first.send('a')).toString()).toBe('ACK:a');
    const refused = once(server, 'clientError');
    const second = await RawPeer.connect(port);
    await second.closed;
    await refused;
    expect(server.connectionCount).toBe(1);
    await first.close();
  });

  it('rejects invalid options and a port already in use', async () => {
    expect(
      () =>
        new MllpServer(
          { name: 'bad', host: '127.0.0.1', port: -1, maxMessageBytes: 0, idleTimeoutMs: 0 },
          echo,
          hooks,
        ),
    ).toThrow(/port -1, maxMessageBytes 0/);
    const { port } = await start();
    const clash = new MllpServer(
      { name: 'clash', host: '127.0.0.1', port, maxMessageBytes: 100, idleTimeoutMs: 0 },
      echo,
      hooks,
    );
    await expect(clash.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
