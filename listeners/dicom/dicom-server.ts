/**
 * The DICOM (DIMSE) listener: a TCP server whose every connection is one association handled by
 * SwitchboardScp. We run our own net.Server rather than dcmjs-dimse's Server because that one cannot
 * bind to a host, leaves Nagle on, and has no graceful close. Each socket gets TCP_NODELAY (DCMTK
 * peers otherwise wait ~40 ms per exchange for a delayed ACK) and a PDU length guard in front of
 * dcmjs-dimse, which would buffer a PDU of any announced length: an unknown PDU type or a length
 * over the limit gets an A-ABORT and the connection closes. A broken association only ends itself;
 * the server keeps serving the others.
 */
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Implementation } from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import { PduGuard } from '../../engine/dicom/dimse/pdu-guard.ts';
import { PDataRouter } from './pdata-router.ts';
import { SwitchboardScp, normalizeAddress } from './scp.ts';
import type { DicomServer, DicomServerEvent, DicomServerOptions } from './types.ts';

export type * from './types.ts';

export const DEFAULT_AE_TITLE = 'SWITCHBOARD';
const DEFAULT_MAX_OBJECT_BYTES = 1024 ** 3;
const DEFAULT_GRACE_MS = 10_000;
const MIN_PDU_LENGTH = 4096;

/**
 * The maximum P-DATA-TF length we advertise: 16 KiB, the default of DCMTK and Orthanc. dcmjs-dimse
 * handles big PDUs poorly (it re-concatenates a PDU on every socket read and allocates each as one
 * large buffer): C-STORE ingest of 526 KB instances over one association took 25-40% less engine
 * CPU with 16 KiB PDUs than with its 256 KiB ceiling (bench/dicom-ingest.bench.ts, docs/performance.md).
 */
export const DEFAULT_MAX_PDU_LENGTH = 16_384;

function validate(o: DicomServerOptions, aeTitle: string, maxPduLength: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) problems.push(`port ${o.port}`);
  if (!/^[\x20-\x7e]{1,16}$/.test(aeTitle) || aeTitle.includes('\\') || aeTitle.trim() !== aeTitle) {
    problems.push(`aeTitle "${aeTitle}" (1 to 16 printable characters, no backslash, no edge spaces)`);
  }
  const pduCeiling = Implementation.getMaxPduLength();
  if (!Number.isInteger(maxPduLength) || maxPduLength < MIN_PDU_LENGTH || maxPduLength > pduCeiling) {
    problems.push(`maxPduLength ${maxPduLength} (${MIN_PDU_LENGTH}..${pduCeiling})`);
  }
  if (o.maxObjectBytes !== undefined && (!Number.isInteger(o.maxObjectBytes) || o.maxObjectBytes < 1)) {
    problems.push(`maxObjectBytes ${o.maxObjectBytes}`);
  }
  if (o.maxAssociations !== undefined && (!Number.isInteger(o.maxAssociations) || o.maxAssociations < 1)) {
    problems.push(`maxAssociations ${o.maxAssociations}`);
  }
  if (o.allow !== 'any' && o.allow.some((e) => e.aeTitle.trim() === ''))
    problems.push('allow entry without aeTitle');
  if (problems.length > 0) throw new RangeError(`DICOM listener: invalid options: ${problems.join(', ')}`);
}

export async function start(options: DicomServerOptions): Promise<DicomServer> {
  const aeTitle = options.aeTitle ?? DEFAULT_AE_TITLE;
  const maxPduLength = options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  validate(options, aeTitle, maxPduLength);
  const onEvent = (event: DicomServerEvent): void => options.onEvent?.(event);
  const sockets = new Set<Socket>();
  const inFlight = new Set<Promise<unknown>>();
  const settings = {
    aeTitle,
    allow: options.allow,
    maxPduLength,
    maxObjectBytes: options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES,
    onStore: options.onStore,
    ...(options.onFind !== undefined ? { onFind: options.onFind } : {}),
    ...(options.retrieve !== undefined ? { retrieve: options.retrieve } : {}),
    onEvent,
    track: (work: Promise<unknown>) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  };

  const accept = (socket: Socket): void => {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const guard = new PduGuard(maxPduLength);
    const scp = new SwitchboardScp(socket, settings, guard);
    // dcmjs-dimse's Scp reads the socket through the one 'data' listener its constructor added; the
    // bytes go to it through the guard (which refuses a bad header before anything buffers it) and
    // the router (pdata-router.ts: C-STORE requests are taken there, the rest is passed on).
    const dimseReaders = socket.listeners('data') as ((chunk: Buffer) => void)[];
    const dimseRead = dimseReaders[0];
    if (dimseReaders.length !== 1 || dimseRead === undefined) {
      // Only a dcmjs-dimse other than the pinned one could do this: refuse the connection, keep serving.
      onEvent({ type: 'server-error', message: 'dcmjs-dimse did not add exactly one socket reader' });
      socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    const router = new PDataRouter({
      forward: dimseRead,
      accepted: () => scp.isAccepted(),
      storeStarted: (command) => scp.storeStarted(command),
      storeReceived: (command, dataset) => scp.storeReceived(command, dataset),
      fail: (code, message) => scp.abortWith(code, message),
      pduTaken: () => scp.notePdu(),
    });
    // (No 'data' event can come before this listener exists: events fire on a later tick.)
    socket.on('data', (chunk: Buffer) => {
      const verdict = guard.push(chunk);
      if (!verdict.ok) {
        router.stop();
        scp.abortWith(verdict.code, verdict.reason);
      } else router.push(chunk);
    });
    socket.on('error', () => socket.destroy());
  };

  const server = net.createServer({ noDelay: true, allowHalfOpen: false }, accept);
  if (options.maxAssociations !== undefined) server.maxConnections = options.maxAssociations;
  server.on('drop', (data) => {
    onEvent({
      type: 'association-aborted',
      code: 'connection-limit',
      accepted: false,
      incompleteStore: false,
      message: 'maxAssociations reached',
      callingAe: '',
      remoteAddress: normalizeAddress(data?.remoteAddress ?? ''),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => onEvent({ type: 'server-error', message: error.message }));

  let closing: Promise<void> | undefined;
  const shutdown = async (graceMs: number): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...inFlight]), timeout]);
    clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port: (server.address() as AddressInfo).port,
    close: (graceMs = DEFAULT_GRACE_MS) => (closing ??= shutdown(graceMs)),
  };
}
