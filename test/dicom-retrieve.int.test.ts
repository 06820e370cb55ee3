/**
 * C-MOVE and C-GET out of a real engine, driven by DCMTK (storescu in, movescu and getscu out, and a
 * DCMTK storescp as the move destination), which nobody here wrote. The engine must send every
 * object exactly as stored: each file the destination writes holds, after its own File Meta
 * Information group (storescp and getscu write their own: source AE, implementation UID), the very
 * dataset bytes of the corpus file that was stored. An unknown move destination is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { part10DatasetOffset } from '../engine/dicom/dimse/part10.ts';
import {
  makeDicomCorpus,
  type DicomCorpus,
  type DicomManifestRow,
} from '../engine/dicom/testing/dicom-corpus.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { toolAvailable } from './support/tools.ts';
import { waitFor } from './support/wait.ts';
import { DCMTK_ENV, runDcmtk, storescuFolderArgs, type ToolRun } from './support/dcmtk.ts';

const HAVE_DCMTK = ['storescu', 'movescu', 'getscu', 'storescp'].every((tool) =>
  toolAvailable(tool, 'apt-get install dcmtk'),
);
const dcmtk = (tool: string, args: string[]): Promise<ToolRun> => runDcmtk(tool, args);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const datasetOf = (file: Buffer): Buffer => file.subarray(part10DatasetOffset(file));

/** Every file in `dir`, by the SOP Instance UID its name ends with (storescp -uf: "<uid>.dcm"; getscu: "XX.<uid>"). */
async function receivedFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of await readdir(dir)) {
    const uid = name.replace(/\.dcm$/, '').replace(/^[A-Z]{2}\./, '');
    files.set(uid, await readFile(path.join(dir, name)));
  }
  return files;
}

describe.runIf(HAVE_DCMTK)('DICOM C-MOVE and C-GET out of the engine', () => {
  let corpus: DicomCorpus;
  let f: EngineFixture;
  let destPort: number;
  let destDir: string;
  let storescp: ChildProcess;

  beforeAll(async () => {
    corpus = await makeDicomCorpus({ studies: 2, series: 2, instances: 3, edgeCases: true });
    destPort = await freePort();
    destDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-move-dest-'));
    storescp = spawn('storescp', ['-aet', 'DEST', '+xa', '-uf', '-od', destDir, String(destPort)], {
      env: DCMTK_ENV,
      stdio: 'ignore',
    });
    await waitFor(() => listening(destPort), 'storescp to listen', 10_000);
    f = await startTestEngine({
      database: 'pglite',
      configYaml: `dicom:\n  remoteAes:\n    - { aeTitle: DEST, host: 127.0.0.1, port: ${destPort} }\n`,
    });
    const stored = await dcmtk('storescu', storescuFolderArgs(f.engine.dicomPort!, corpus.dir));
    expect(stored.code, stored.output).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (storescp?.pid !== undefined) storescp.kill('SIGTERM');
    await f?.stop();
    await corpus?.remove();
    if (destDir) await rm(destDir, { recursive: true, force: true });
  });

  async function clearDest(): Promise<void> {
    for (const name of await readdir(destDir)) await rm(path.join(destDir, name), { force: true });
  }

  async function expectReceived(dir: string, rows: readonly DicomManifestRow[]): Promise<void> {
    const files = await receivedFiles(dir);
    expect([...files.keys()].sort()).toEqual(rows.map((r) => r.sopInstanceUid).sort());
    for (const row of rows) {
      const sent = await readFile(path.join(corpus.dir, row.path));
      const received = files.get(row.sopInstanceUid)!;
      expect(datasetOf(received).equals(datasetOf(sent)), row.path).toBe(true);
    }
  }

  const movescu = (keys: string[], destination = 'DEST') =>
    dcmtk('movescu', [
      '-v',
      '-S',
      '-aet',
      'MOVER',
      '-aec',
      'SWITCHBOARD',
      '-aem',
      destination,
      ...keys.flatMap((k) => ['-k', k]),
      '127.0.0.1',
      String(f.engine.dicomPort),
    ]);

  it('moves a study to the configured destination, every object byte-identical', async () => {
    await clearDest();
    const study = corpus.rows[0]!.studyInstanceUid;
    const rows = corpus.rows.filter((r) => r.studyInstanceUid === study);
    const run = await movescu(['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study}`]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Received Final Move Response \(Success\)/);
    await expectReceived(destDir, rows);
  }, 60_000);

  it('moves every series, also those stored in Implicit VR Little Endian, each in its stored syntax', async () => {
    const syntaxes = new Set(corpus.rows.map((r) => r.transferSyntaxUid));
    for (const row of corpus.rows.filter(
      (r, i, all) => all.findIndex((o) => o.seriesInstanceUid === r.seriesInstanceUid) === i,
    )) {
      await clearDest();
      const rows = corpus.rows.filter((r) => r.seriesInstanceUid === row.seriesInstanceUid);
      const run = await movescu([
        'QueryRetrieveLevel=SERIES',
        `StudyInstanceUID=${row.studyInstanceUid}`,
        `SeriesInstanceUID=${row.seriesInstanceUid}`,
      ]);
      expect(run.output, row.path).toMatch(/Received Final Move Response \(Success\)/);
      await expectReceived(destDir, rows);
    }
    expect([...syntaxes].sort()).toEqual(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);
  }, 120_000);

  it('refuses an unknown move destination with 0xA801 and sends nothing', async () => {
    await clearDest();
    const run = await movescu(
      ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${corpus.rows[0]!.studyInstanceUid}`],
      'NOWHERE',
    );
    expect(run.output).toMatch(/Received Final Move Response \(Refused: MoveDestinationUnknown\)/);
    expect(await readdir(destDir)).toEqual([]);
  }, 60_000);

  it('C-GET sends a series back over the same association, byte-identical', async () => {
    const row = corpus.rows[0]!;
    const rows = corpus.rows.filter((r) => r.seriesInstanceUid === row.seriesInstanceUid);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-get-'));
    try {
      const run = await dcmtk('getscu', [
        '-v',
        '-S',
        '-aet',
        'GETTER',
        '-aec',
        'SWITCHBOARD',
        '-k',
        'QueryRetrieveLevel=SERIES',
        '-k',
        `StudyInstanceUID=${row.studyInstanceUid}`,
        '-k',
        `SeriesInstanceUID=${row.seriesInstanceUid}`,
        '-od',
        dir,
        '127.0.0.1',
        String(f.engine.dicomPort),
      ]);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/Received C-GET Response \(Success\)/);
      expect(run.output).toMatch(new RegExp(`Number of Completed Suboperations : ${rows.length}\\b`));
      expect(run.output).toMatch(/Number of Failed Suboperations {4}: 0\b/);
      await expectReceived(dir, rows);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
