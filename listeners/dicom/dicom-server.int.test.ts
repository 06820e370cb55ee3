/**
 * Interop: the DIMSE listener driven by DCMTK (echoscu, storescu), which nobody here wrote, plus raw
 * sockets for what no well-behaved client sends. onStore is in memory; object store and index come
 * from elsewhere.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { part10DatasetOffset } from '../../engine/dicom/dimse/part10.ts';
import { repoRoot } from '../../engine/hl7/testing/corpus.ts';
import { toolAvailable } from '../../test/support/tools.ts';
import {
  start,
  type DicomServer,
  type DicomServerEvent,
  type DicomServerOptions,
  type StoredObjectInfo,
} from './dicom-server.ts';
import { runDcmtk, type ToolRun } from '../../test/support/dcmtk.ts';

const HAVE_DCMTK =
  toolAvailable('storescu', 'apt-get install dcmtk') && toolAvailable('echoscu', 'apt-get install dcmtk');
const execFileAsync = promisify(execFile);
const dcmtk = (tool: string, args: string[]): Promise<ToolRun> => runDcmtk(tool, args, 30_000);

interface ManifestRow {
  file: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
}

async function readCorpusManifest(dir: string): Promise<ManifestRow[]> {
  const [header = '', ...lines] = (await readFile(path.join(dir, 'manifest.tsv'), 'utf8')).trim().split('\n');
  const cols = header.split('\t');
  const col = (row: string[], name: string): string => row[cols.indexOf(name)] ?? '';
  return lines.map((line) => {
    const row = line.split('\t');
    return {
      file: path.join(dir, col(row, 'path')),
      sopClassUid: col(row, 'sop_class_uid'),
      sopInstanceUid: col(row, 'sop_instance_uid'),
      transferSyntaxUid: col(row, 'transfer_syntax_uid'),
    };
  });
}

interface Received {
  bytes: Buffer;
  info: StoredObjectInfo;
}

describe.skipIf(!HAVE_DCMTK)('DICOM listener with DCMTK', () => {
  let work: string;
  let corpus: string;
  let manifest: ManifestRow[];
  const servers: DicomServer[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'dimse-listener-'));
    corpus = path.join(work, 'corpus');
    const script = path.resolve(repoRoot, '../shared/tools/make-dicom-corpus.sh');
    await execFileAsync('bash', [
      script,
      '-e',
      '-S',
      'dimse',
      '-s',
      '2',
      '-i',
      '2',
      '-r',
      '16',
      '-c',
      '16',
      corpus,
      '2',
    ]);
    manifest = await readCorpusManifest(corpus);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close(1000)));
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function listen(
    overrides: Partial<DicomServerOptions> = {},
  ): Promise<{ server: DicomServer; received: Map<string, Received>; events: DicomServerEvent[] }> {
    const received = new Map<string, Received>();
    const events: DicomServerEvent[] = [];
    const server = await start({
      host: '127.0.0.1',
      port: 0,
      allow: 'any',
      onStore: async (bytes, info) => {
        received.set(info.sopInstanceUid, { bytes, info });
      },
      onEvent: (e) => events.push(e),
      ...overrides,
    });
    servers.push(server);
    return { server, received, events };
  }

  const echo = (port: number, callingAe: string, calledAe = 'SWITCHBOARD'): Promise<ToolRun> =>
    dcmtk('echoscu', ['-v', '-aet', callingAe, '-aec', calledAe, '127.0.0.1', String(port)]);

  const storeCorpus = (port: number, dir: string): Promise<ToolRun> =>
    dcmtk('storescu', [
      '-v',
      '-aet',
      'MODALITY',
      '-aec',
      'SWITCHBOARD',
      '+sd',
      '+r',
      '+sp',
      '*.dcm',
      '127.0.0.1',
      String(port),
      dir,
    ]);

  it('answers C-ECHO', async () => {
    const { server, events } = await listen();
    const run = await echo(server.port, 'X');
    expect(run.output).toContain('Received Echo Response (Success)');
    expect(run.code).toBe(0);
    expect(events).toContainEqual({
      type: 'association-accepted',
      callingAe: 'X',
      remoteAddress: '127.0.0.1',
      rejectedContexts: { abstractSyntax: [], transferSyntax: [] },
    });
    expect(events).toContainEqual({
      type: 'operation-completed',
      operation: 'C-ECHO',
      status: 0,
      callingAe: 'X',
    });
  });

  it('rejects a wrong called AE title', async () => {
    const { server, events } = await listen();
    const run = await echo(server.port, 'X', 'OTHER');
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/Called AE Title Not Recognized/i);
    expect(events.map((e) => e.type === 'association-rejected' && e.reason)).toContain(
      'called-ae-not-recognized',
    );
  });

  it('accepts only allow-listed calling AE titles, from their host', async () => {
    const { server } = await listen({
      allow: [
        { aeTitle: 'MODALITY', host: '127.0.0.1' },
        { aeTitle: 'ELSEWHERE', host: '10.255.255.1' },
      ],
    });
    const allowed = await echo(server.port, 'MODALITY');
    expect(allowed.output).toContain('Received Echo Response (Success)');
    for (const callingAe of ['INTRUDER', 'ELSEWHERE']) {
      const run = await echo(server.port, callingAe);
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/Calling AE Title Not Recognized/i);
    }
  });

  it('stores every corpus file as received, with a valid Part-10 meta group', async () => {
    const { server, received } = await listen();
    const run = await storeCorpus(server.port, corpus);
    expect(run.code, run.output).toBe(0);
    expect(received.size).toBe(manifest.length);
    expect(manifest.some((m) => m.transferSyntaxUid === '1.2.840.10008.1.2')).toBe(true);
    for (const row of manifest) {
      const got = received.get(row.sopInstanceUid);
      expect(got, row.file).toBeDefined();
      if (!got) continue;
      expect(got.info).toEqual({
        callingAe: 'MODALITY',
        remoteAddress: '127.0.0.1',
        sopClassUid: row.sopClassUid,
        sopInstanceUid: row.sopInstanceUid,
        transferSyntaxUid: row.transferSyntaxUid,
      });
      const sent = await readFile(row.file);
      const sentDataset = sent.subarray(part10DatasetOffset(sent));
      const storedDataset = got.bytes.subarray(part10DatasetOffset(got.bytes));
      expect(storedDataset.equals(sentDataset), row.file).toBe(true);
    }
    // DCMTK reads our files back: meta group naming the SOP instance and transfer syntax, then the dataset.
    const explicit = manifest.find((m) => m.transferSyntaxUid === '1.2.840.10008.1.2.1');
    const implicit = manifest.find((m) => m.transferSyntaxUid === '1.2.840.10008.1.2');
    for (const row of [explicit, implicit]) {
      const got = row && received.get(row.sopInstanceUid);
      if (!row || !got) throw new Error('corpus lacks an explicit or implicit VR file');
      const storedFile = path.join(work, `${row.sopInstanceUid}.dcm`);
      await writeFile(storedFile, got.bytes);
      const dump = await dcmtk('dcmdump', [
        '-Un',
        '+P',
        '0002,0003',
        '+P',
        '0002,0010',
        '+P',
        '0008,0018',
        storedFile,
      ]);
      expect(dump.code, dump.output).toBe(0);
      expect(dump.output).toContain(`(0002,0010) UI [${row.transferSyntaxUid}]`);
      expect(dump.output).toContain(`(0002,0003) UI [${row.sopInstanceUid}]`);
      expect(dump.output).toContain(`(0008,0018) UI [${row.sopInstanceUid}]`);
    }
  });

  it('answers a failure status, never success, when onStore fails', async () => {
    let calls = 0;
    const { server, events } = await listen({
      onStore: async () => {
        calls++;
        throw new Error('disk full');
      },
    });
    const one = manifest[0];
    if (!one) throw new Error('empty corpus');
    const run = await dcmtk('storescu', [
      '-v',
      '-aet',
      'MODALITY',
      '-aec',
      'SWITCHBOARD',
      '127.0.0.1',
      String(server.port),
      one.file,
    ]);
    expect(calls).toBe(1);
    expect(run.output).toMatch(/Received Store Response \(Refused: OutOfResources\)/);
    expect(run.output).not.toMatch(/Received Store Response \(Success\)/);
    expect(events.some((e) => e.type === 'store-failed' && e.status === 0xa700)).toBe(true);
  });

  it('survives garbage and oversized PDUs, and keeps serving', async () => {
    const { server, events } = await listen();
    const garbage = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0x04, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00]), // P-DATA-TF announcing 4 GiB
      Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]), // truncated A-ASSOCIATE-RQ
    ];
    for (const bytes of garbage) {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.write(bytes));
        socket.resume(); // read the A-ABORT, as a DICOM peer would
        const timer = setTimeout(() => {
          socket.destroy();
          resolve(false);
        }, 5000);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      expect(closed, bytes.toString('hex')).toBe(true);
    }
    expect(
      events
        .filter((e) => e.type === 'association-aborted')
        .map((e) => e.type === 'association-aborted' && e.code),
    ).toEqual(['unknown-pdu-type', 'pdu-too-long', 'malformed-pdu']);
    const run = await echo(server.port, 'AFTER');
    expect(run.output).toContain('Received Echo Response (Success)');
  });
});
