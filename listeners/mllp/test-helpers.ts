import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MllpFrameDecoder } from './frame-decoder.ts';

/** A raw TCP peer that collects response frames, for tests that need control over what goes on the wire. */
export class RawPeer {
  readonly frames: Buffer[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly decoder = new MllpFrameDecoder(
    { maxFrameBytes: 1 << 24 },
    {
      frame: (p) => {
        this.frames.push(p);
        this.waiters = this.waiters.filter((w) => {
          if (this.frames.length < w.count) return true;
          w.resolve();
          return false;
        });
      },
      oversize: () => {},
      junk: () => {},
    },
  );
  readonly ended: Promise<void>;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => this.decoder.push(c));
    socket.on('error', () => {});
    this.ended = once(socket, 'end').then(() => {});
    this.closed = once(socket, 'close').then(() => {});
  }

  static async connect(port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<RawPeer> {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: opts.allowHalfOpen ?? false });
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  /** Resolves when at least count frames have arrived in total. */
  waitFrames(count: number): Promise<Buffer[]> {
    if (this.frames.length >= count) return Promise.resolve(this.frames);
    return new Promise<void>((resolve) => this.waiters.push({ count, resolve })).then(() => this.frames);
  }

  texts(): string[] {
    return this.frames.map((f) => f.toString('latin1'));
  }
}

/** A promise with its resolve exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Self-signed certificate for 127.0.0.1/localhost, made with the openssl command line. */
export function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllp-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
