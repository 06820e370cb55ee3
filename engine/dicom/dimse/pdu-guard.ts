/**
 * Follows the PDU framing of one association's incoming byte stream (PS3.8 9.3: type, reserved,
 * 32-bit length) without keeping any bytes, to refuse what dcmjs-dimse would otherwise buffer
 * without limit: it accumulates a PDU of whatever length the header announces. A P-DATA-TF may not
 * exceed the maximum PDU length we advertised; other PDUs (association request and the like) are
 * small, and get a fixed generous cap. It also keeps the head of the first A-ASSOCIATE-RQ (protocol
 * version and application context), which dcmjs-dimse reads past without checking.
 */

const PDU_TYPES = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
const P_DATA_TF = 0x04;
const A_ASSOCIATE_RQ = 0x01;
export const MAX_CONTROL_PDU_BYTES = 1 << 20;

/** Bytes of the A-ASSOCIATE-RQ body kept: fixed fields (68) and room for the application context item. */
const ASSOCIATE_RQ_HEAD_BYTES = 68 + 4 + 64;

export type GuardVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'unknown-pdu-type' | 'pdu-too-long'; readonly reason: string };

export class PduGuard {
  private readonly header = Buffer.alloc(6);
  private headerBytes = 0;
  private bodyLeft = 0;
  private rqHead: Buffer[] | undefined;
  private rqHeadBytes = 0;
  private rqDone = false;
  /** The type of the last PDU whose header came in (0 before any). */
  lastPduType = 0;
  /** Bytes seen so far: a connection closed before sending any is a probe, not a failed association. */
  received = 0;

  /** @param maxPDataLength the maximum P-DATA-TF variable field length we accept (what we advertise). */
  constructor(private maxPDataLength: number) {}

  setMaxPDataLength(length: number): void {
    this.maxPDataLength = length;
  }

  /** The start of the first A-ASSOCIATE-RQ body (up to 136 bytes), once its header was seen. */
  associateRqHead(): Buffer | undefined {
    return this.rqHead === undefined ? undefined : Buffer.concat(this.rqHead);
  }

  push(chunk: Buffer): GuardVerdict {
    this.received += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        if (this.rqHead !== undefined && !this.rqDone && this.rqHeadBytes < ASSOCIATE_RQ_HEAD_BYTES) {
          const keep = chunk.subarray(
            offset,
            offset + Math.min(take, ASSOCIATE_RQ_HEAD_BYTES - this.rqHeadBytes),
          );
          this.rqHead.push(Buffer.from(keep));
          this.rqHeadBytes += keep.length;
        }
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
      if (this.rqHead !== undefined) this.rqDone = true;
      this.lastPduType = type;
      if (!PDU_TYPES.has(type)) {
        return { ok: false, code: 'unknown-pdu-type', reason: `unknown PDU type 0x${type.toString(16)}` };
      }
      const limit = type === P_DATA_TF ? this.maxPDataLength : MAX_CONTROL_PDU_BYTES;
      if (length > limit) {
        const reason = `PDU type 0x${type.toString(16)} of ${length} bytes (limit ${limit})`;
        return { ok: false, code: 'pdu-too-long', reason };
      }
      if (type === A_ASSOCIATE_RQ && this.rqHead === undefined) this.rqHead = [];
      this.bodyLeft = length;
    }
    return { ok: true };
  }
}
