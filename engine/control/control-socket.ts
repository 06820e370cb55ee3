import { chmod, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

/**
 * A local control channel for the CLI (`switchboard reprocess`, `channels reload`) while the engine
 * runs: HTTP over a Unix socket in the data folder, readable by the owner only (mode 0600), so it
 * needs no network exposure and no token. The network API with users and roles is separate.
 */
export interface ControlHandlers {
  reprocess(messageId: string): Promise<{ ok: boolean; message: string }>;
  reloadChannels(): Promise<{ ok: boolean; message: string }>;
  /** Counts by status, for `switchboard status` and supervisors. */
  stats(): Promise<unknown>;
  /** `switchboard channels start|pause|stop <id>`; notFound answers 404 (unknown id), other failures 409. */
  channelAction(
    id: string,
    action: ChannelAction,
  ): Promise<{ ok: boolean; message: string; notFound?: boolean }>;
  /** Live state of the deployed channels, for `switchboard channels list`. */
  channels(): Promise<unknown>;
}

export type ChannelAction = 'start' | 'pause' | 'stop';

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'switchboard.sock');
}

export async function startControlSocket(
  dataDir: string,
  handlers: ControlHandlers,
): Promise<() => Promise<void>> {
  const socketPath = controlSocketPath(dataDir);
  await rm(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: { ok: boolean; message: string }): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = req.url ?? '';
    const reprocess = /^\/messages\/(\d+)\/reprocess$/.exec(url);
    let work: Promise<{ ok: boolean; message: string }> | null = null;
    if (req.method === 'POST' && reprocess) work = handlers.reprocess(reprocess[1]!);
    else if (req.method === 'POST' && url === '/channels/reload') work = handlers.reloadChannels();
    const channel = /^\/channels\/([^/]+)\/(start|pause|stop)$/.exec(url);
    if (req.method === 'POST' && channel) {
      handlers.channelAction(decodeSegment(channel[1]!), channel[2] as ChannelAction).then(
        (r) => reply(r.ok ? 200 : r.notFound ? 404 : 409, { ok: r.ok, message: r.message }),
        (err: unknown) =>
          reply(409, { ok: false, message: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    const read =
      url === '/stats' ? () => handlers.stats() : url === '/channels' ? () => handlers.channels() : null;
    if (req.method === 'GET' && read) {
      read().then(
        (stats) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats)),
        (err: unknown) => reply(500, { ok: false, message: String(err) }),
      );
      return;
    }
    if (!work) return reply(404, { ok: false, message: `unknown control request ${req.method} ${url}` });
    work.then(
      (r) => reply(r.ok ? 200 : 409, r),
      (err: unknown) => reply(500, { ok: false, message: String(err) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(socketPath, { force: true });
  };
}

/** A malformed escape must not throw in the request handler (it would take the engine down). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Sends one control request; null when no engine is listening on the socket. */
export function controlRequest(
  dataDir: string,
  route: string,
): Promise<{ ok: boolean; message: string } | null> {
  return controlCall(dataDir, 'POST', route) as Promise<{ ok: boolean; message: string } | null>;
}

export function controlCall(dataDir: string, method: 'GET' | 'POST', route: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: controlSocketPath(dataDir), path: route, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as unknown);
        } catch {
          reject(new Error(`bad control response: ${body.slice(0, 200)}`));
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(err);
    });
    req.end();
  });
}
