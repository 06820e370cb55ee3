import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { MllpConnection, type ConnectionSink } from './connection.ts';
import type {
  MllpConnectionInfo,
  MllpFrameHandler,
  MllpServerEvents,
  MllpServerHooks,
  MllpServerOptions,
} from './types.ts';

export type {
  MllpConnectionInfo,
  MllpFrameHandler,
  MllpServerEvents,
  MllpServerHooks,
  MllpServerOptions,
} from './types.ts';

const DEFAULT_GRACE_MS = 10_000;
const DEFAULT_MAX_IN_FLIGHT = 32;
/** How long an ended connection waits for the peer's FIN before it is destroyed. */
const LINGER_MS = 5_000;
const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

function validate(o: MllpServerOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) problems.push(`port ${o.port}`);
  if (!Number.isInteger(o.maxMessageBytes) || o.maxMessageBytes < 1) {
    problems.push(`maxMessageBytes ${o.maxMessageBytes}`);
  }
  if (!Number.isFinite(o.idleTimeoutMs) || o.idleTimeoutMs < 0)
    problems.push(`idleTimeoutMs ${o.idleTimeoutMs}`);
  if (o.maxConnections !== undefined && (!Number.isInteger(o.maxConnections) || o.maxConnections < 1)) {
    problems.push(`maxConnections ${o.maxConnections}`);
  }
  const inFlight = o.maxInFlightPerConnection;
  if (inFlight !== undefined && (!Number.isInteger(inFlight) || inFlight < 1)) {
    problems.push(`maxInFlightPerConnection ${inFlight}`);
  }
  if (problems.length > 0) {
    throw new RangeError(`MLLP listener ${o.name}: invalid options: ${problems.join(', ')}`);
  }
}

/**
 * MLLP listener over TCP or TLS (one code path). Hands whole frames to the handler and writes back, framed
 * and in arrival order, what it returns. A socket error or reset only ends that connection.
 */
export class MllpServer extends EventEmitter<MllpServerEvents> {
  private readonly server: net.Server;
  private readonly connections = new Map<string, MllpConnection>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sink: ConnectionSink;
  private lastFrameAt: Date | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly options: MllpServerOptions,
    private readonly handler: MllpFrameHandler,
    private readonly hooks: MllpServerHooks,
  ) {
    super();
    validate(options);
    // Half-open is switched on per connection once set up (see MllpConnection): on a TLS server it would also
    // keep sockets whose handshake failed open after the peer's FIN.
    const base = { allowHalfOpen: false, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 };
    if (options.tls) {
      const t = options.tls;
      const server = tls.createServer({
        ...base,
        cert: t.cert,
        key: t.key,
        ...(t.ca === undefined ? {} : { ca: t.ca }),
        requestCert: t.requestCert ?? false,
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      });
      server.on('secureConnection', (socket) => this.accept(socket, true));
      server.on('tlsClientError', (err, socket) => this.emit('clientError', err, socket.remoteAddress ?? ''));
      this.server = server;
    } else {
      this.server = net.createServer(base, (socket) => this.accept(socket, false));
    }
    if (options.maxConnections !== undefined) this.server.maxConnections = options.maxConnections;
    this.server.on('drop', (data) => {
      const err = new Error(`MLLP listener ${options.name}: connection refused, maxConnections reached`);
      this.emit('clientError', err, data?.remoteAddress ?? '');
    });
    this.sink = {
      frame: (info, bytes) => {
        this.lastFrameAt = new Date();
        this.emit('frame', info, bytes);
      },
      junk: (info, bytes) => this.emit('junk', info, bytes),
      error: (err) => this.emitError(err),
      closed: (info, err) => {
        this.connections.delete(info.id);
        this.emit('close', info, err);
      },
      handlerStarted: (done) => {
        this.inFlight.add(done);
        void done.finally(() => this.inFlight.delete(done));
      },
    };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Accepting connections (for readiness checks). */
  get listening(): boolean {
    return this.server.listening;
  }

  get lastMessageAt(): Date | null {
    return this.lastFrameAt;
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.emitError(err));
        const addr = this.server.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Stop accepting, let in-flight handlers finish and their responses be written (up to graceMs), then destroy sockets. */
  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections.values()) c.shutdown();
    const drained = Promise.all([...[...this.connections.values()].map((c) => c.closed), ...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
    for (const c of this.connections.values()) c.destroy();
    await serverClosed;
  }

  private accept(socket: Socket, isTls: boolean): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const info: MllpConnectionInfo = Object.freeze({
      id: randomUUID(),
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      tls: isTls,
      listener: this.options.name,
    });
    const conn = new MllpConnection(
      socket,
      info,
      {
        maxMessageBytes: this.options.maxMessageBytes,
        idleTimeoutMs: this.options.idleTimeoutMs,
        maxInFlight: this.options.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT,
        lingerMs: LINGER_MS,
      },
      this.handler,
      this.hooks,
      this.sink,
    );
    this.connections.set(info.id, conn);
    this.emit('connection', info);
  }

  /** 'error' without a listener would throw and crash the process, which a listener must never do. */
  private emitError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
