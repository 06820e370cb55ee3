/**
 * C-MOVE and C-GET when sub-operations fail, and C-GET across the two little endian syntaxes, out of
 * a real engine driven by DCMTK. A storescp taking Implicit VR Little Endian only (+xi) refuses the
 * explicit VR objects (our C-STORE SCU sends each object in its stored syntax): the final response
 * must say 0xB000 (some failed) or 0xA702 (all failed) with the counts and the Failed SOP Instance
 * UID List (PS3.4 C.4.2.1.4.3, C.4.2.3.1). A getscu whose storage context we accepted in the other
 * little endian syntax gets the object re-framed (le-transcode.ts), equal to what dcmconv makes of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { part10DatasetOffset } from '../engine/dicom/dimse/part10.ts';
import { TransferSyntax as TS } from '../engine/dicom/dimse/uids.ts';
import {
  makeDicomCorpus,
  type DicomCorpus,
  type DicomManifestRow,
} from '../engine/dicom/testing/dicom-corpus.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { DCMTK_ENV, dcmtkOk, runDcmtk, storescuFolderArgs } from './support/dcmtk.ts';
import { toolAvailable } from './support/tools.ts';
import { waitFor } from './support/wait.ts';

const HAVE_DCMTK = ['storescu', 'movescu', 'getscu', 'storescp', 'dcmconv'].every((tool) =>
  toolAvailable(tool, 'apt-get install dcmtk'),
);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const datasetOf = (file: Buffer): Buffer => file.subarray(part10DatasetOffset(file));

describe.runIf(HAVE_DCMTK)('DICOM retrieve with failing sub-operations', () => {
  let corpus: DicomCorpus;
  let f: EngineFixture;
  let destPort: number;
  let deadPort: number;
  let destDir: string;
  let storescp: ChildProcess;
  let work: string;
  let implicitRows: DicomManifestRow[];
  let explicitRows: DicomManifestRow[];

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 1, series: 1, instances: 2, edgeCases: true });
    implicitRows = corpus.rows.filter((r) => r.transferSyntaxUid === TS.ImplicitVRLittleEndian);
    explicitRows = corpus.rows.filter((r) => r.transferSyntaxUid === TS.ExplicitVRLittleEndian);
    work = await mkdtemp(path.join(os.tmpdir(), 'switchboard-retrieve-fail-'));
    destDir = path.join(work, 'dest');
    await import('node:fs/promises').then((fs) => fs.mkdir(destDir));
    destPort = await freePort();
    deadPort = await freePort(); // nothing listens there
    storescp = spawn('storescp', ['-aet', 'IMPLICIT', '+xi', '-uf', '-od', destDir, String(destPort)], {
      env: DCMTK_ENV,
      stdio: 'ignore',
    });
    await waitFor(() => listening(destPort), 'storescp to listen', 10_000);
    f = await startTestEngine({
      database: 'pglite',
      configYaml: [
        'dicom:',
        '  remoteAes:',
        `    - { aeTitle: IMPLICIT, host: 127.0.0.1, port: ${destPort} }`,
        `    - { aeTitle: DEAD, host: 127.0.0.1, port: ${deadPort} }`,
        '',
      ].join('\n'),
    });
    await dcmtkOk('storescu', storescuFolderArgs(f.engine.dicomPort!, corpus.dir));
  }, 120_000);

  afterAll(async () => {
    if (storescp?.pid !== undefined) storescp.kill('SIGTERM');
    await f?.stop();
    await corpus?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** movescu at IMAGE level for the given instances, with the final response dumped (-d). */
  const moveImages = (rows: readonly DicomManifestRow[], destination: string) =>
    runDcmtk('movescu', [
      '-d',
      '-S',
      '-aet',
      'MOVER',
      '-aec',
      'SWITCHBOARD',
      '-aem',
      destination,
      '-k',
      'QueryRetrieveLevel=IMAGE',
      '-k',
      `SOPInstanceUID=${rows.map((r) => r.sopInstanceUid).join('\\')}`,
      '127.0.0.1',
      String(f.engine.dicomPort),
    ]);

  /** A field of the last response movescu -d dumped (the final one). */
  const last = (output: string, field: string): string =>
    [...output.matchAll(new RegExp(`${field}\\s+: (\\S+)`, 'g'))].at(-1)?.[1] ?? '';

  const failedList = (output: string): string[] => {
    const match = /\(0008,0058\) UI \[([^\]]*)\]/.exec(output);
    return match === null ? [] : match[1]!.split('\\').sort();
  };

  it('C-MOVE with some objects refused answers 0xB000 with the counts and the failed UIDs', async () => {
    expect(implicitRows.length).toBeGreaterThan(0);
    // SOPInstanceUID as a list needs a single value with backslashes for movescu.
    const rows = [...implicitRows, explicitRows[0]!];
    const run = await runDcmtk('movescu', [
      '-d',
      '-S',
      '-aet',
      'MOVER',
      '-aec',
      'SWITCHBOARD',
      '-aem',
      'IMPLICIT',
      '-k',
      'QueryRetrieveLevel=IMAGE',
      '-k',
      `SOPInstanceUID=${rows.map((r) => r.sopInstanceUid).join('\\')}`,
      '127.0.0.1',
      String(f.engine.dicomPort),
    ]);
    expect(last(run.output, 'DIMSE Status'), run.output).toBe('0xb000:');
    expect(last(run.output, 'Completed Suboperations')).toBe(String(implicitRows.length));
    expect(last(run.output, 'Failed Suboperations')).toBe('1');
    expect(failedList(run.output)).toEqual([explicitRows[0]!.sopInstanceUid]);
    // storescp names files "<modality>.<uid>".
    const received = (await readdir(destDir)).map((n) => n.replace(/^[A-Z]{2}\./, '').replace(/\.dcm$/, ''));
    expect(received.sort()).toEqual(implicitRows.map((r) => r.sopInstanceUid).sort());
  }, 60_000);

  it('C-MOVE with every object refused, or a destination down, answers 0xA702 with every UID failed', async () => {
    const rows = explicitRows.slice(0, 2);
    for (const destination of ['IMPLICIT', 'DEAD']) {
      const run = await moveImages(rows, destination);
      expect(last(run.output, 'DIMSE Status'), run.output).toBe('0xa702:');
      expect(last(run.output, 'Failed Suboperations'), destination).toBe('2');
      expect(last(run.output, 'Completed Suboperations'), destination).toBe('0');
      expect(failedList(run.output), destination).toEqual(rows.map((r) => r.sopInstanceUid).sort());
    }
  }, 60_000);

  it('C-GET sends each object in the little endian syntax the peer took, values unchanged', async () => {
    // getscu proposes Explicit then Implicit VR Little Endian for each storage class, and we take
    // the first: the objects stored in Implicit VR (one with private tags, which become UN) are
    // re-framed to Explicit VR. (The other direction: le-transcode.int.test.ts against dcmconv.)
    const cases = [{ option: '+x=', rows: implicitRows, to: '+te' }];
    expect(implicitRows.length).toBe(2);
    for (const c of cases) {
      const dir = await mkdtemp(path.join(work, 'get-'));
      const run = await runDcmtk('getscu', [
        '-v',
        '-S',
        c.option,
        '-aet',
        'GETTER',
        '-aec',
        'SWITCHBOARD',
        '-k',
        'QueryRetrieveLevel=IMAGE',
        '-k',
        `SOPInstanceUID=${c.rows.map((r) => r.sopInstanceUid).join('\\')}`,
        '-od',
        dir,
        '127.0.0.1',
        String(f.engine.dicomPort),
      ]);
      expect(run.output, c.option).toMatch(/Received C-GET Response \(Success\)/);
      expect(run.output, c.option).toMatch(
        new RegExp(`Number of Completed Suboperations : ${c.rows.length}\\b`),
      );
      for (const row of c.rows) {
        const name = (await readdir(dir)).find((n) => n.endsWith(row.sopInstanceUid));
        expect(name, row.path).toBeDefined();
        const received = await readFile(path.join(dir, name!));
        const converted = path.join(dir, `${row.sopInstanceUid}.dcmconv`);
        await dcmtkOk('dcmconv', [c.to, path.join(corpus.dir, row.path), converted]);
        const expected = datasetOf(await readFile(converted));
        expect(datasetOf(received).equals(expected), row.path).toBe(true);
      }
    }
  }, 60_000);
});
