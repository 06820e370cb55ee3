import { describe, expect, it } from 'vitest';
import { MAX_CONTROL_PDU_BYTES, PduGuard } from './pdu-guard.ts';

function pdu(type: number, length: number, body = Buffer.alloc(length)): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(length, 2);
  return Buffer.concat([head, body]);
}

describe('PduGuard', () => {
  it('follows PDUs split anywhere across chunks', () => {
    const stream = Buffer.concat([pdu(0x01, 300), pdu(0x04, 1000), pdu(0x05, 4)]);
    for (const size of [1, 5, 7, 64, stream.length]) {
      const guard = new PduGuard(1000);
      for (let i = 0; i < stream.length; i += size) {
        expect(guard.push(stream.subarray(i, i + size))).toEqual({ ok: true });
      }
    }
  });

  it('refuses a P-DATA-TF over the advertised maximum, even if its header arrives in pieces', () => {
    const guard = new PduGuard(1000);
    const bad = pdu(0x04, 1001, Buffer.alloc(0));
    expect(guard.push(bad.subarray(0, 3))).toEqual({ ok: true });
    expect(guard.push(bad.subarray(3))).toMatchObject({ ok: false });
  });

  it('follows a new limit after negotiation', () => {
    const guard = new PduGuard(1000);
    guard.setMaxPDataLength(5000);
    expect(guard.push(pdu(0x04, 4000))).toEqual({ ok: true });
  });

  it('refuses unknown PDU types and oversized control PDUs', () => {
    expect(new PduGuard(1000).push(Buffer.from('GET / HTTP/1.1'))).toMatchObject({ ok: false });
    expect(new PduGuard(1000).push(pdu(0x01, MAX_CONTROL_PDU_BYTES + 1, Buffer.alloc(0)))).toMatchObject({
      ok: false,
    });
  });
});
