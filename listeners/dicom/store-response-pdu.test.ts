/** The C-STORE-RSP PDU we write ourselves, read back element by element (PS3.7 E.1, PS3.8 9.3.5). */
import { describe, expect, it } from 'vitest';
import { storeResponsePdu } from './store-response-pdu.ts';

function readCommand(pdu: Buffer): { contextId: number; control: number; elements: Map<number, Buffer> } {
  expect(pdu[0]).toBe(0x04);
  expect(pdu.readUInt32BE(2)).toBe(pdu.length - 6);
  const itemLength = pdu.readUInt32BE(6);
  expect(itemLength).toBe(pdu.length - 10);
  const command = pdu.subarray(12);
  const elements = new Map<number, Buffer>();
  for (let at = 0; at < command.length;) {
    expect(command.readUInt16LE(at)).toBe(0x0000);
    const tag = command.readUInt16LE(at + 2);
    const length = command.readUInt32LE(at + 4);
    expect(length % 2).toBe(0);
    elements.set(tag, command.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  expect(elements.get(0x0000)!.readUInt32LE(0)).toBe(command.length - 12);
  return { contextId: pdu[10]!, control: pdu[11]!, elements };
}

describe('storeResponsePdu', () => {
  it('carries the fields of a C-STORE-RSP, in tag order, UIDs padded with NUL', () => {
    const pdu = storeResponsePdu({
      presentationContextId: 7,
      messageIdBeingRespondedTo: 513,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.2.3.44',
      status: 0,
    });
    const { contextId, control, elements } = readCommand(pdu);
    expect(contextId).toBe(7);
    expect(control).toBe(0x03);
    expect([...elements.keys()]).toEqual([0x0000, 0x0002, 0x0100, 0x0120, 0x0800, 0x0900, 0x1000]);
    expect(elements.get(0x0002)!.toString('latin1')).toBe('1.2.840.10008.5.1.4.1.1.7\0');
    expect(elements.get(0x0100)!.readUInt16LE(0)).toBe(0x8001);
    expect(elements.get(0x0120)!.readUInt16LE(0)).toBe(513);
    expect(elements.get(0x0800)!.readUInt16LE(0)).toBe(0x0101);
    expect(elements.get(0x0900)!.readUInt16LE(0)).toBe(0);
    expect(elements.get(0x1000)!.toString('latin1')).toBe('1.2.3.44');
  });

  it('adds an Error Comment, space padded and cut to 64 characters, with a failure status', () => {
    const { elements } = readCommand(
      storeResponsePdu({
        presentationContextId: 1,
        messageIdBeingRespondedTo: 1,
        sopClassUid: '1.2',
        sopInstanceUid: '1.2.3',
        status: 0xa900,
        errorComment: 'x'.repeat(70),
      }),
    );
    expect(elements.get(0x0900)!.readUInt16LE(0)).toBe(0xa900);
    expect(elements.get(0x0902)!.toString('latin1')).toBe('x'.repeat(64));
    const odd = readCommand(
      storeResponsePdu({
        presentationContextId: 1,
        messageIdBeingRespondedTo: 1,
        sopClassUid: '1.2',
        sopInstanceUid: '1.2.3',
        status: 0xa700,
        errorComment: 'Storage failed',
      }),
    );
    expect(odd.elements.get(0x0902)!.toString('latin1')).toBe('Storage failed');
    expect(odd.elements.get(0x1000)!.toString('latin1')).toBe('1.2.3\0');
  });
});
