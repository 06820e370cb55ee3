/**
 * Where dcmjs-dimse writes the dataset fragments of one C-STORE (its createStoreWritableStream hook):
 * we keep the received bytes as they are instead of letting it parse them into a dcmjs dataset.
 * Writes complete synchronously and never report backpressure, because dcmjs-dimse does not await
 * its PDU handlers: a write that returned false would let the next PDU overtake this one.
 */
import { Writable } from 'node:stream';

const HEAD_BYTES = 4096;

export class StoreSink extends Writable {
  readonly chunks: Buffer[] = [];
  received = 0;
  /** The dataset went past maxBytes: later chunks were dropped, the store must fail. */
  overflowed = false;

  constructor(private readonly maxBytes: number) {
    super({ highWaterMark: 2 ** 40, decodeStrings: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.overflowed = true;
      this.chunks.length = 0;
    } else {
      this.chunks.push(chunk);
    }
    done();
  }

  /** The first bytes received (at least 4 KiB when that many came), to read the leading elements. */
  head(): Buffer {
    let length = 0;
    let count = 0;
    while (count < this.chunks.length && length < HEAD_BYTES) length += this.chunks[count++]!.length;
    return count === 1 ? this.chunks[0]! : Buffer.concat(this.chunks.slice(0, count));
  }
}
