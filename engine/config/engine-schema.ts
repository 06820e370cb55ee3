import { statSync } from 'node:fs';
import path from 'node:path';
import {
  fail,
  INVALID,
  type Checked,
  bool,
  describe,
  int,
  oneOf,
  str,
  type Ctx,
  type Schema,
  type Seg,
} from './schema-kit.ts';
import { list, obj, optional, refine, required, type ShapeOut } from './schema-shapes.ts';
import { ENGINE_DEFAULTS as D } from './types.ts';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

export const port = int(0, 65535);
export const host = str({ expected: 'a host name or IP address', pattern: /^[\w.:[\]%-]+$/ });
export const logLevel = oneOf(LOG_LEVELS);
export const dedupWindow = int(0, 365 * 86_400);
export const dirPath = str({ expected: 'a directory path' });
/** DICOM AE title (PS3.5 AE VR): 1-16 characters, no backslash or control characters, not only spaces. */
export const aeTitle = str({
  expected: 'an AE title: 1 to 16 characters, no backslash or control characters',
  pattern: /^(?=.*\S)[^\\]{1,16}$/,
  test: (s) => ([...s].some((c) => c.charCodeAt(0) < 0x20) ? 'an AE title has no control characters' : null),
});
export const databaseUrl = str({
  expected: 'a postgres:// or postgresql:// URL',
  secret: true,
  test: (s) =>
    /^postgres(ql)?:\/\/./.test(s) && URL.canParse(s) ? null : 'expected a postgres:// or postgresql:// URL',
});
/** ACK MSH-3/MSH-4 namespace ids: written into every ACK, so HL7 delimiters would corrupt it. */
const hd = (minLength: number) =>
  str({
    minLength,
    expected: minLength > 0 ? 'a non-empty string without HL7 delimiters' : 'a string without HL7 delimiters',
    pattern: /^[^|^~\\&\r\n]*$/,
  });

/** A file that must exist; relative paths resolve against the config file's folder. Returns the absolute path. */
function existingFile(baseDir: string): Schema<string> {
  return refine(str({ expected: 'a file path' }), (s, at, ctx) => {
    const file = path.resolve(baseDir, s);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
    return fail(ctx, at, `file ${describe(s)} not found (looked for ${file})`);
  });
}

/**
 * Messages posted over HTTP are stored with listener `http:<channel id>` and routed to that one
 * channel (engine/channels/process-message.ts), so an MLLP listener named `http` would be mistaken for it.
 */
const RESERVED_LISTENER_NAME = 'http';
const RESERVED_LISTENER_PROBLEM =
  'the listener name "http" is reserved for the HTTP listener (POST /api/channels/{id}/messages); choose another name';

function uniqueListenerNames<T extends { name: string }>(
  listeners: T[],
  at: readonly Seg[],
  ctx: Ctx,
): Checked<T[]> {
  let ok = true;
  listeners.forEach((l, i) => {
    const first = listeners.findIndex((o) => o.name === l.name);
    if (first === i) return;
    ok = false;
    fail(ctx, [...at, i, 'name'], `duplicate listener name "${l.name}" (also mllp[${first}])`);
  });
  return ok ? listeners : INVALID;
}

/**
 * The shape of switchboard.yaml. Absent keys come out as null so the loader can apply precedence
 * (defaults < file < env < flags) and know which listener hosts the file set explicitly.
 */
export function engineFileSchema(baseDir: string) {
  const tls = obj({
    certFile: required(existingFile(baseDir)),
    keyFile: required(existingFile(baseDir)),
    caFile: optional(existingFile(baseDir), null),
    requestCert: optional(bool(), false),
  });
  const listener = obj({
    name: optional(
      str({
        expected: 'a name of lowercase letters, digits and "-"',
        pattern: /^[a-z0-9][a-z0-9-]*$/,
        test: (s) => (s === RESERVED_LISTENER_NAME ? RESERVED_LISTENER_PROBLEM : null),
      }),
      D.mllpName,
    ),
    host: optional(host, null),
    port: optional(port, D.mllpPort),
    maxMessageBytes: optional(int(1024, 1024 ** 3), D.maxMessageBytes),
    idleTimeoutMs: optional(int(0, 86_400_000), D.idleTimeoutMs),
    ackMode: optional(oneOf(['auto', 'original'] as const), D.ackMode),
    tls: optional(tls, null),
  });
  const dicom = obj({
    enabled: optional(bool(), null),
    host: optional(host, null),
    port: optional(port, null),
    aeTitle: optional(aeTitle, null),
    // null (the default) accepts any calling AE; a list accepts only those (and from that host, when given).
    allowedCallers: optional(list(obj({ aeTitle: required(aeTitle), host: optional(host, null) })), null),
    // Largest C-STORE dataset taken: 1 KiB to 4 GiB (the dataset is held in memory until it is stored).
    maxObjectBytes: optional(int(1024, 4 * 1024 ** 3), null),
    // The AEs a C-MOVE may send to (its Move Destination), by AE title.
    remoteAes: optional(
      list(obj({ aeTitle: required(aeTitle), host: required(host), port: required(int(1, 65535)) })),
      null,
    ),
  });
  return obj({
    dataDir: optional(dirPath, null),
    databaseUrl: optional(databaseUrl, null),
    channelsDir: optional(dirPath, null),
    logLevel: optional(logLevel, null),
    http: optional(obj({ host: optional(host, null), port: optional(port, null) }), null),
    mllp: optional(refine(list(listener), uniqueListenerNames), null),
    dicom: optional(dicom, null),
    dedupWindowSeconds: optional(dedupWindow, null),
    dispatch: optional(obj({ concurrency: optional(int(1, 1024), null) }), null),
    ackSendingApplication: optional(hd(1), null),
    ackSendingFacility: optional(hd(0), null),
  });
}

export type EngineFile = ShapeOut<ReturnType<typeof engineFileSchema>['shape']>;
