/**
 * Re-frames a dataset between Implicit VR Little Endian and Explicit VR Little Endian (PS3.5 7.1),
 * so a C-GET can send an object to a peer that accepted only the other one. Only the element
 * headers change: every value keeps its bytes, sequences and items are walked and their defined
 * lengths recomputed, undefined lengths stay undefined. Implicit to explicit takes each VR from the
 * data dictionary (dcmjs's); what it does not know (private elements) becomes UN, whose value keeps
 * its implicit encoding (PS3.5 6.2.2), and a value too long for a short-length VR becomes UN too.
 * Throws on anything it cannot follow; the caller then fails that sub-operation.
 */
import { createRequire } from 'node:module';
import { TransferSyntax } from './uids.ts';

const require = createRequire(import.meta.url);
const dictionary = (
  require('dcmjs') as {
    data: { DicomMetaDictionary: { dictionary: Record<string, { vr?: string } | undefined> } };
  }
).data.DicomMetaDictionary.dictionary;

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;
const ITEM = 0xe000;
const ITEM_END = 0xe00d;
const SEQUENCE_END = 0xe0dd;
const DELIMITER_GROUP = 0xfffe;

export function canTranscode(from: string, to: string): boolean {
  const le = [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian] as string[];
  return from !== to && le.includes(from) && le.includes(to);
}

