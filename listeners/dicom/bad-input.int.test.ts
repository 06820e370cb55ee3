/**
 * Bad input over real sockets to a real listener: raw PDUs for what no well-behaved client sends,
 * DCMTK for the rest. After each case a normal association (echoscu) must still succeed on the same
 * server, nothing half-received may reach onStore, and each case is reported as one event with its
 * code (which the engine logs and counts: dicom-event-log.ts, engine/metrics/dicom-metrics.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { part10DatasetOffset } from '../../engine/dicom/dimse/part10.ts';
import { TransferSyntax as TS } from '../../engine/dicom/dimse/uids.ts';
import { PduType } from '../../engine/dicom/retrieve/dimse-wire.ts';
import { makeDicomCorpus, type DicomCorpus } from '../../engine/dicom/testing/dicom-corpus.ts';
import { runDcmtk } from '../../test/support/dcmtk.ts';
import { toolAvailable } from '../../test/support/tools.ts';
import { waitFor } from '../../test/support/wait.ts';
import { start, type DicomServer, type DicomServerEvent, type DicomServerOptions } from './dicom-server.ts';
import { StoreAssembler } from './store-assembler.ts';
import { RawPeer, abortFields, rejectFields } from './testing/raw-peer.ts';

const HAVE_DCMTK = ['storescu', 'echoscu'].every((t) => toolAvailable(t, 'apt-get install dcmtk'));
const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const VERIFICATION = '1.2.840.10008.1.1';

function header(type: number, length: number): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(length, 2);
  return head;
}

describe.skipIf(!HAVE_DCMTK)('DICOM listener: bad input', () => {
  let corpus: DicomCorpus;
  let ctFile: string;
  let ctDataset: Buffer;
  let ctInstance: string;
  let server: DicomServer;
  let events: DicomServerEvent[];
  let stored: string[];

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 1, series: 1, instances: 1 });
    const row = corpus.rows.find(
      (r) => r.sopClassUid === CT && r.transferSyntaxUid === TS.ExplicitVRLittleEndian,
    );
    if (!row) throw new Error('corpus without an explicit VR CT image');
    ctFile = path.join(corpus.dir, row.path);
    const file = await readFile(ctFile);
    ctDataset = file.subarray(part10DatasetOffset(file));
    ctInstance = row.sopInstanceUid;
  }, 60_000);

  afterAll(async () => {
    await corpus?.remove();
  });

  async function listen(overrides: Partial<DicomServerOptions> = {}): Promise<void> {
    events = [];
    stored = [];
    server = await start({
      host: '127.0.0.1',
      port: 0,
      allow: [{ aeTitle: 'RAW' }, { aeTitle: 'ECHO' }, { aeTitle: 'MODALITY' }],
      maxPduLength: 16_384,
      onStore: async (_bytes, info) => {
        stored.push(info.sopInstanceUid);
      },
      onEvent: (e) => events.push(e),
      ...overrides,
    });
  }

  afterEach(async () => {
    await server?.close(1000);
  });

  /** The listener still serves: a C-ECHO from DCMTK succeeds. */
  async function stillServes(): Promise<void> {
    const run = await runDcmtk('echoscu', [
      '-aet',
      'ECHO',
      '-aec',
      'SWITCHBOARD',
      '127.0.0.1',
      String(server.port),
    ]);
    expect(run.code, run.output).toBe(0);
  }

  const aborted = (): (string | false)[] =>
    events.map((e) => e.type === 'association-aborted' && e.code).filter((c) => c !== false);

  it('aborts on garbage, an unknown PDU type and lying lengths, and keeps serving', async () => {
    await listen();
    const cases: { bytes: Buffer; code: string; abortReason: number | null; close?: boolean }[] = [
      { bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), code: 'unknown-pdu-type', abortReason: 1 },
      { bytes: Buffer.concat([header(0x09, 4), Buffer.alloc(4)]), code: 'unknown-pdu-type', abortReason: 1 },
      // A P-DATA-TF announcing 4 GiB, far over the 16 KiB we advertise.
      { bytes: header(0x04, 0xffffffff), code: 'pdu-too-long', abortReason: 6 },
      // An A-ASSOCIATE-RQ whose length (8) is too short for its fixed fields: unreadable.
      { bytes: Buffer.concat([header(0x01, 8), Buffer.alloc(8)]), code: 'malformed-pdu', abortReason: 6 },
      // A P-DATA-TF before any association.
      {
        bytes: Buffer.concat([header(0x04, 8), Buffer.from([0, 0, 0, 4, 1, 3, 0, 0])]),
        code: 'unexpected-pdu',
        abortReason: 2,
      },
      // Truncated mid-PDU: an A-ASSOCIATE-RQ announcing 200 bytes, 20 sent, then the connection closed.
      {
        bytes: Buffer.concat([header(0x01, 200), Buffer.alloc(20)]),
        code: 'connection-lost',
        abortReason: null,
        close: true,
      },
    ];
    for (const c of cases) {
      const before = events.length;
      const peer = await RawPeer.connect(server.port);
      peer.write(c.bytes);
      if (c.close) {
        peer.destroy();
      } else {
        const answer = await peer.next();
        expect(answer?.type, c.code).toBe(PduType.Abort);
        expect(abortFields(answer!.body), c.code).toEqual({ source: 2, reason: c.abortReason });
        await peer.waitClosed();
      }
      await waitFor(() => events.length > before, `event for ${c.code}`, 5000);
      await stillServes();
    }
    expect(aborted()).toEqual(cases.map((c) => c.code));
  }, 60_000);

  it('rejects wrong called AE (7), unknown calling AE (3), bad application context (1/2), bad protocol version (2/2)', async () => {
    await listen();
    const contexts = [
      { id: 1, abstractSyntaxUid: VERIFICATION, transferSyntaxUids: [TS.ImplicitVRLittleEndian] },
    ];
    const withVersion0 = (pdu: Buffer): Buffer => {
      const copy = Buffer.from(pdu);
      copy.writeUInt16BE(0x0002, 6); // bit 0 (version 1) clear
      return copy;
    };
    const withOtherContext = (pdu: Buffer): Buffer => {
      const copy = Buffer.from(pdu);
      const at = copy.indexOf('1.2.840.10008.3.1.1.1');
      copy.write('1.2.840.10008.3.1.1.9', at, 'latin1');
      return copy;
    };
    const cases = [
      {
        options: { calledAe: 'NOT_US' },
        expected: { result: 1, source: 1, reason: 7 },
        reason: 'called-ae-not-recognized',
      },
      {
        options: { callingAe: 'STRANGER' },
        expected: { result: 1, source: 1, reason: 3 },
        reason: 'calling-ae-not-recognized',
      },
      {
        options: { alter: withOtherContext },
        expected: { result: 1, source: 1, reason: 2 },
        reason: 'application-context-not-supported',
      },
      {
        options: { alter: withVersion0 },
        expected: { result: 1, source: 2, reason: 2 },
        reason: 'protocol-version-not-supported',
      },
    ];
    for (const c of cases) {
      const peer = await RawPeer.connect(server.port);
      const answer = await peer.associate(contexts, c.options);
      expect(answer?.type, c.reason).toBe(PduType.AssociateRj);
      expect(rejectFields(answer!.body), c.reason).toEqual(c.expected);
      await peer.waitClosed();
      await stillServes();
    }
    expect(events.flatMap((e) => (e.type === 'association-rejected' ? [e.reason] : []))).toEqual(
      cases.map((c) => c.reason),
    );
    expect(aborted()).toEqual([]);
  }, 60_000);

  it('refuses unsupported abstract (3) and transfer (4) syntaxes per context, accepting the others', async () => {
    await listen();
    const peer = await RawPeer.connect(server.port);
    const ac = await peer.associateOk([
      { id: 1, abstractSyntaxUid: VERIFICATION, transferSyntaxUids: [TS.ImplicitVRLittleEndian] },
      { id: 3, abstractSyntaxUid: CT, transferSyntaxUids: [TS.ExplicitVRLittleEndian] },
      // Storage Commitment Push Model: not served.
      { id: 5, abstractSyntaxUid: '1.2.840.10008.1.20.1', transferSyntaxUids: [TS.ImplicitVRLittleEndian] },
      // MPEG-2: not a transfer syntax we take.
      { id: 7, abstractSyntaxUid: MR, transferSyntaxUids: ['1.2.840.10008.1.2.4.100'] },
    ]);
    expect(ac.contexts.map((c) => [c.id, c.result])).toEqual([
      [1, 0],
      [3, 0],
      [5, 3],
      [7, 4],
    ]);
    peer.destroy();
    await waitFor(() => events.some((e) => e.type === 'association-aborted'), 'lost connection event', 5000);
    const accepted = events.find((e) => e.type === 'association-accepted');
    expect(accepted?.type === 'association-accepted' && accepted.rejectedContexts).toEqual({
      abstractSyntax: ['1.2.840.10008.1.20.1'],
      transferSyntax: [MR],
    });
    await stillServes();
  }, 30_000);

  it('answers 0x0122 for a SOP class other than the context, 0xA900 for a dataset of another class, stores neither', async () => {
    await listen();
    const peer = await RawPeer.connect(server.port);
    await peer.associateOk([
      { id: 1, abstractSyntaxUid: CT, transferSyntaxUids: [TS.ExplicitVRLittleEndian] },
    ]);
    // MR in the command, on the CT context.
    for (const pdu of RawPeer.storePdus(1, { sopClassUid: MR, sopInstanceUid: ctInstance }, ctDataset))
      peer.write(pdu);
    expect(await peer.responseStatus()).toBe(0x0122);
    // A CT context and command, but the dataset says MR: the same bytes with (0008,0016) rewritten.
    const mrDataset = Buffer.from(ctDataset);
    const at = mrDataset.indexOf(Buffer.from(CT + '\0', 'latin1'));
    expect(at).toBeGreaterThan(0);
    mrDataset.write(MR + '\0', at, 'latin1'); // the same value length: 25 characters and a NUL pad
    for (const pdu of RawPeer.storePdus(
      1,
      { sopClassUid: CT, sopInstanceUid: ctInstance, messageId: 2 },
      mrDataset,
    )) {
      peer.write(pdu);
    }
    expect(await peer.responseStatus()).toBe(0xa900);
    expect(stored).toEqual([]);
    // The association still works: the real object is stored.
    for (const pdu of RawPeer.storePdus(
      1,
      { sopClassUid: CT, sopInstanceUid: ctInstance, messageId: 3 },
      ctDataset,
    )) {
      peer.write(pdu);
    }
    expect(await peer.responseStatus()).toBe(0x0000);
    expect(stored).toEqual([ctInstance]);
    peer.destroy();
    expect(events.flatMap((e) => (e.type === 'store-failed' ? [e.status] : []))).toEqual([0x0122, 0xa900]);
    await stillServes();
  }, 30_000);

  it('answers 0xA700 for a dataset over maxObjectBytes, stores nothing, and stops buffering it', async () => {
    await listen({ maxObjectBytes: 1000 });
    expect(ctDataset.length).toBeGreaterThan(1000);
    const run = await runDcmtk('storescu', [
      '-v',
      '-aet',
      'MODALITY',
      '-aec',
      'SWITCHBOARD',
      '127.0.0.1',
      String(server.port),
      ctFile,
    ]);
    expect(run.output).toMatch(/Received Store Response \(Refused: OutOfResources\)/);
    expect(stored).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'store-failed', status: 0xa700 }));
    // What the assembler holds once over the limit: nothing.
    const assembler = new StoreAssembler(Buffer.alloc(200), 1000, 0);
    assembler.append(Buffer.alloc(600));
    assembler.append(Buffer.alloc(600));
    assembler.append(Buffer.alloc(600));
    expect(assembler.overflowed).toBe(true);
    expect(assembler.received).toBe(1800);
    expect(assembler.part10().length).toBe(0);
    await stillServes();
  }, 30_000);

  it('drops a dataset cut off by a closed connection or by a release before its last fragment', async () => {
    await listen();
    const pdus = RawPeer.storePdus(1, { sopClassUid: CT, sopInstanceUid: ctInstance }, ctDataset, 1024);
    expect(pdus.length).toBeGreaterThan(2);
    const contexts = [{ id: 1, abstractSyntaxUid: CT, transferSyntaxUids: [TS.ExplicitVRLittleEndian] }];

    const cut = await RawPeer.connect(server.port);
    await cut.associateOk(contexts);
    for (const pdu of pdus.slice(0, -1)) cut.write(pdu); // command and all but the last fragment
    cut.destroy();
    await waitFor(() => aborted().length === 1, 'connection-lost event', 5000);

    const released = await RawPeer.connect(server.port);
    await released.associateOk(contexts);
    for (const pdu of pdus.slice(0, -1)) released.write(pdu);
    released.write(Buffer.concat([header(0x05, 4), Buffer.alloc(4)])); // A-RELEASE-RQ
    const answer = await released.next();
    expect(answer?.type).toBe(PduType.Abort);
    expect(abortFields(answer!.body)).toEqual({ source: 2, reason: 2 });
    await released.waitClosed();

    expect(stored).toEqual([]);
    const ends = events.flatMap((e) =>
      e.type === 'association-aborted' ? [[e.code, e.accepted, e.incompleteStore]] : [],
    );
    expect(ends).toEqual([
      ['connection-lost', true, true],
      ['unexpected-pdu', true, true],
    ]);
    await stillServes();
  }, 30_000);
});
