/**
 * The few DICOM Upper Layer PDUs and DIMSE command sets our C-STORE sub-operations need, written and
 * read byte by byte (PS3.8 9.3, PS3.7 9.3.1 and annex E). We do this ourselves rather than through
 * dcmjs-dimse because dcmjs-dimse re-encodes every dataset it sends (through dcmjs), and a retrieved
 * object must leave exactly as it was stored: the dataset bytes travel here untouched.
 */
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dimse/part10.ts';

export const PduType = {
  AssociateRq: 0x01,
  AssociateAc: 0x02,
  AssociateRj: 0x03,
  PData: 0x04,
  ReleaseRq: 0x05,
  ReleaseRp: 0x06,
  Abort: 0x07,
} as const;

export const CommandField = { CStoreRq: 0x0001, CStoreRsp: 0x8001 } as const;

const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

function evenUid(uid: string): Buffer {
  const bytes = Buffer.from(uid, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([0])]);
}

function item(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt8(type, 0);
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function pdu(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function aeField(ae: string): Buffer {
  return Buffer.from(ae.padEnd(16, ' ').slice(0, 16), 'latin1');
}

export interface ProposedContext {
  /** Odd, 1..255. */
  readonly id: number;
  readonly abstractSyntaxUid: string;
  readonly transferSyntaxUids: readonly string[];
}

export function associateRq(
  callingAe: string,
  calledAe: string,
  contexts: readonly ProposedContext[],
  maxPduLength: number,
): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0);
  aeField(calledAe).copy(fixed, 4);
  aeField(callingAe).copy(fixed, 20);
  const items = [item(0x10, Buffer.from(APPLICATION_CONTEXT, 'latin1'))];
  for (const c of contexts) {
    const head = Buffer.from([c.id, 0, 0, 0]);
    const subs = [item(0x30, Buffer.from(c.abstractSyntaxUid, 'latin1'))];
    for (const ts of c.transferSyntaxUids) subs.push(item(0x40, Buffer.from(ts, 'latin1')));
    items.push(item(0x20, Buffer.concat([head, ...subs])));
  }
  const max = Buffer.alloc(4);
  max.writeUInt32BE(maxPduLength, 0);
  items.push(
    item(
      0x50,
      Buffer.concat([
        item(0x51, max),
        item(0x52, Buffer.from(IMPLEMENTATION_CLASS_UID, 'latin1')),
        item(0x55, Buffer.from(IMPLEMENTATION_VERSION_NAME, 'latin1')),
      ]),
    ),
  );
  return pdu(PduType.AssociateRq, Buffer.concat([fixed, ...items]));
}

export interface AcceptedContext {
  readonly id: number;
  /** 0 = acceptance (PS3.8 table 9-18). */
  readonly result: number;
  readonly transferSyntaxUid: string;
}

export interface AssociateAc {
  readonly contexts: readonly AcceptedContext[];
  /** The peer's maximum P-DATA-TF length; 0 = unlimited. */
  readonly maxPduLength: number;
}

/** Reads the body of an A-ASSOCIATE-AC (after the 6-byte PDU header). */
export function readAssociateAc(body: Buffer): AssociateAc {
  const contexts: AcceptedContext[] = [];
  let maxPduLength = 0;
  let at = 68;
  while (at + 4 <= body.length) {
    const type = body.readUInt8(at);
    const length = body.readUInt16BE(at + 2);
    const value = body.subarray(at + 4, at + 4 + length);
    if (type === 0x21) {
      const ts =
        value.length >= 8 && value.readUInt8(4) === 0x40
          ? value.subarray(8, 8 + value.readUInt16BE(6))
          : null;
      contexts.push({
        id: value.readUInt8(0),
        result: value.readUInt8(2),
        transferSyntaxUid: ts === null ? '' : ts.toString('latin1').replace(/\0+$/, ''),
      });
    } else if (type === 0x50) {
      for (let sub = 0; sub + 4 <= value.length;) {
        const subLength = value.readUInt16BE(sub + 2);
        if (value.readUInt8(sub) === 0x51 && subLength === 4) maxPduLength = value.readUInt32BE(sub + 4);
        sub += 4 + subLength;
      }
    }
    at += 4 + length;
  }
  return { contexts, maxPduLength };
}

export const releaseRq = (): Buffer => pdu(PduType.ReleaseRq, Buffer.alloc(4));
export const releaseRp = (): Buffer => pdu(PduType.ReleaseRp, Buffer.alloc(4));
/** A-ABORT from the service user. */
export const abortPdu = (): Buffer => pdu(PduType.Abort, Buffer.alloc(4));

/** One element of a command set: implicit VR little endian, as every command set is. */
function element(tag: number, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(0x0000, 0);
  header.writeUInt16LE(tag, 2);
  header.writeUInt32LE(value.length, 4);
  return Buffer.concat([header, value]);
}

