import { describe, expect, it } from 'vitest';
import { cStoreRqCommand, pDataPdus, readPdvs } from '../../engine/dicom/retrieve/dimse-wire.ts';
import { PDataRouter, readCommandFields, type StoreCommand } from './pdata-router.ts';
import { StoreAssembler } from './store-assembler.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const INSTANCE = '1.2.3.4.5.6';

/** An implicit VR little endian command set of US elements (and an affected SOP class). */
function command(fields: Record<number, number>): Buffer {
  const parts = [Buffer.from([0, 0, 2, 0, 18, 0, 0, 0]), Buffer.from('1.2.840.10008.1.1\0', 'latin1')];
  for (const [element, value] of Object.entries(fields)) {
    const e = Buffer.alloc(10);
    e.writeUInt16LE(0, 0);
    e.writeUInt16LE(Number(element), 2);
    e.writeUInt32LE(2, 4);
    e.writeUInt16LE(value, 8);
    parts.push(e);
  }
  return Buffer.concat(parts);
}
const echoRq = (messageId: number): Buffer => command({ 0x0100: 0x0030, 0x0110: messageId, 0x0800: 0x0101 });
const findRq = (messageId: number): Buffer => command({ 0x0100: 0x0020, 0x0110: messageId, 0x0800: 0 });
const releaseRq = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

function pdataBody(pdu: Buffer): Buffer {
  return pdu.subarray(6);
}

/** A router with recording hooks; `accepted` can be flipped. */
function harness(options: { accepted?: boolean; maxBytes?: number } = {}) {
  const forwarded: Buffer[] = [];
  const stores: { command: StoreCommand; dataset: Buffer }[] = [];
  const failures: string[] = [];
  let accepted = options.accepted ?? true;
  let taken = 0;
  const router = new PDataRouter({
    forward: (bytes) => forwarded.push(Buffer.from(bytes)),
    accepted: () => accepted,
    storeStarted: (c) =>
      c.contextId === 9
        ? { abort: 'unknown context' }
        : new StoreAssembler(Buffer.from('HDR'), options.maxBytes ?? 1e9, 0),
    storeReceived: (c, dataset) => stores.push({ command: c, dataset: Buffer.from(dataset.part10()) }),
    fail: (code, message) => failures.push(`${code}: ${message}`),
    pduTaken: () => taken++,
  });
  return {
    router,
    forwarded: () => Buffer.concat(forwarded),
    stores,
    failures,
    taken: () => taken,
    accept: () => (accepted = true),
  };
}

/** Feeds bytes in chunks of the given sizes, cycling. */
function feed(router: PDataRouter, bytes: Buffer, sizes: readonly number[]): void {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    router.push(bytes.subarray(at, at + size));
    at += size;
  }
}

const dataset = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256));
const storePdus = (contextId: number, messageId: number, bytes = dataset): Buffer[] =>
  pDataPdus(
    contextId,
    cStoreRqCommand({ messageId, sopClassUid: CT, sopInstanceUid: INSTANCE }),
    bytes,
    4096,
  );

