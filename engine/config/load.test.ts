import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, formatProblems, loadEngineConfig, type EngineConfigOverrides } from './index.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'switchboard-config-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(cwd, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const load = (env: NodeJS.ProcessEnv = {}, overrides?: EngineConfigOverrides) =>
  loadEngineConfig({ env, cwd, overrides });

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map((p) => formatProblems([p]));
}

describe('loadEngineConfig', () => {
  it('uses the defaults when there is no config file', async () => {
    const config = await load();
    expect(config).toEqual({
      dataDir: path.join(cwd, 'data'),
      databaseUrl: null,
      channelsDir: path.join(cwd, 'channels'),
      logLevel: 'info',
      http: { host: '0.0.0.0', port: 8080 },
      mllp: [
        {
          name: 'mllp',
          host: '0.0.0.0',
          port: 2575,
          maxMessageBytes: 10 * 1024 * 1024,
          idleTimeoutMs: 600000,
          ackMode: 'auto',
          tls: null,
        },
      ],
      dicom: {
        enabled: true,
        host: '0.0.0.0',
        port: 11112,
        aeTitle: 'SWITCHBOARD',
        allowedCallers: null,
        maxObjectBytes: 1024 ** 3,
        remoteAes: [],
      },
      dedupWindowSeconds: 86400,
      dispatch: { concurrency: 8 },
      ackSendingApplication: 'SWITCHBOARD',
      ackSendingFacility: '',
      configFile: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.mllp[0])).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('accepts the reference config of docs/configuration.md, whose values are the defaults', async () => {
    const doc = await readFile(path.join(repoRoot, 'docs/configuration.md'), 'utf8');
    const reference = /### Reference config file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(reference).toContain('dedupWindowSeconds');
    const file = await write('switchboard.yaml', reference!);
    const fromDoc = await load();
    await rm(file);
    expect(fromDoc).toEqual({ ...(await load()), configFile: file });
  });

  it('reads ./switchboard.yaml, resolving its paths against its folder', async () => {
    await write('cert.pem', 'x');
    await write('key.pem', 'x');
    const file = await write(
      'switchboard.yaml',
      `dataDir: ./var
databaseUrl: postgres://sb:pw@db:5432/sb
logLevel: debug
http: { port: 9000 }
mllp:
  - name: adt
    port: 3001
  - name: lab
    host: 10.1.1.1
    port: 3002
    maxMessageBytes: 2048
    idleTimeoutMs: 0
    tls: { certFile: cert.pem, keyFile: ./key.pem, requestCert: true }
dedupWindowSeconds: 0
dispatch: { concurrency: 2 }
ackSendingApplication: ENGINE
ackSendingFacility: HOSP
`,
    );
    const config = await load();
    expect(config).toMatchObject({
      configFile: file,
      dataDir: path.join(cwd, 'var'),
      channelsDir: path.join(cwd, 'channels'),
      databaseUrl: 'postgres://sb:pw@db:5432/sb',
      logLevel: 'debug',
      http: { host: '0.0.0.0', port: 9000 },
      dedupWindowSeconds: 0,
      dispatch: { concurrency: 2 },
      ackSendingApplication: 'ENGINE',
      ackSendingFacility: 'HOSP',
    });
    expect(config.mllp).toEqual([
      {
        name: 'adt',
        host: '0.0.0.0',
        port: 3001,
        maxMessageBytes: 10485760,
        idleTimeoutMs: 600000,
        ackMode: 'auto',
        tls: null,
      },
      {
        name: 'lab',
        host: '10.1.1.1',
        port: 3002,
        maxMessageBytes: 2048,
        idleTimeoutMs: 0,
        ackMode: 'auto',
        tls: {
          certFile: path.join(cwd, 'cert.pem'),
          keyFile: path.join(cwd, 'key.pem'),
          caFile: null,
          requestCert: true,
        },
      },
    ]);
  });

  it('applies precedence defaults < file < env < flags, and every env variable', async () => {
    await write(
      'conf/sb.yaml',
      'dataDir: ./from-file\nhttp: { host: 127.0.0.2, port: 9000 }\nmllp: [{ port: 3001 }, { name: b, host: 10.0.0.9, port: 3002 }]\nlogLevel: warn\n',
    );
    const env = {
      SWITCHBOARD_CONFIG: 'conf/sb.yaml',
      SWITCHBOARD_MLLP_PORT: '4001',
      SWITCHBOARD_HTTP_PORT: '9100',
      SWITCHBOARD_DATA_DIR: 'env-data',
      SWITCHBOARD_BIND_ADDRESS: '127.0.0.1',
      SWITCHBOARD_CHANNELS_DIR: '/etc/sb/channels',
      SWITCHBOARD_LOG_LEVEL: 'error',
      DATABASE_URL: 'postgresql://env@h/db',
      SWITCHBOARD_DEDUP_WINDOW_SECONDS: '60',
    };
    const fromEnv = await load(env);
    expect(fromEnv).toMatchObject({
      configFile: path.join(cwd, 'conf/sb.yaml'),
      dataDir: path.join(cwd, 'env-data'),
      channelsDir: '/etc/sb/channels',
      logLevel: 'error',
      databaseUrl: 'postgresql://env@h/db',
      dedupWindowSeconds: 60,
      http: { host: '127.0.0.1', port: 9100 },
    });
    // The bind address applies to listeners whose host the file left out; the first listener takes the port.
    expect(fromEnv.mllp.map((l) => [l.name, l.host, l.port])).toEqual([
      ['mllp', '127.0.0.1', 4001],
      ['b', '10.0.0.9', 3002],
    ]);

    const fromFlags = await load(env, {
      dataDir: 'flag-data',
      channelsDir: 'flag-channels',
      databaseUrl: 'postgres://flag@h/db',
      httpPort: '9200',
      mllpPort: 5001,
      logLevel: 'debug',
    });
    expect(fromFlags).toMatchObject({
      dataDir: path.join(cwd, 'flag-data'),
      channelsDir: path.join(cwd, 'flag-channels'),
      databaseUrl: 'postgres://flag@h/db',
      logLevel: 'debug',
      http: { port: 9200 },
    });
    expect(fromFlags.mllp[0]!.port).toBe(5001);

    const fileOnly = await load({ SWITCHBOARD_CONFIG: 'conf/sb.yaml' });
    expect(fileOnly).toMatchObject({ dataDir: path.join(cwd, 'conf/from-file'), logLevel: 'warn' });
    expect(fileOnly.http).toEqual({ host: '127.0.0.2', port: 9000 });
  });

  it('reads the DICOM listener from file, env and flag, and checks AE titles and port clashes', async () => {
    await write(
      'switchboard.yaml',
      'dicom:\n  port: 4242\n  aeTitle: PACS_IN\n  allowedCallers:\n    - { aeTitle: CT01, host: 10.1.2.3 }\n    - { aeTitle: MR01 }\n',
    );
    const fromFile = await load();
    expect(fromFile.dicom).toEqual({
      enabled: true,
      host: '0.0.0.0',
      port: 4242,
      aeTitle: 'PACS_IN',
      allowedCallers: [
        { aeTitle: 'CT01', host: '10.1.2.3' },
        { aeTitle: 'MR01', host: null },
      ],
      maxObjectBytes: 1024 ** 3,
      remoteAes: [],
    });
    const layered = await load(
      { SWITCHBOARD_DICOM_PORT: '5000', SWITCHBOARD_DICOM_AE_TITLE: 'FROM_ENV' },
      { dicomPort: 0 },
    );
    expect(layered.dicom).toMatchObject({ port: 0, aeTitle: 'FROM_ENV' });
    const problems = await problemsOf(
      load({ SWITCHBOARD_DICOM_AE_TITLE: 'MUCH_TOO_LONG_AE_TITLE', SWITCHBOARD_HTTP_PORT: '4242' }),
    );
    expect(problems.join('\n')).toContain('SWITCHBOARD_DICOM_AE_TITLE: expected an AE title');
    const clash = await problemsOf(load({ SWITCHBOARD_HTTP_PORT: '4242' }));
    expect(clash.join('\n')).toMatch(/dicom.*4242|4242.*dicom/);
  });

  it('reads the C-MOVE destinations (dicom.remoteAes) and checks each entry', async () => {
    await write(
      'switchboard.yaml',
      'dicom:\n  remoteAes:\n    - { aeTitle: VIEWER, host: 10.1.2.4, port: 104 }\n    - { aeTitle: ARCHIVE, host: pacs.example.org, port: 11112 }\n',
    );
    expect((await load()).dicom.remoteAes).toEqual([
      { aeTitle: 'VIEWER', host: '10.1.2.4', port: 104 },
      { aeTitle: 'ARCHIVE', host: 'pacs.example.org', port: 11112 },
    ]);
    await write('switchboard.yaml', 'dicom:\n  remoteAes:\n    - { aeTitle: VIEWER, host: 10.1.2.4 }\n');
    expect((await problemsOf(load())).join('\n')).toMatch(/remoteAes.*port/);
    await write(
      'switchboard.yaml',
      'dicom:\n  remoteAes:\n    - { aeTitle: VIEWER, host: 10.1.2.4, port: 0 }\n',
    );
    expect((await problemsOf(load())).join('\n')).toMatch(/remoteAes.*port/);
  });

  it('reads the C-STORE size limit (dicom.maxObjectBytes) and refuses one out of range, naming file and path', async () => {
    await write('switchboard.yaml', 'dicom:\n  maxObjectBytes: 65536\n');
    expect((await load()).dicom.maxObjectBytes).toBe(65536);
    const file = await write('switchboard.yaml', 'dicom:\n  maxObjectBytes: 1000\n');
    expect((await problemsOf(load())).join('\n')).toContain(
      `${file}:2: dicom.maxObjectBytes: expected an integer from 1024 to 4294967296`,
    );
  });

  it('takes --config over SWITCHBOARD_CONFIG and ./switchboard.yaml', async () => {
    await write('switchboard.yaml', 'logLevel: debug\n');
    await write('a.yaml', 'logLevel: warn\n');
    await write('b.yaml', 'logLevel: error\n');
    expect((await load()).logLevel).toBe('debug');
    expect((await load({ SWITCHBOARD_CONFIG: 'a.yaml' })).logLevel).toBe('warn');
    expect((await load({ SWITCHBOARD_CONFIG: 'a.yaml' }, { configFile: 'b.yaml' })).logLevel).toBe('error');
  });

  it('treats empty env variables as unset and an empty config file as all defaults', async () => {
    await write('switchboard.yaml', '# nothing yet\n');
    const config = await load({ SWITCHBOARD_HTTP_PORT: '', DATABASE_URL: '' });
    expect(config.http.port).toBe(8080);
    expect(config.databaseUrl).toBeNull();
  });

  it('lists every problem of file, env and flags in one ConfigError', async () => {
    await write(
      'switchboard.yaml',
      `logLevel: verbose
htp: { port: 1 }
http: { port: 70000 }
mllp:
  - name: a
    tls: { certFile: missing.pem }
  - name: a
    maxMessageBytes: 10
databaseUrl: mysql://root:hunter2@db/x
dispatch: { concurrency: 0 }
ackSendingApplication: 'A^B'
`,
    );
    const problems = await problemsOf(
      load(
        {
          SWITCHBOARD_MLLP_PORT: 'x',
          SWITCHBOARD_HTTP_PORT: '-1',
          SWITCHBOARD_LOG_LEVEL: 'loud',
          SWITCHBOARD_DEDUP_WINDOW_SECONDS: '1.5',
          SWITCHBOARD_BIND_ADDRESS: 'not an address',
          DATABASE_URL: 'http://x',
        },
        { httpPort: 'abc' },
      ),
    );
    const file = path.join(cwd, 'switchboard.yaml');
    expect(problems).toEqual([
      `${file}:2: htp: unknown key "htp" (did you mean "http"?); known keys: dataDir, databaseUrl, channelsDir, logLevel, http, mllp, dicom, dedupWindowSeconds, dispatch, ackSendingApplication, ackSendingFacility`,
      `${file}:9: databaseUrl: expected a postgres:// or postgresql:// URL`,
      `${file}:1: logLevel: expected one of: error, warn, info, debug, got "verbose"`,
      `${file}:3: http.port: expected an integer from 0 to 65535, got 70000`,
      `${file}:6: mllp[0].tls.certFile: file "missing.pem" not found (looked for ${path.join(cwd, 'missing.pem')})`,
      `${file}:6: mllp[0].tls.keyFile: required: expected a file path`,
      `${file}:8: mllp[1].maxMessageBytes: expected an integer from 1024 to 1073741824, got 10`,
      `${file}:10: dispatch.concurrency: expected an integer from 1 to 1024, got 0`,
      `${file}:11: ackSendingApplication: expected a non-empty string without HL7 delimiters, got "A^B"`,
      'env: SWITCHBOARD_MLLP_PORT: expected an integer from 0 to 65535, got "x"',
      'env: SWITCHBOARD_HTTP_PORT: expected an integer from 0 to 65535, got -1',
      'env: SWITCHBOARD_BIND_ADDRESS: expected a host name or IP address, got "not an address"',
      'env: SWITCHBOARD_DEDUP_WINDOW_SECONDS: expected an integer from 0 to 31536000, got "1.5"',
      'env: SWITCHBOARD_LOG_LEVEL: expected one of: error, warn, info, debug, got "loud"',
      'env: DATABASE_URL: expected a postgres:// or postgresql:// URL',
      'command line: --http-port: expected an integer from 0 to 65535, got "abc"',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reports duplicate listener names and port clashes', async () => {
    await write('switchboard.yaml', 'mllp: [{ name: a, port: 3000 }, { name: a, port: 3001 }]\n');
    expect(await problemsOf(load())).toEqual([
      `${path.join(cwd, 'switchboard.yaml')}:1: mllp[1].name: duplicate listener name "a" (also mllp[0])`,
    ]);
    await write(
      'switchboard.yaml',
      'mllp: [{ name: a, port: 3000 }, { name: b, port: 0 }, { name: c, port: 0 }]\n',
    );
    expect(await problemsOf(load({ SWITCHBOARD_HTTP_PORT: '3000' }))).toEqual([
      `${path.join(cwd, 'switchboard.yaml')}: mllp[0].port: port 3000 is also used by http`,
    ]);
  });

  it('refuses an MLLP listener named http, the name messages posted over HTTP are stored under', async () => {
    await write('switchboard.yaml', 'mllp: [{ name: http, port: 3000 }]\n');
    expect(await problemsOf(load())).toEqual([
      `${path.join(cwd, 'switchboard.yaml')}:1: mllp[0].name: the listener name "http" is reserved for the HTTP ` +
        'listener (POST /api/channels/{id}/messages); choose another name',
    ]);
    await write('switchboard.yaml', 'mllp: [{ name: https, port: 3000 }]\n');
    expect((await load()).mllp[0]?.name).toBe('https');
  });

  it('reports a YAML syntax error with its line, and a missing explicit config file', async () => {
    await write('switchboard.yaml', 'http:\n  port: 1\n bad: [\n');
    const problems = await problemsOf(load());
    expect(problems[0]).toMatch(new RegExp(`^${path.join(cwd, 'switchboard.yaml')}:3: YAML syntax error: `));
    expect(await problemsOf(load({ SWITCHBOARD_CONFIG: 'nope.yaml' }))).toEqual([
      `${path.join(cwd, 'nope.yaml')}: file not found`,
    ]);
  });

  it('reports setting the MLLP port when there is no MLLP listener', async () => {
    await write('switchboard.yaml', 'mllp: []\n');
    expect((await load()).mllp).toEqual([]);
    expect(await problemsOf(load({}, { mllpPort: 1234 }))).toEqual([
      'command line: --mllp-port: there is no MLLP listener to set the port of (mllp: [] in the config file)',
    ]);
  });

  it('expands ${env:NAME} in the config file', async () => {
    await write(
      'switchboard.yaml',
      "databaseUrl: postgres://sb:${env:PGPASS}@db/sb\nhttp: { port: '${env:PORT}' }\n",
    );
    const config = await load({ PGPASS: 'pw', PORT: '8181' });
    expect(config.databaseUrl).toBe('postgres://sb:pw@db/sb');
    expect(config.http.port).toBe(8181);
    expect(await problemsOf(load({ PORT: '8181' }))).toEqual([
      `${path.join(cwd, 'switchboard.yaml')}:1: databaseUrl: environment variable PGPASS is not set`,
    ]);
  });
});