export function transcodeLittleEndian(dataset: Buffer, from: string, to: string): Buffer {
  if (!canTranscode(from, to)) throw new RangeError(`cannot transcode ${from} to ${to}`);
  const walker = new Walker(dataset, from === TransferSyntax.ImplicitVRLittleEndian);
  const out = walker.dataset(dataset.length);
  if (walker.at !== dataset.length) throw new Error('dataset ends inside an element');
  return out;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** The explicit VR of an element read from an implicit dataset. */
function vrOf(group: number, element: number, length: number, pixelRepresentation: number): string {
  if (element === 0x0000) return 'UL'; // group length
  if (group % 2 === 1) return element >= 0x0010 && element <= 0x00ff ? 'LO' : 'UN'; // private creator, private
  const vr = dictionary[`(${hex4(group)},${hex4(element)})`]?.vr;
  if (vr === undefined || vr === 'na') return 'UN';
  if (vr === 'ox' || vr === 'lt') return 'OW'; // PS3.5 A.1: OW in implicit VR little endian
  if (vr === 'xs') return pixelRepresentation === 1 ? 'SS' : 'US';
  if (length === UNDEFINED && vr !== 'SQ') return 'UN';
  return vr;
}

function header(group: number, element: number, vr: string | null, length: number): Buffer {
  if (vr === null || !/^[A-Z]{2}$/.test(vr) || LONG_VRS.has(vr)) {
    const head = Buffer.alloc(vr === null ? 8 : 12);
    head.writeUInt16LE(group, 0);
    head.writeUInt16LE(element, 2);
    if (vr === null) head.writeUInt32LE(length, 4);
    else {
      head.write(vr, 4, 'latin1');
      head.writeUInt32LE(length, 8);
    }
    return head;
  }
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  head.writeUInt16LE(length, 6);
  return head;
}

class Walker {
  at = 0;
  private pixelRepresentation = 0;

  constructor(
    private readonly bytes: Buffer,
    /** Reading implicit (writing explicit), or the other way round. */
    private readonly implicit: boolean,
  ) {}

  private need(n: number): void {
    if (this.at + n > this.bytes.length) throw new Error('dataset truncated');
  }

  /** Elements up to `end`, or up to an item delimiter when `end` is undefined (consumed). */
  dataset(end: number | undefined): Buffer {
    const parts: Buffer[] = [];
    while (end === undefined || this.at < end) {
      this.need(4);
      const group = this.bytes.readUInt16LE(this.at);
      const element = this.bytes.readUInt16LE(this.at + 2);
      if (group === DELIMITER_GROUP && element === ITEM_END && end === undefined) {
        this.at += 8;
        return Buffer.concat(parts);
      }
      parts.push(this.element(group, element));
    }
    return Buffer.concat(parts);
  }

  private element(group: number, element: number): Buffer {
    let vr: string;
    let length: number;
    if (this.implicit) {
      this.need(8);
      length = this.bytes.readUInt32LE(this.at + 4);
      vr = vrOf(group, element, length, this.pixelRepresentation);
      this.at += 8;
    } else {
      this.need(8);
      vr = this.bytes.toString('latin1', this.at + 4, this.at + 6);
      if (!/^[A-Z]{2}$/.test(vr)) throw new Error(`no VR at (${hex4(group)},${hex4(element)})`);
      if (LONG_VRS.has(vr)) {
        this.need(12);
        length = this.bytes.readUInt32LE(this.at + 8);
        this.at += 12;
      } else {
        length = this.bytes.readUInt16LE(this.at + 6);
        this.at += 8;
      }
    }
    const outVr = this.implicit ? vr : null;
    if (vr === 'SQ') return this.sequence(group, element, length, outVr);
    if (length === UNDEFINED) {
      // UN of undefined length: a sequence whose content is implicit VR little endian (PS3.5 6.2.2).
      if (vr !== 'UN') throw new Error(`undefined length for ${vr}`);
      const start = this.at;
      new Walker(this.bytes, true).skipSequence(this, start);
      return Buffer.concat([header(group, element, outVr, UNDEFINED), this.bytes.subarray(start, this.at)]);
    }
    this.need(length);
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    if (group === 0x0028 && element === 0x0103 && length === 2)
      this.pixelRepresentation = value.readUInt16LE(0);
    const fitted = outVr !== null && !LONG_VRS.has(outVr) && length > 0xffff ? 'UN' : outVr;
    return Buffer.concat([header(group, element, fitted, length), value]);
  }

  private sequence(group: number, element: number, length: number, outVr: string | null): Buffer {
    const end = length === UNDEFINED ? undefined : this.at + length;
    if (end !== undefined) this.need(length);
    const items: Buffer[] = [];
    for (;;) {
      if (end !== undefined && this.at >= end) break;
      this.need(8);
      const tagGroup = this.bytes.readUInt16LE(this.at);
      const tagElement = this.bytes.readUInt16LE(this.at + 2);
      const itemLength = this.bytes.readUInt32LE(this.at + 4);
      this.at += 8;
      if (tagGroup === DELIMITER_GROUP && tagElement === SEQUENCE_END) {
        if (end !== undefined) throw new Error('sequence delimiter in a defined-length sequence');
        break;
      }
      if (tagGroup !== DELIMITER_GROUP || tagElement !== ITEM) throw new Error('item expected');
      const saved = this.pixelRepresentation;
      const body = this.dataset(itemLength === UNDEFINED ? undefined : this.at + itemLength);
      this.pixelRepresentation = saved;
      const itemHead = header(
        DELIMITER_GROUP,
        ITEM,
        null,
        itemLength === UNDEFINED ? UNDEFINED : body.length,
      );
      items.push(itemHead, body);
      if (itemLength === UNDEFINED) items.push(header(DELIMITER_GROUP, ITEM_END, null, 0));
    }
    const content = Buffer.concat(items);
    const tail = length === UNDEFINED ? [header(DELIMITER_GROUP, SEQUENCE_END, null, 0)] : [];
    return Buffer.concat([
      header(group, element, outVr === null ? null : 'SQ', length === UNDEFINED ? UNDEFINED : content.length),
      content,
      ...tail,
    ]);
  }

  /** Moves `owner` past an implicit VR sequence of undefined length that starts at `start`. */
  skipSequence(owner: Walker, start: number): void {
    this.at = start;
    for (;;) {
      this.need(8);
      const group = this.bytes.readUInt16LE(this.at);
      const element = this.bytes.readUInt16LE(this.at + 2);
      const length = this.bytes.readUInt32LE(this.at + 4);
      this.at += 8;
      if (group === DELIMITER_GROUP && element === SEQUENCE_END) break;
      if (group !== DELIMITER_GROUP || element !== ITEM) throw new Error('item expected');
      if (length === UNDEFINED) this.dataset(undefined);
      else {
        this.need(length);
        this.at += length;
      }
    }
    owner.at = this.at;
  }
}
