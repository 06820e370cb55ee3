import { statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../channels/types.ts';
import {
  aeTitle,
  databaseUrl,
  dedupWindow,
  dirPath,
  engineFileSchema,
  host,
  logLevel,
  port,
  type EngineFile,
} from './engine-schema.ts';
import { deepFreeze } from './freeze.ts';
import { ConfigError } from './problems.ts';
import { INVALID, type Ctx, type Schema } from './schema-kit.ts';
import {
  ENGINE_DEFAULTS as D,
  type EngineConfig,
  type EngineConfigOverrides,
  type MllpListenerConfig,
} from './types.ts';
import { readYamlFile } from './yaml-source.ts';

export interface LoadEngineConfigOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly overrides?: EngineConfigOverrides;
}

const ENV_FILE = 'env';
const CLI_FILE = 'command line';

/** Reads one setting from env or flags; '' counts as unset (compose files often export empty variables). */
class Layer {
  readonly ctx: Ctx;
  constructor(
    private readonly file: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.ctx = { env, issues: [] };
  }

  read<T>(name: string, raw: unknown, schema: Schema<T>, numeric = false): T | undefined {
    if (raw === undefined || raw === '') return undefined;
    const value = numeric && typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    const r = schema.check(value, [name], this.ctx);
    return r === INVALID ? undefined : r;
  }

  problems(): ConfigProblem[] {
    return this.ctx.issues.map((i) => ({
      file: this.file,
      path: String(i.path[0] ?? ''),
      message: i.message,
    }));
  }
}

/** --config, else SWITCHBOARD_CONFIG (both must exist), else ./switchboard.yaml when there is one. */
function findConfigFile(opts: LoadEngineConfigOptions): string | null {
  const given = opts.overrides?.configFile ?? (opts.env['SWITCHBOARD_CONFIG'] || undefined);
  if (given !== undefined) return path.resolve(opts.cwd, given);
  const implicit = path.resolve(opts.cwd, D.configFileName);
  return statSync(implicit, { throwIfNoEntry: false })?.isFile() ? implicit : null;
}

async function readConfigFile(file: string | null, env: NodeJS.ProcessEnv) {
  if (file === null) return { value: null, problems: [] };
  const source = await readYamlFile(file);
  if (source.problems.length > 0) return { value: null, problems: [...source.problems] };
  // An empty file is a valid "all defaults" configuration.
  if (source.value === null || source.value === undefined) return { value: null, problems: [] };
  const ctx: Ctx = { env, issues: [] };
  const checked = engineFileSchema(path.dirname(file)).check(source.value, [], ctx);
  const problems = source.toProblems(ctx.issues);
  return { value: checked === INVALID || problems.length > 0 ? null : (checked as EngineFile), problems };
}

/** Two sockets that would collide: same non-zero port on the same or a wildcard address. */
function portClashes(
  file: string,
  sockets: readonly { what: string; host: string; port: number }[],
): ConfigProblem[] {
  const wildcard = (h: string) => h === '0.0.0.0' || h === '::';
  const clash = (a: (typeof sockets)[number], b: (typeof sockets)[number]) =>
    a.port !== 0 && a.port === b.port && (a.host === b.host || wildcard(a.host) || wildcard(b.host));
  const out: ConfigProblem[] = [];
  sockets.forEach((a, i) => {
    const b = sockets.slice(0, i).find((s) => clash(a, s));
    if (b) out.push({ file, path: `${a.what}.port`, message: `port ${a.port} is also used by ${b.what}` });
  });
  return out;
}

/**
 * Builds the engine configuration: defaults < config file < environment < command-line flags.
 * Throws one ConfigError listing every problem of every layer.
 */
