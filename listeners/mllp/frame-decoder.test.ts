import { describe, expect, it } from 'vitest';
import { MllpFrameDecoder, frameMllp } from './frame-decoder.ts';

interface Collected {
  frames: string[];
  oversize: number[];
  junk: number;
  decoder: MllpFrameDecoder;
}

function collector(maxFrameBytes = 1024): Collected {
  const out: Omit<Collected, 'decoder'> = { frames: [], oversize: [], junk: 0 };
  const decoder = new MllpFrameDecoder(
    { maxFrameBytes },
    {
      frame: (p) => out.frames.push(p.toString('latin1')),
      oversize: (n) => out.oversize.push(n),
      junk: (n) => {
        out.junk += n;
      },
    },
  );
  return Object.assign(out, { decoder });
}

const A = 'MSH|^~\\&|A|B|||20240101||ADT^A01|1|P|2.5\rPID|1||123\r';
const B = 'MSH|^~\\&|A|B|||20240101||ADT^A08|2|P|2.5\rPID|1||456\r';
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('frameMllp', () => {
  it('wraps a payload in 0x0B ... 0x1C 0x0D and encodes strings as UTF-8', () => {
    expect([...frameMllp(Buffer.from('ab'))]).toEqual([0x0b, 0x61, 0x62, 0x1c, 0x0d]);
    expect(frameMllp('Ü').equals(Buffer.from([0x0b, 0xc3, 0x9c, 0x1c, 0x0d]))).toBe(true);
    expect([...frameMllp('')]).toEqual([0x0b, 0x1c, 0x0d]);
  });
});