describe('PDataRouter', () => {
  it('takes a C-STORE whatever the socket chunking, and forwards nothing of it', () => {
    for (const sizes of [[1], [5, 7, 3], [4096], [65_536], [10, 9000, 1]]) {
      const h = harness();
      feed(h.router, Buffer.concat(storePdus(3, 17)), sizes);
      expect(h.failures).toEqual([]);
      expect(h.forwarded().length).toBe(0);
      expect(h.stores).toHaveLength(1);
      expect(h.stores[0]!.command).toEqual({
        contextId: 3,
        messageId: 17,
        sopClassUid: CT,
        sopInstanceUid: INSTANCE,
      });
      expect(h.stores[0]!.dataset.equals(Buffer.concat([Buffer.from('HDR'), dataset]))).toBe(true);
      expect(h.taken()).toBe(storePdus(3, 17).length);
    }
  });

  it('forwards other messages and other PDUs byte for byte, also when split', () => {
    const h = harness();
    const echo = pDataPdus(1, echoRq(5), Buffer.alloc(0), 4096).slice(0, 1);
    const find = pDataPdus(1, findRq(6), Buffer.from('query-dataset!'), 4096);
    const stream = Buffer.concat([...echo, ...find, releaseRq]);
    feed(h.router, stream, [3, 11]);
    expect(h.forwarded().equals(stream)).toBe(true);
    expect(h.stores).toEqual([]);
  });

  it('passes P-DATA on before the association is accepted', () => {
    const h = harness({ accepted: false });
    const pdus = Buffer.concat(storePdus(3, 1));
    h.router.push(pdus);
    expect(h.forwarded().equals(pdus)).toBe(true);
    expect(h.stores).toEqual([]);
  });

  it('splits a PDU holding the end of a C-STORE and the start of another message', () => {
    const h = harness();
    const store = storePdus(3, 1, Buffer.from('small dataset'));
    expect(store).toHaveLength(2);
    const echo = pDataPdus(1, echoRq(2), Buffer.alloc(0), 4096)[0]!;
    // One PDU: the dataset's last fragment, then the C-ECHO command.
    const items = Buffer.concat([pdataBody(store[1]!), pdataBody(echo)]);
    const merged = Buffer.concat([Buffer.from([4, 0]), Buffer.alloc(4), items]);
    merged.writeUInt32BE(items.length, 2);
    h.router.push(Buffer.concat([store[0]!, merged]));
    expect(h.stores.map((s) => s.dataset.toString())).toEqual(['HDRsmall dataset']);
    expect(h.forwarded().equals(echo)).toBe(true);
  });

  it('keeps following messages after a forwarded one with a dataset', () => {
    const h = harness();
    const find = pDataPdus(1, findRq(6), Buffer.alloc(9000, 1), 4096);
    h.router.push(Buffer.concat([...find, ...storePdus(3, 7)]));
    expect(h.forwarded().equals(Buffer.concat(find))).toBe(true);
    expect(h.stores.map((s) => s.command.messageId)).toEqual([7]);
  });

  it('aborts on PDV items that do not fit, commands inside a dataset, or an unknown context', () => {
    const lying = harness();
    const bad = Buffer.from([4, 0, 0, 0, 0, 8, 0, 0, 0, 50, 1, 3, 0, 0]);
    lying.router.push(bad);
    expect(lying.failures).toEqual(['malformed-pdu: P-DATA-TF item of 50 bytes does not fit its PDU']);

    const mixed = harness();
    const [storeCommand, firstFragment] = storePdus(3, 1);
    mixed.router.push(
      Buffer.concat([storeCommand!, firstFragment!, pDataPdus(3, echoRq(2), Buffer.alloc(0), 4096)[0]!]),
    );
    expect(mixed.failures).toEqual(['unexpected-pdu: a command fragment during a C-STORE dataset']);
    expect(mixed.stores).toEqual([]);

    const unknown = harness();
    unknown.router.push(storePdus(9, 1)[0]!);
    expect(unknown.failures).toEqual(['unexpected-pdu: unknown context']);
  });

  it('stops reading once it failed', () => {
    const h = harness();
    h.router.push(Buffer.from([4, 0, 0, 0, 0, 8, 0, 0, 0, 50, 1, 3, 0, 0]));
    h.router.push(Buffer.concat(storePdus(3, 1)));
    expect(h.failures).toHaveLength(1);
    expect(h.stores).toEqual([]);
    expect(h.forwarded().length).toBe(0);
  });
});

describe('readCommandFields', () => {
  it('reads a C-STORE-RQ as DCMTK-style writers send it, and refuses a cut one', () => {
    const bytes = cStoreRqCommand({ messageId: 300, sopClassUid: CT, sopInstanceUid: INSTANCE });
    expect(readCommandFields(bytes)).toEqual({
      commandField: 1,
      messageId: 300,
      sopClassUid: CT,
      sopInstanceUid: INSTANCE,
      hasDataset: true,
    });
    expect(readCommandFields(bytes.subarray(0, bytes.length - 3))).toBeUndefined();
    expect(readCommandFields(echoRq(1))?.hasDataset).toBe(false);
    expect(readPdvs(pdataBody(storePdus(1, 1)[0]!))[0]?.command).toBe(true);
  });
});