export async function loadEngineConfig(opts: LoadEngineConfigOptions): Promise<EngineConfig> {
  const { env, cwd } = opts;
  const o = opts.overrides ?? {};
  const configFile = findConfigFile(opts);
  const fromFile = await readConfigFile(configFile, env);
  const problems: ConfigProblem[] = [...fromFile.problems];
  const f = fromFile.value;
  const fileDir = configFile === null ? cwd : path.dirname(configFile);
  // Paths from the file are relative to the file; from flags, env or defaults, to the working directory.
  const layeredPath = (
    cli: string | undefined,
    fromEnv: string | undefined,
    inFile: string | null,
    def: string,
  ) => {
    const outside = cli ?? fromEnv;
    return outside !== undefined || inFile === null
      ? path.resolve(cwd, outside ?? def)
      : path.resolve(fileDir, inFile);
  };

  const e = new Layer(ENV_FILE, env);
  const fromEnv = <T>(name: string, schema: Schema<T>, numeric = false) =>
    e.read(name, env[name], schema, numeric);
  const envMllpPort = fromEnv('SWITCHBOARD_MLLP_PORT', port, true);
  const envDicomPort = fromEnv('SWITCHBOARD_DICOM_PORT', port, true);
  const envDicomAeTitle = fromEnv('SWITCHBOARD_DICOM_AE_TITLE', aeTitle);
  const envHttpPort = fromEnv('SWITCHBOARD_HTTP_PORT', port, true);
  const envBind = fromEnv('SWITCHBOARD_BIND_ADDRESS', host);
  const envDedup = fromEnv('SWITCHBOARD_DEDUP_WINDOW_SECONDS', dedupWindow, true);
  const envLogLevel = fromEnv('SWITCHBOARD_LOG_LEVEL', logLevel);
  const envDataDir = fromEnv('SWITCHBOARD_DATA_DIR', dirPath);
  const envChannelsDir = fromEnv('SWITCHBOARD_CHANNELS_DIR', dirPath);
  const envDatabaseUrl = fromEnv('DATABASE_URL', databaseUrl);

  const c = new Layer(CLI_FILE, env);
  const cliHttpPort = c.read('--http-port', o.httpPort, port, true);
  const cliMllpPort = c.read('--mllp-port', o.mllpPort, port, true);
  const cliDicomPort = c.read('--dicom-port', o.dicomPort, port, true);
  const cliDataDir = c.read('--data-dir', o.dataDir, dirPath);
  const cliChannelsDir = c.read('--channels-dir', o.channelsDir, dirPath);
  const cliDatabaseUrl = c.read('--database-url', o.databaseUrl, databaseUrl);
  const cliLogLevel = c.read('--log-level', o.logLevel, logLevel);

  const defaultListener = {
    name: D.mllpName,
    host: null,
    port: D.mllpPort,
    maxMessageBytes: D.maxMessageBytes,
    idleTimeoutMs: D.idleTimeoutMs,
    ackMode: D.ackMode,
    tls: null,
  };
  // SWITCHBOARD_BIND_ADDRESS binds every listener whose host the file did not pin (docs/configuration.md).
  const listeners: MllpListenerConfig[] = (f?.mllp ?? [defaultListener]).map((l) => ({
    ...l,
    host: l.host ?? envBind ?? D.host,
  }));
  const firstPort = cliMllpPort ?? envMllpPort;
  if (firstPort !== undefined) {
    const first = listeners[0];
    if (first) listeners[0] = { ...first, port: firstPort };
    else {
      const file = cliMllpPort !== undefined ? CLI_FILE : ENV_FILE;
      const at = cliMllpPort !== undefined ? '--mllp-port' : 'SWITCHBOARD_MLLP_PORT';
      problems.push({
        file,
        path: at,
        message: 'there is no MLLP listener to set the port of (mllp: [] in the config file)',
      });
    }
  }
  problems.push(...e.problems(), ...c.problems());

  const config: EngineConfig = {
    dataDir: layeredPath(cliDataDir, envDataDir, f?.dataDir ?? null, D.dataDir),
    databaseUrl: cliDatabaseUrl ?? envDatabaseUrl ?? f?.databaseUrl ?? D.databaseUrl,
    channelsDir: layeredPath(cliChannelsDir, envChannelsDir, f?.channelsDir ?? null, D.channelsDir),
    logLevel: cliLogLevel ?? envLogLevel ?? f?.logLevel ?? D.logLevel,
    http: {
      host: envBind ?? f?.http?.host ?? D.host,
      port: cliHttpPort ?? envHttpPort ?? f?.http?.port ?? D.httpPort,
    },
    mllp: listeners,
    dicom: {
      enabled: f?.dicom?.enabled ?? true,
      host: f?.dicom?.host ?? envBind ?? D.host,
      port: cliDicomPort ?? envDicomPort ?? f?.dicom?.port ?? D.dicomPort,
      aeTitle: envDicomAeTitle ?? f?.dicom?.aeTitle ?? D.dicomAeTitle,
      allowedCallers: f?.dicom?.allowedCallers ?? null,
      maxObjectBytes: f?.dicom?.maxObjectBytes ?? D.dicomMaxObjectBytes,
      remoteAes: f?.dicom?.remoteAes ?? [],
    },
    dedupWindowSeconds: envDedup ?? f?.dedupWindowSeconds ?? D.dedupWindowSeconds,
    dispatch: { concurrency: f?.dispatch?.concurrency ?? D.concurrency },
    ackSendingApplication: f?.ackSendingApplication ?? D.ackSendingApplication,
    ackSendingFacility: f?.ackSendingFacility ?? D.ackSendingFacility,
    configFile,
  };

  // Checked on the merged result: the clash may come from any layer.
  if (problems.length === 0) {
    const sockets = [
      { what: 'http', host: config.http.host, port: config.http.port },
      ...config.mllp.map((l, i) => ({ what: `mllp[${i}]`, host: l.host, port: l.port })),
      ...(config.dicom.enabled ? [{ what: 'dicom', host: config.dicom.host, port: config.dicom.port }] : []),
    ];
    problems.push(...portClashes(configFile ?? 'configuration', sockets));
  }
  if (problems.length > 0) throw new ConfigError(problems, 'engine configuration');
  return deepFreeze(config);
}