describe('MllpFrameDecoder', () => {
  const stream = Buffer.concat([frameMllp(A), frameMllp(B)]);

  it('decodes a 2-frame stream split at every byte position', () => {
    for (let i = 0; i <= stream.length; i++) {
      const c = collector();
      c.decoder.push(stream.subarray(0, i));
      c.decoder.push(stream.subarray(i));
      expect(c.frames, `split at ${i}`).toEqual([A, B]);
      expect(c.junk, `split at ${i}`).toBe(0);
      expect(c.decoder.pendingBytes).toBe(0);
    }
  });

  it('decodes a 2-frame stream split at every pair of positions and byte by byte', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 3) {
        const c = collector();
        c.decoder.push(stream.subarray(0, i));
        c.decoder.push(stream.subarray(i, j));
        c.decoder.push(stream.subarray(j));
        expect(c.frames, `split at ${i},${j}`).toEqual([A, B]);
        expect(c.junk).toBe(0);
      }
    }
    const c = collector();
    for (const b of stream) c.decoder.push(Buffer.from([b]));
    expect(c.frames).toEqual([A, B]);
    expect(c.junk).toBe(0);
  });

  it('decodes many frames in one chunk, as views into the chunk (no copy)', () => {
    const payloads: Buffer[] = [];
    const d = new MllpFrameDecoder(
      { maxFrameBytes: 1024 },
      { frame: (p) => payloads.push(p), oversize: () => {}, junk: () => {} },
    );
    const chunk = Buffer.concat(Array.from({ length: 50 }, (_, i) => frameMllp(`${A}${i}`)));
    d.push(chunk);
    expect(payloads.map((p) => p.toString('latin1'))).toEqual(
      Array.from({ length: 50 }, (_, i) => `${A}${i}`),
    );
    expect(payloads.every((p) => p.buffer === chunk.buffer)).toBe(true);
  });

  it('copies a frame that spans chunks into one buffer', () => {
    const c = collector();
    const f = frameMllp(A);
    c.decoder.push(f.subarray(0, 10));
    expect(c.decoder.pendingBytes).toBe(9);
    c.decoder.push(f.subarray(10));
    expect(c.frames).toEqual([A]);
  });

  it('counts and drops bytes between frames', () => {
    const c = collector();
    c.decoder.push(Buffer.concat([bytes('xx'), frameMllp(A), bytes('\r\n junk'), frameMllp(B), bytes('!')]));
    expect(c.frames).toEqual([A, B]);
    expect(c.junk).toBe(2 + 7 + 1);
  });

  it('accepts 0x1C without the trailing 0x0D: followed by 0x0B, by junk or by nothing', () => {
    const c = collector();
    c.decoder.push(bytes(`\x0b${A}\x1c\x0b${B}\x1c`));
    expect(c.frames).toEqual([A, B]);
    c.decoder.push(bytes(`\x0bC\x1cX\x0bD\x1c\r`));
    expect(c.frames).toEqual([A, B, 'C', 'D']);
    expect(c.junk).toBe(1);
  });

  it('emits a frame at 0x1C at once and swallows a 0x0D arriving in the next chunk', () => {
    const c = collector();
    c.decoder.push(bytes(`\x0b${A}\x1c`));
    expect(c.frames).toEqual([A]);
    c.decoder.push(bytes('\r'));
    c.decoder.push(bytes('\r'));
    expect(c.junk).toBe(1); // only the second CR is junk
  });

  it('reports an oversized frame once, discards the rest without buffering, decodes the next frame', () => {
    const c = collector(100);
    c.decoder.push(bytes('\x0b' + 'x'.repeat(60)));
    expect(c.oversize).toEqual([]);
    c.decoder.push(bytes('y'.repeat(60)));
    expect(c.oversize).toEqual([120]);
    expect(c.decoder.pendingBytes).toBe(0);
    for (let i = 0; i < 5; i++) c.decoder.push(bytes('z'.repeat(1000)));
    expect(c.decoder.pendingBytes).toBe(0);
    c.decoder.push(Buffer.concat([bytes('zz\x1c\r'), frameMllp('OK')]));
    expect(c.oversize).toEqual([120]);
    expect(c.frames).toEqual(['OK']);
    expect(c.junk).toBe(0);
  });

  it('reports an oversized frame seen whole in one chunk and keeps decoding that chunk', () => {
    const c = collector(10);
    c.decoder.push(Buffer.concat([frameMllp('a'.repeat(11)), frameMllp('small')]));
    expect(c.oversize).toEqual([11]);
    expect(c.frames).toEqual(['small']);
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const c = collector(10);
    const f = frameMllp('a'.repeat(10));
    c.decoder.push(f.subarray(0, 5));
    c.decoder.push(f.subarray(5));
    expect(c.frames).toEqual(['a'.repeat(10)]);
    expect(c.oversize).toEqual([]);
  });

  it('drops a partial frame as junk when a new 0x0B starts, in the same or a later chunk', () => {
    const c = collector();
    c.decoder.push(bytes(`\x0bpartial\x0b${A}\x1c\r`));
    expect(c.frames).toEqual([A]);
    expect(c.junk).toBe(8);
    c.decoder.push(bytes('\x0bhalf'));
    c.decoder.push(frameMllp(B));
    expect(c.frames).toEqual([A, B]);
    expect(c.junk).toBe(8 + 5);
  });

  it('restarts from a 0x0B met while discarding an oversized frame', () => {
    const c = collector(5);
    c.decoder.push(bytes('\x0b0123456789'));
    c.decoder.push(frameMllp('ok'));
    expect(c.oversize).toEqual([10]);
    expect(c.frames).toEqual(['ok']);
  });

  it('reset() forgets a partial frame', () => {
    const c = collector();
    c.decoder.push(bytes('\x0bpartial'));
    expect(c.decoder.pendingBytes).toBe(7);
    c.decoder.reset();
    expect(c.decoder.pendingBytes).toBe(0);
    c.decoder.push(bytes('tail\x1c\r'));
    c.decoder.push(frameMllp(A));
    expect(c.frames).toEqual([A]);
    expect(c.junk).toBe(6);
  });

  it('rejects a maxFrameBytes that is not a positive integer', () => {
    const events = { frame: () => {}, oversize: () => {}, junk: () => {} };
    expect(() => new MllpFrameDecoder({ maxFrameBytes: 0 }, events)).toThrow(RangeError);
  });
});
