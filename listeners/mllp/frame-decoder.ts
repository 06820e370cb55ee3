/**
 * MLLP framing (HL7 v2 Minimal Lower Layer Protocol, Release 2, section 1.4): every message travels as
 * <SB> payload <EB><CR>, SB = 0x0B, EB = 0x1C, CR = 0x0D.
 */
export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

export interface FrameDecoderEvents {
  frame(payload: Buffer): void;
  oversize(bytesSoFar: number): void;
  junk(bytes: number): void;
}

const enum State {
  /** Between frames: everything up to the next 0x0B is junk. */
  Outside,
  /** Inside a frame, buffering its payload. */
  InFrame,
  /** Inside a frame that outgrew maxFrameBytes: its bytes are dropped until its end. */
  Discarding,
}

/**
 * Incremental MLLP deframer. push() any chunk; emits complete frames in order. Survives frames split across
 * chunks (even the 0x1C/0x0D split), many frames in one chunk, bytes between frames (counted as junk and
 * dropped), a missing 0x0D after 0x1C, a new 0x0B inside an unfinished frame (the partial frame is dropped as
 * junk and a new one starts). A frame growing past maxFrameBytes is reported once via oversize() and the
 * rest of it is discarded without buffering.
 *
 * The frame ends at 0x1C: it is emitted at once and a 0x0D right after it (even in the next chunk) is
 * swallowed. Waiting for the 0x0D would hang a sender that omits it and waits for its ACK.
 *
 * Payloads are views into the pushed chunks when a frame lies within one chunk (Buffer.concat only across
 * chunk boundaries): callers must not reuse a chunk's memory after pushing it (socket chunks are fresh).
 */
export class MllpFrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly events: FrameDecoderEvents;
  private state = State.Outside;
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** The previous byte was a frame's 0x1C: one 0x0D following it belongs to the frame trailer. */
  private swallowCr = false;

  constructor(opts: { maxFrameBytes: number }, events: FrameDecoderEvents) {
    if (!Number.isInteger(opts.maxFrameBytes) || opts.maxFrameBytes < 1) {
      throw new RangeError(`maxFrameBytes must be a positive integer, got ${opts.maxFrameBytes}`);
    }
    this.maxFrameBytes = opts.maxFrameBytes;
    this.events = events;
  }

  /** Bytes of an unfinished frame held in memory. */
  get pendingBytes(): number {
    return this.partBytes;
  }

  reset(): void {
    this.state = State.Outside;
    this.parts = [];
    this.partBytes = 0;
    this.swallowCr = false;
  }

  push(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    if (len > 0 && this.swallowCr) {
      this.swallowCr = false;
      if (chunk[0] === MLLP_CR) pos = 1;
    }
    // Position of the next 0x0B at or after pos, cached so a chunk with many frames is scanned once.
    let nextStart = -2;
    const findStart = (from: number): number => {
      if (nextStart === -1 || nextStart >= from) return nextStart;
      nextStart = chunk.indexOf(MLLP_START, from);
      return nextStart;
    };

    while (pos < len) {
      if (this.state === State.Outside) {
        const start = findStart(pos);
        if (start === -1) {
          this.events.junk(len - pos);
          return;
        }
        if (start > pos) this.events.junk(start - pos);
        this.state = State.InFrame;
        pos = start + 1;
        continue;
      }

      const end = chunk.indexOf(MLLP_END, pos);
      const restart = findStart(pos);
      const stop = end === -1 ? restart : restart === -1 ? end : Math.min(end, restart);

      if (this.state === State.Discarding) {
        if (stop === -1) return;
        this.state = State.Outside;
        pos = this.afterStop(chunk, stop, restart === stop);
        continue;
      }

      // InFrame: payload runs from pos to stop (or to the end of the chunk).
      const segmentEnd = stop === -1 ? len : stop;
      if (this.partBytes + (segmentEnd - pos) > this.maxFrameBytes) {
        const bytesSoFar = this.partBytes + (segmentEnd - pos);
        this.parts = [];
        this.partBytes = 0;
        if (stop === -1) {
          this.state = State.Discarding;
          this.events.oversize(bytesSoFar);
          return;
        }
        // The whole oversized frame is in view: report it, then carry on after its end.
        this.state = State.Outside;
        this.events.oversize(bytesSoFar);
        pos = this.afterStop(chunk, stop, restart === stop);
        continue;
      }
      if (stop === -1) {
        this.parts.push(chunk.subarray(pos, len));
        this.partBytes += len - pos;
        return;
      }
      if (stop === restart) {
        // A new 0x0B before this frame's end: the sender gave up on the partial frame (+1 for its 0x0B).
        const dropped = this.partBytes + (stop - pos) + 1;
        this.parts = [];
        this.partBytes = 0;
        this.events.junk(dropped);
        pos = stop + 1;
        continue;
      }
      const tail = chunk.subarray(pos, stop);
      const payload =
        this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail], this.partBytes + tail.length);
      this.parts = [];
      this.partBytes = 0;
      this.state = State.Outside;
      pos = this.afterStop(chunk, stop, false);
      this.events.frame(payload);
    }
  }

  /** Position after a frame's 0x1C (and its 0x0D, if here) or after a restarting 0x0B. */
  private afterStop(chunk: Buffer, stop: number, isRestart: boolean): number {
    if (isRestart) {
      this.state = State.InFrame;
      return stop + 1;
    }
    if (stop + 1 >= chunk.length) {
      this.swallowCr = true;
      return stop + 1;
    }
    return chunk[stop + 1] === MLLP_CR ? stop + 2 : stop + 1;
  }
}

/** 0x0B + payload + 0x1C 0x0D. Strings are encoded as UTF-8. */
export function frameMllp(payload: Buffer | string): Buffer {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
  const out = Buffer.allocUnsafe(size + 3);
  out[0] = MLLP_START;
  if (typeof payload === 'string') out.write(payload, 1, 'utf8');
  else payload.copy(out, 1);
  out[size + 1] = MLLP_END;
  out[size + 2] = MLLP_CR;
  return out;
}
