/**
 * A private Orthanc (the open-source PACS) for interop tests and the DICOM ingest bench: its own config,
 * storage and index in a temporary folder, free ports, no plugins, a password made for this run. Orthanc
 * 1.10 cannot bind to one address, so its ports listen on all interfaces; "RemoteAccessAllowed": false
 * keeps its REST API to loopback and the password guards it. The system service the Debian package
 * installs is never touched: this is a separate process with a separate config.
 * Config as in ../shared/tools/dicom-baseline.sh (write_orthanc_config).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ORTHANC_AET = 'ORTHANC';

/** A DICOM peer Orthanc may talk to (and, with DicomCheckModalityHost, only from its host). */
export interface OrthancModality {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

export interface OrthancOptions {
  /** Name -> peer, registered in DicomModalities (e.g. SWITCHBOARD so Orthanc can C-STORE to it). */
  readonly modalities?: Readonly<Record<string, OrthancModality>>;
  /** fsync every stored file (Orthanc's default); the bench compares durable with durable. */
  readonly syncStorage?: boolean;
  readonly startTimeoutMs?: number;
}

export interface TestOrthanc {
  readonly aeTitle: string;
  readonly dicomPort: number;
  readonly httpPort: number;
  readonly dir: string;
  /** An authenticated REST call (a string or Buffer body goes as is, anything else as JSON); throws on a non-2xx answer. */
  rest<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: unknown): Promise<T>;
  /** Stores one Part 10 file through REST (POST /instances); returns Orthanc's instance id. */
  uploadInstance(part10: Buffer): Promise<string>;
  /** The Part 10 file Orthanc stored for an instance id (GET /instances/{id}/file). */
  downloadInstance(id: string): Promise<Buffer>;
  /** Orthanc's instance id for a SOP Instance UID (POST /tools/lookup), or null. */
  lookupInstance(sopInstanceUid: string): Promise<string | null>;
  /** Number of instances Orthanc has indexed (GET /statistics). */
  countInstances(): Promise<number>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** A port free right now on all interfaces (Orthanc binds 0.0.0.0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function orthancConfig(
  dir: string,
  password: string,
  dicomPort: number,
  httpPort: number,
  options: OrthancOptions,
): unknown {
  const modalities = Object.fromEntries(
    Object.entries(options.modalities ?? {}).map(([name, m]) => [
      name,
      {
        AET: m.aeTitle,
        Host: m.host,
        Port: m.port,
        AllowEcho: true,
        AllowFind: false,
        AllowStore: true,
        AllowGet: false,
        AllowMove: false,
      },
    ]),
  );
  return {
    Name: 'switchboard-test',
    DefaultEncoding: 'Utf8',
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    StorageCompression: false,
    SyncStorageArea: options.syncStorage ?? true,
    Plugins: [],
    HttpServerEnabled: true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { switchboard: password },
    WebDavEnabled: false,
    ExecuteLuaEnabled: false,
    DicomServerEnabled: true,
    DicomAet: ORTHANC_AET,
    DicomPort: dicomPort,
    DicomCheckCalledAet: true,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: false,
    DicomAlwaysAllowGet: false,
    DicomAlwaysAllowMove: false,
    DicomCheckModalityHost: true,
    DicomModalities: modalities,
    OrthancPeers: {},
    SaveJobs: false,
  };
}

export async function startOrthanc(options: OrthancOptions = {}): Promise<TestOrthanc> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-orthanc-'));
  const password = randomBytes(18).toString('base64url');
  const dicomPort = await freePort();
  const httpPort = await freePort();
  const configFile = path.join(dir, 'orthanc.json');
  const logFile = path.join(dir, 'orthanc.log');
  await writeFile(
    configFile,
    JSON.stringify(orthancConfig(dir, password, dicomPort, httpPort, options), null, 2),
  );
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('Orthanc', [configFile], {
      cwd: dir,
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    child.once('error', () => resolve('spawn-error'));
  });
  let running = true;
  void exited.then(() => (running = false));

  const base = `http://127.0.0.1:${httpPort}`;
  const auth = `Basic ${Buffer.from(`switchboard:${password}`).toString('base64')}`;
  async function rest<T>(method: string, route: string, body?: unknown): Promise<T> {
    const payload =
      body === undefined || typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const res = await fetch(base + route, {
      method,
      headers: {
        authorization: auth,
        ...(Buffer.isBuffer(body) ? { 'content-type': 'application/dicom' } : {}),
      },
      ...(payload === undefined ? {} : { body: payload }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Orthanc ${method} ${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
  const log = () => readFile(logFile, 'utf8').catch(() => '');

  async function stop(): Promise<void> {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  }

  // Ready when the REST API answers and the DICOM port accepts connections.
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (!running) {
      const text = await log();
      await stop();
      throw new Error(`Orthanc exited before it was ready:\n${text}`);
    }
    const up = await rest('GET', '/system').then(
      () => true,
      () => false,
    );
    if (up && (await portOpen(dicomPort))) break;
    if (Date.now() > deadline) {
      const text = await log();
      await stop();
      throw new Error(`Orthanc did not become ready in time:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    aeTitle: ORTHANC_AET,
    dicomPort,
    httpPort,
    dir,
    rest,
    async uploadInstance(part10) {
      const answer = await rest<{ ID: string; Status: string }>('POST', '/instances', part10);
      return answer.ID;
    },
    async downloadInstance(id) {
      const res = await fetch(`${base}/instances/${encodeURIComponent(id)}/file`, {
        headers: { authorization: auth },
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`Orthanc GET /instances/${id}/file: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async lookupInstance(sopInstanceUid) {
      const found = await rest<{ ID: string; Type: string }[]>('POST', '/tools/lookup', sopInstanceUid);
      return found.find((r) => r.Type === 'Instance')?.ID ?? null;
    },
    async countInstances() {
      return (await rest<{ CountInstances: number }>('GET', '/statistics')).CountInstances;
    },
    log,
    stop,
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