function us(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0);
  return b;
}

function ae(value: string): Buffer {
  const b = Buffer.from(value, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from(' ')]);
}

export interface StoreCommand {
  readonly messageId: number;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Set on C-STORE sub-operations of a C-MOVE. */
  readonly moveOriginator?: { readonly aeTitle: string; readonly messageId: number };
}

export function cStoreRqCommand(c: StoreCommand): Buffer {
  const elements = [
    element(0x0002, evenUid(c.sopClassUid)),
    element(0x0100, us(CommandField.CStoreRq)),
    element(0x0110, us(c.messageId)),
    element(0x0700, us(0)),
    element(0x0800, us(0x0000)),
    element(0x1000, evenUid(c.sopInstanceUid)),
  ];
  if (c.moveOriginator !== undefined) {
    elements.push(element(0x1030, ae(c.moveOriginator.aeTitle)));
    elements.push(element(0x1031, us(c.moveOriginator.messageId)));
  }
  const body = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([element(0x0000, length), body]);
}

/**
 * P-DATA-TF PDUs carrying one command set and its dataset on a presentation context, each PDU at
 * most `maxPduLength` long (the peer's limit; 0 = none, then 64 KiB fragments).
 */
export function pDataPdus(
  contextId: number,
  command: Buffer,
  dataset: Buffer,
  maxPduLength: number,
): Buffer[] {
  const limit = maxPduLength === 0 ? 65_536 : maxPduLength;
  const room = Math.max(1, limit - 6);
  const pdus: Buffer[] = [];
  const fragments = (bytes: Buffer, isCommand: boolean): void => {
    for (let at = 0; at < bytes.length || (at === 0 && bytes.length === 0);) {
      const chunk = bytes.subarray(at, at + room);
      at += Math.max(chunk.length, 1);
      const last = at >= bytes.length;
      const header = Buffer.alloc(6);
      header.writeUInt32BE(chunk.length + 2, 0);
      header.writeUInt8(contextId, 4);
      header.writeUInt8((isCommand ? 0x01 : 0x00) | (last ? 0x02 : 0x00), 5);
      pdus.push(pdu(PduType.PData, Buffer.concat([header, chunk])));
    }
  };
  fragments(command, true);
  fragments(dataset, false);
  return pdus;
}

/** Reads the US/UL/UI elements of an implicit little endian command set we care about. */
export function readCommand(bytes: Buffer): { commandField: number; respondedTo: number; status: number } {
  let commandField = -1;
  let respondedTo = -1;
  let status = -1;
  for (let at = 0; at + 8 <= bytes.length;) {
    const tag = bytes.readUInt16LE(at + 2);
    const length = bytes.readUInt32LE(at + 4);
    const value = bytes.subarray(at + 8, at + 8 + length);
    if (length === 2 && tag === 0x0100) commandField = value.readUInt16LE(0);
    if (length === 2 && tag === 0x0120) respondedTo = value.readUInt16LE(0);
    if (length === 2 && tag === 0x0900) status = value.readUInt16LE(0);
    at += 8 + length;
  }
  return { commandField, respondedTo, status };
}

/**
 * Splits a byte stream into whole PDUs: push bytes in, get complete PDUs out (type and body).
 * Refuses a PDU longer than `maxLength` (the length we advertised, plus headroom for non-data PDUs).
 */
export class PduReader {
  private buffered: Buffer = Buffer.alloc(0);
  constructor(private readonly maxLength: number) {}

  push(chunk: Buffer): { type: number; body: Buffer }[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: { type: number; body: Buffer }[] = [];
    while (this.buffered.length >= 6) {
      const length = this.buffered.readUInt32BE(2);
      if (length > this.maxLength) throw new Error(`PDU of ${length} bytes over ${this.maxLength}`);
      if (this.buffered.length < 6 + length) break;
      out.push({ type: this.buffered.readUInt8(0), body: this.buffered.subarray(6, 6 + length) });
      this.buffered = this.buffered.subarray(6 + length);
    }
    return out;
  }
}

/** The PDVs of a P-DATA-TF body: context id, command or dataset, last fragment or not. */
export function readPdvs(
  body: Buffer,
): { contextId: number; command: boolean; last: boolean; value: Buffer }[] {
  const pdvs = [];
  for (let at = 0; at + 6 <= body.length;) {
    const length = body.readUInt32BE(at);
    const header = body.readUInt8(at + 5);
    pdvs.push({
      contextId: body.readUInt8(at + 4),
      command: (header & 0x01) !== 0,
      last: (header & 0x02) !== 0,
      value: body.subarray(at + 6, at + 4 + length),
    });
    at += 4 + length;
  }
  return pdvs;
}
