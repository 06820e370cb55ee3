import type { Socket } from 'node:net';
import { MllpFrameDecoder, frameMllp } from './frame-decoder.ts';
import type { MllpConnectionInfo, MllpFrameHandler, MllpServerHooks } from './types.ts';

/** What a connection reports to its server. */
export interface ConnectionSink {
  frame(info: MllpConnectionInfo, bytes: number): void;
  junk(info: MllpConnectionInfo, bytes: number): void;
  /** A hook threw or a handler returned something that is not a list of Buffers. */
  error(err: unknown): void;
  closed(info: MllpConnectionInfo, err: Error | undefined): void;
  handlerStarted(done: Promise<unknown>): void;
}

export interface ConnectionOptions {
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly maxInFlight: number;
  /** How long an ending socket may wait for the peer to close before it is destroyed. */
  readonly lingerMs: number;
}

/** One response slot per received frame, so responses leave in arrival order whatever order handlers end in. */
interface Slot {
  /** The frame, until its handler starts. */
  payload: Buffer | null;
  responses: readonly Buffer[] | null;
  /** End the connection once this slot's responses are written (oversize, failed hook). */
  closeAfter: boolean;
}

/**
 * One MLLP connection: deframes, runs the handler per frame (concurrently for pipelining senders), writes
 * responses in frame order, applies backpressure, idles out, and ends gracefully on a half-close.
 */
export class MllpConnection {
  private readonly decoder: MllpFrameDecoder;
  /** Every frame not yet answered, in arrival order. */
  private slots: Slot[] = [];
  /** Slots whose handler has not started: one chunk can hold more frames than maxInFlight. */
  private readonly waiting: Slot[] = [];
  private running = 0;
  /** No further frames are handed to the handler: the connection is ending. */
  private refusing = false;
  private peerEnded = false;
  private ending = false;
  private writeBlocked = false;
  private paused = false;
  private lastError: Error | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    readonly info: MllpConnectionInfo,
    private readonly opts: ConnectionOptions,
    private readonly handler: MllpFrameHandler,
    private readonly hooks: MllpServerHooks,
    private readonly sink: ConnectionSink,
  ) {
    this.decoder = new MllpFrameDecoder(
      { maxFrameBytes: opts.maxMessageBytes },
      {
        frame: (payload) => this.onFrame(payload),
        oversize: (bytes) => this.onOversize(bytes),
        junk: (bytes) => this.sink.junk(this.info, bytes),
      },
    );
    // A sender may send its last frames and half-close: it is still owed their ACKs.
    socket.allowHalfOpen = true;
    // Without NODELAY each small ACK can sit ~40 ms waiting for the peer's delayed TCP ACK (Nagle).
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    if (opts.idleTimeoutMs > 0) socket.setTimeout(opts.idleTimeoutMs);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        clearTimeout(this.lingerTimer);
        // Nobody is left to answer: frames not yet handed to the handler are dropped unanswered.
        this.refusing = true;
        this.waiting.length = 0;
        const junk = this.decoder.pendingBytes;
        if (junk > 0) this.sink.junk(this.info, junk);
        this.sink.closed(this.info, this.lastError);
        resolve();
      });
    });
    socket.on('error', (err) => {
      this.lastError ??= err;
    });
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.maybeEnd();
    });
    socket.on('timeout', () => {
      // A slow handler is not idleness: the timer re-arms with the response write.
      if (this.slots.length === 0) this.end();
    });
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateFlow();
    });
  }

  /** Server shutdown: take no new frames, finish the in-flight ones, then end. */
  shutdown(): void {
    this.refusing = true;
    // Frames not yet handed to the handler stay unanswered: the sender resends them.
    this.waiting.length = 0;
    this.slots = this.slots.filter((slot) => slot.payload === null);
    this.flush();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(payload: Buffer): void {
    // Frames after an oversize NAK or during shutdown get no answer: the sender resends them elsewhere/later.
    if (this.refusing) return;
    this.sink.frame(this.info, payload.length);
    const slot: Slot = { payload, responses: null, closeAfter: false };
    this.slots.push(slot);
    this.waiting.push(slot);
    this.pump();
    this.updateFlow();
  }

  private pump(): void {
    while (this.running < this.opts.maxInFlight && this.waiting.length > 0) {
      const slot = this.waiting.shift() as Slot;
      const payload = slot.payload as Buffer;
      slot.payload = null;
      this.running++;
      const done = this.run(payload).then(
        (responses) => {
          slot.responses = responses;
        },
        (err: unknown) => {
          this.sink.error(err);
          slot.responses = [];
          slot.closeAfter = true;
        },
      );
      this.sink.handlerStarted(done);
      void done.then(() => {
        this.running--;
        this.flush();
        this.pump();
      });
    }
  }

  private async run(payload: Buffer): Promise<readonly Buffer[]> {
    let responses: unknown;
    try {
      responses = await this.handler(payload, this.info);
    } catch (err) {
      responses = this.hooks.onHandlerError(this.info, err, payload);
    }
    if (!Array.isArray(responses) || !responses.every((r) => Buffer.isBuffer(r))) {
      throw new TypeError(`MLLP handler on ${this.info.listener} returned something other than Buffer[]`);
    }
    return responses as readonly Buffer[];
  }

  private onOversize(bytes: number): void {
    if (this.refusing) return;
    this.refusing = true;
    let responses: readonly Buffer[] = [];
    try {
      responses = this.hooks.onOversize(this.info, bytes);
    } catch (err) {
      this.sink.error(err);
    }
    this.slots.push({ payload: null, responses, closeAfter: true });
    this.flush();
    // Keep reading (and discarding) so the peer is not blocked mid-send and no RST eats the NAK.
    this.paused = false;
    this.socket.resume();
  }

  private flush(): void {
    const out: Buffer[] = [];
    let closeNow = false;
    while (this.slots.length > 0 && this.slots[0]?.responses) {
      const slot = this.slots.shift() as Slot;
      for (const r of slot.responses as readonly Buffer[]) out.push(frameMllp(r));
      if (slot.closeAfter) {
        closeNow = true;
        this.refusing = true;
        this.slots.length = 0;
        this.waiting.length = 0;
        break;
      }
    }
    if (out.length > 0 && this.socket.writable) {
      const ok = this.socket.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
      if (!ok) this.writeBlocked = true;
    }
    if (closeNow) this.end();
    else this.maybeEnd();
    this.updateFlow();
  }

  /** End once nothing is owed: the peer half-closed, or the server is shutting down. */
  private maybeEnd(): void {
    if (this.slots.length === 0 && (this.peerEnded || this.refusing)) this.end();
  }

  private end(): void {
    if (this.ending) return;
    this.ending = true;
    this.refusing = true;
    this.socket.end();
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.lingerTimer = setTimeout(() => this.socket.destroy(), this.opts.lingerMs);
    this.lingerTimer.unref();
  }

  /** Stop reading while too many frames are in flight or the peer is not reading its responses. */
  private updateFlow(): void {
    const shouldPause = !this.refusing && (this.writeBlocked || this.slots.length >= this.opts.maxInFlight);
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
