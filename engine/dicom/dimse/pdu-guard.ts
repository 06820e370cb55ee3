/**
 * Follows the PDU framing of one association's incoming byte stream (PS3.8 9.3: type, reserved,
 * 32-bit length) without keeping any bytes, to refuse what dcmjs-dimse would otherwise buffer
 * without limit: it accumulates a PDU of whatever length the header announces. A P-DATA-TF may not
 * exceed the maximum PDU length we advertised; other PDUs (association request and the like) are
 * small, and get a fixed generous cap.
 */

const PDU_TYPES = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
const P_DATA_TF = 0x04;
export const MAX_CONTROL_PDU_BYTES = 1 << 20;

export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class PduGuard {
  private readonly header = Buffer.alloc(6);
  private headerBytes = 0;
  private bodyLeft = 0;

  /** @param maxPDataLength the maximum P-DATA-TF variable field length we accept (what we advertise). */
  constructor(private maxPDataLength: number) {}

  setMaxPDataLength(length: number): void {
    this.maxPDataLength = length;
  }

  push(chunk: Buffer): GuardVerdict {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        this.bodyLeft -= take;
        offset += take;
        continue;
      }
      const take = Math.min(6 - this.headerBytes, chunk.length - offset);
      chunk.copy(this.header, this.headerBytes, offset, offset + take);
      this.headerBytes += take;
      offset += take;
      if (this.headerBytes < 6) break;
      this.headerBytes = 0;
      const type = this.header.readUInt8(0);
      const length = this.header.readUInt32BE(2);
      if (!PDU_TYPES.has(type)) return { ok: false, reason: `unknown PDU type 0x${type.toString(16)}` };
      const limit = type === P_DATA_TF ? this.maxPDataLength : MAX_CONTROL_PDU_BYTES;
      if (length > limit)
        return { ok: false, reason: `PDU type 0x${type.toString(16)} of ${length} bytes (limit ${limit})` };
      this.bodyLeft = length;
    }
    return { ok: true };
  }
}
