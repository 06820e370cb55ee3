/**
 * DCMTK's storescp as a C-STORE peer for tests: listens on a given port (so a test can have the port
 * down first and up later), accepts every transfer syntax it knows (+xa) and writes what it receives
 * exactly as read (+B, bit-preserving) into a folder of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DCMTK_ENV } from './dcmtk.ts';

export interface TestStorescp {
  readonly port: number;
  readonly aeTitle: string;
  readonly dir: string;
  /** The files received so far, as bytes. */
  files(): Promise<Buffer[]>;
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startStorescp(
  port: number,
  aeTitle = 'RESEARCH',
  timeoutMs = 10_000,
): Promise<TestStorescp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-storescp-'));
  let output = '';
  const child: ChildProcess = spawn('storescp', ['-aet', aeTitle, '+xa', '+B', '-od', dir, String(port)], {
    env: DCMTK_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async (): Promise<void> => {
    if (running) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (!running || Date.now() > deadline) {
      await stop();
      throw new Error(`storescp did not listen on ${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    aeTitle,
    dir,
    async files() {
      const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
      return Promise.all(names.map((n) => readFile(path.join(dir, n))));
    },
    stop,
  };
}
