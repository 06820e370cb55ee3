import { readFile } from 'node:fs/promises';
import { MllpServer } from '../../listeners/mllp/server.ts';
import type { MllpListenerConfig } from '../config/index.ts';
import type { Logger } from '../log/logger.ts';
import { ingestHl7Frame } from './batch-ingest.ts';
import type { Hl7IngestDeps } from './hl7-ingest.ts';
import { createMllpHooks } from './mllp-hooks.ts';

/** Starts one configured MLLP listener whose frames go through ingest (store before ACK). */
export async function startMllpListener(
  listener: MllpListenerConfig,
  deps: Hl7IngestDeps,
  logger: Logger,
): Promise<{ server: MllpServer; port: number }> {
  const tls = listener.tls
    ? {
        cert: await readFile(listener.tls.certFile),
        key: await readFile(listener.tls.keyFile),
        ...(listener.tls.caFile ? { ca: await readFile(listener.tls.caFile) } : {}),
        requestCert: listener.tls.requestCert,
      }
    : undefined;
  let listenerId = `${listener.name}:${listener.port}`;
  const server = new MllpServer(
    {
      name: listener.name,
      host: listener.host,
      port: listener.port,
      maxMessageBytes: listener.maxMessageBytes,
      idleTimeoutMs: listener.idleTimeoutMs,
      ...(tls ? { tls } : {}),
    },
    (frame, conn) =>
      ingestHl7Frame(
        frame,
        { listener: listener.name, listenerId, remoteAddress: conn.remoteAddress, ackMode: listener.ackMode },
        deps,
      ),
    createMllpHooks(deps, logger),
  );
  server.on('error', (err: unknown) =>
    logger.warn('mllp connection error', { listener: listener.name, error: String(err) }),
  );
  try {
    const address = await server.listen();
    listenerId = `${listener.name}:${address.port}`;
    logger.info('mllp listener up', {
      listener: listener.name,
      host: address.host,
      port: address.port,
      tls: !!tls,
    });
    return { server, port: address.port };
  } catch (err) {
    throw new Error(
      `listener ${listener.name}: cannot listen on ${listener.host}:${listener.port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
