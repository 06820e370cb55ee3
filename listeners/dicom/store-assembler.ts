/**
 * Where the dataset fragments of one C-STORE are put together: straight into the Part-10 object
 * that will be stored (PS3.10 header first, written when the command arrived), so the bytes are
 * copied once, from the PDU into this buffer, and never concatenated again. The buffer lives on a
 * SharedArrayBuffer: the folder store's writer thread (engine/objects/durable-writer.ts) reads it
 * in place instead of getting its own copy. Past maxBytes of dataset the fragments are counted and
 * dropped, and the store must fail (0xA700).
 */

/** Room for a dataset before the first instance of an association said how big they are. */
const FIRST_CAPACITY = 256 * 1024;

export class StoreAssembler {
  private buffer: Buffer;
  private length: number;
  /** Dataset bytes received, kept or not. */
  received = 0;
  /** The dataset went past maxBytes: its bytes were dropped, the store must fail. */
  overflowed = false;

  /**
   * @param header the Part-10 preamble, "DICM" and file meta group, or an empty buffer when the
   *   command's UIDs cannot make one (the store is refused before the bytes are used).
   * @param sizeHint the expected size of the whole object (the association's previous one).
   */
  constructor(
    readonly header: Buffer,
    private readonly maxBytes: number,
    sizeHint: number,
  ) {
    const capacity = Math.max(header.length + FIRST_CAPACITY, sizeHint);
    this.buffer = Buffer.from(new SharedArrayBuffer(capacity));
    header.copy(this.buffer, 0);
    this.length = header.length;
  }

  append(fragment: Uint8Array): void {
    this.received += fragment.length;
    if (this.overflowed) return;
    if (this.received > this.maxBytes) {
      this.overflowed = true;
      this.buffer = Buffer.alloc(0);
      this.length = 0;
      return;
    }
    const needed = this.length + fragment.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.from(new SharedArrayBuffer(Math.max(needed, this.buffer.length * 2)));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(fragment, this.length);
    this.length = needed;
  }

  /** The dataset as received (without the Part-10 header). */
  dataset(): Buffer {
    return this.buffer.subarray(this.overflowed ? 0 : this.header.length, this.length);
  }

  /** The whole Part-10 object: header and dataset, in one buffer (no copy). */
  part10(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
