import net from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { MllpFrameDecoder, frameMllp } from './frame-decoder.ts';

export interface MllpClientOptions {
  host: string;
  port: number;
  tls?: boolean | { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Per response (and for connecting); default 30000. */
  timeoutMs?: number;
  /** Largest response frame accepted; default 16 MiB. */
  maxResponseBytes?: number;
}

export type MllpClientErrorCode = 'MLLP_CONNECT' | 'MLLP_TIMEOUT' | 'MLLP_CLOSED' | 'MLLP_OVERSIZE';

export class MllpClientError extends Error {
  override readonly name = 'MllpClientError';
  constructor(
    readonly code: MllpClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const CLOSE_WAIT_MS = 2_000;

interface Waiter {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * MLLP sender: one message in flight at a time, each send resolving with the next response frame.
 * MLLP has no correlation on the wire, so after a timeout the connection is closed: a late ACK must never be
 * taken as the answer to the next message.
 */
export class MllpClient {
  private readonly decoder: MllpFrameDecoder;
  private readonly address: string;
  private readonly timeoutMs: number;
  private waiter: Waiter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: MllpClientError | null = null;
  private socketError: Error | undefined;
  private readonly socketClosed: Promise<void>;
  /** Frames that arrived while no send was waiting (dropped). */
  unsolicitedFrames = 0;

  private constructor(
    private readonly socket: Socket,
    opts: MllpClientOptions,
  ) {
    this.address = `${opts.host}:${opts.port}`;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.decoder = new MllpFrameDecoder(
      { maxFrameBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES },
      {
        frame: (payload) => this.onFrame(payload),
        oversize: (bytes) =>
          this.fail(
            new MllpClientError('MLLP_OVERSIZE', `MLLP response from ${this.address} exceeds ${bytes} bytes`),
          ),
        junk: () => {},
      },
    );
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    this.socketClosed = new Promise((resolve) => {
      socket.once('close', () => {
        const why = this.socketError ? `: ${this.socketError.message}` : '';
        const when = this.waiter ? ' before the response arrived' : '';
        this.fail(
          new MllpClientError('MLLP_CLOSED', `MLLP connection to ${this.address} closed${when}${why}`),
        );
        resolve();
      });
    });
  }

  static connect(opts: MllpClientOptions): Promise<MllpClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const address = `${opts.host}:${opts.port}`;
    return new Promise((resolve, reject) => {
      let socket: Socket;
      if (opts.tls) {
        const t = opts.tls === true ? {} : opts.tls;
        socket = tls.connect({
          host: opts.host,
          port: opts.port,
          // SNI must be a host name, never an IP address (RFC 6066 section 3).
          ...(net.isIP(opts.host) ? {} : { servername: opts.host }),
          ...(t.ca === undefined ? {} : { ca: t.ca }),
          ...(t.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: t.rejectUnauthorized }),
        });
      } else {
        socket = net.connect({ host: opts.host, port: opts.port });
      }
      // Without NODELAY a message can wait ~40 ms for the server's delayed TCP ACK (Nagle).
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new MllpClientError('MLLP_CONNECT', `MLLP connect to ${address} timed out after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new MllpClientError('MLLP_CONNECT', `MLLP connect to ${address} failed: ${err.message}`, {
            cause: err,
          }),
        );
      };
      socket.once('error', onError);
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new MllpClient(socket, opts));
      });
    });
  }

  /** Frames and sends one message; resolves with the next response frame. Sends queue one after another. */
  send(message: Buffer | string): Promise<Buffer> {
    const result = this.queue.then(() => this.sendNow(message));
    this.queue = result.catch(() => {});
    return result;
  }

  /** Ends the connection; a send still waiting rejects. */
  async close(): Promise<void> {
    if (!this.failure) {
      this.fail(
        new MllpClientError('MLLP_CLOSED', `MLLP connection to ${this.address} closed by the client`),
        false,
      );
      this.socket.end();
    }
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_WAIT_MS);
    await this.socketClosed;
    clearTimeout(timer);
  }

  private sendNow(message: Buffer | string): Promise<Buffer> {
    if (this.failure) {
      return Promise.reject(
        new MllpClientError(
          'MLLP_CLOSED',
          `MLLP connection to ${this.address} is closed (${this.failure.message})`,
          {
            cause: this.failure,
          },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new MllpClientError(
            'MLLP_TIMEOUT',
            `no MLLP response from ${this.address} within ${this.timeoutMs} ms (connection closed)`,
          ),
        );
      }, this.timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.socket.write(frameMllp(message));
    });
  }

  private onFrame(payload: Buffer): void {
    const w = this.waiter;
    if (!w) {
      this.unsolicitedFrames++;
      return;
    }
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve(payload);
  }

  /** The connection is no longer usable: reject the waiting send and every later one. */
  private fail(err: MllpClientError, destroy = true): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    if (destroy) this.socket.destroy();
  }
}

/** One connection, messages sent one after another, one response each. */
export async function sendMllp(
  opts: MllpClientOptions,
  messages: readonly (Buffer | string)[],
): Promise<Buffer[]> {
  const client = await MllpClient.connect(opts);
  try {
    const responses: Buffer[] = [];
    for (const m of messages) responses.push(await client.send(m));
    return responses;
  } finally {
    await client.close();
  }
}
