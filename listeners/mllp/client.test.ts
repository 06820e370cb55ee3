import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient, MllpClientError, sendMllp } from './client.ts';
import { MllpFrameDecoder, frameMllp } from './frame-decoder.ts';

/** A raw MLLP peer whose answers each test scripts. */
async function rawServer(
  onFrame: (frame: string, socket: net.Socket) => void,
): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    const decoder = new MllpFrameDecoder(
      { maxFrameBytes: 1 << 20 },
      { frame: (p) => onFrame(p.toString(), socket), oversize: () => {}, junk: () => {} },
    );
    socket.on('data', (c: Buffer) => decoder.push(c));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, server };
}

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  for (const s of sockets.splice(0)) s.destroy();
});

describe('MllpClient', () => {
  it('rejects a send with MLLP_TIMEOUT when no response comes, and closes the connection', async () => {
    const { port } = await rawServer(() => {});
    const client = await MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 100 });
    const err = await client.send('hello').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MllpClientError);
    expect(err).toMatchObject({
      code: 'MLLP_TIMEOUT',
      message: `no MLLP response from 127.0.0.1:${port} within 100 ms (connection closed)`,
    });
    // A late ACK must never be taken for the next message's: the connection is gone.
    await expect(client.send('next')).rejects.toMatchObject({
      code: 'MLLP_CLOSED',
      message: expect.stringMatching(/is closed \(no MLLP response/),
    });
    await client.close();
  });

  it('rejects connect with MLLP_CONNECT naming the address when the connection is refused', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const err = await MllpClient.connect({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MLLP_CONNECT',
      message: expect.stringMatching(
        new RegExp(`^MLLP connect to 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`),
      ),
    });
    await expect(sendMllp({ host: '127.0.0.1', port }, ['x'])).rejects.toMatchObject({
      code: 'MLLP_CONNECT',
    });
  });

  it('rejects with MLLP_CLOSED when the server closes while a response is awaited', async () => {
    const { port } = await rawServer((_frame, socket) => socket.destroy());
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    await expect(client.send('x')).rejects.toMatchObject({
      code: 'MLLP_CLOSED',
      message: expect.stringMatching(/closed before the response arrived/),
    });
  });

  it('queues sends: one message in flight at a time, responses matched in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const { port } = await rawServer((frame, socket) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight--;
        socket.write(frameMllp(`ACK ${frame}`));
      }, 2);
    });
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    const acks = await Promise.all(['a', 'b', 'c', 'd'].map((m) => client.send(m)));
    expect(acks.map(String)).toEqual(['ACK a', 'ACK b', 'ACK c', 'ACK d']);
    expect(peak).toBe(1);
    await client.close();
  });

  it('drops and counts frames that arrive while no send waits', async () => {
    const { port } = await rawServer((frame, socket) => {
      socket.write(Buffer.concat([frameMllp(`ACK ${frame}`), frameMllp('extra')]));
    });
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    expect((await client.send('one')).toString()).toBe('ACK one');
    await client.close();
    expect(client.unsolicitedFrames).toBe(1);
  });

  it('rejects a send queued behind close()', async () => {
    const { port } = await rawServer((frame, socket) => socket.write(frameMllp(`ACK ${frame}`)));
    const client = await MllpClient.connect({ host: '127.0.0.1', port });
    await client.close();
    await expect(client.send('late')).rejects.toMatchObject({
      code: 'MLLP_CLOSED',
      message: expect.stringMatching(/closed by the client/),
    });
  });

  it('rejects a response larger than maxResponseBytes', async () => {
    const { port } = await rawServer((_frame, socket) => socket.write(frameMllp('x'.repeat(100))));
    const client = await MllpClient.connect({ host: '127.0.0.1', port, maxResponseBytes: 10 });
    await expect(client.send('x')).rejects.toMatchObject({ code: 'MLLP_OVERSIZE' });
  });
});
