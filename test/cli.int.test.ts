/**
 * The `switchboard` CLI as operators run it: real child processes (`node --import tsx engine/cli/main.ts`),
 * temp data folders, ports 0 on 127.0.0.1, the embedded database. One running engine serves the
 * send / status / reprocess / channels checks, in order.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCall } from '../engine/control/control-socket.ts';
import { openDatabase } from '../engine/db/open.ts';
import { REPO_ROOT } from './support/engine-fixture.ts';
import { runCliToEnd, startEngineProcess, type EngineProcess } from './support/engine-process.ts';
import { adtMessage } from './support/hl7-samples.ts';

interface Stats {
  byStatus: Record<string, number>;
  deliveriesByStatus: Record<string, number>;
  pendingDispatch: number;
}

/** Patient data of the test messages: must never reach the logs at the default level. */
const PATIENT = { family: 'ZYXWVUTSON', given: 'QUILLANDRA', mrn: 'MRNQX7731' };
const SHIPPED_CHANNELS = path.join(REPO_ROOT, 'channels');

const cli = runCliToEnd;

/** MSA-1 and MSA-2 of every ACK `switchboard send` printed. */
function acks(stdout: string): Array<{ code: string; controlId: string }> {
  return [...stdout.matchAll(/^MSA\|([A-Z]{2})\|([^|\n]*)/gm)].map((m) => ({
    code: m[1]!,
    controlId: m[2]!,
  }));
}

function message(controlId: string): string {
  return adtMessage({ controlId, ...PATIENT });
}

describe('switchboard CLI', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-cli-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.concurrent('without a running engine', () => {
    it('validates the shipped channels', async () => {
      const r = await cli(['channels', 'validate', '--dir', SHIPPED_CHANNELS]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^3 channel\(s\) valid, 0 DICOM channel\(s\) valid/);
      expect(r.code).toBe(0);
    });

    it('lists every problem of bad channel files with file, line, path and expectation', async () => {
      const bad = await badChannels(path.join(dir, 'validate'));
      const dicomFile = path.join(bad.dir, 'dicom', 'c-bad.yaml');
      await mkdir(path.dirname(dicomFile), { recursive: true });
      await writeFile(
        dicomFile,
        'id: c-bad\ndestinations:\n  - { name: out, type: dicom-forward, ae: NOWHERE }\n',
      );
      const r = await cli(['channels', 'validate', '--dir', bad.dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`${dicomFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: .*NOWHERE`),
      );
      expect(r.stderr).toContain(
        `${bad.a}:5: destinaton: unknown key "destinaton" (did you mean "destinations"?)`,
      );
      expect(r.stderr).toContain(
        `${bad.b}:3: source.listener: unknown listener "nowhere"; known listeners: mllp`,
      );
      expect(r.stderr).toContain(
        `${bad.b}:9: destinations[0].port: expected an integer from 1 to 65535, got "abc"`,
      );
    });

    it('start with bad channel files exits 2, lists every problem and opens no port', async () => {
      const bad = await badChannels(path.join(dir, 'start-bad'));
      const dataDir = path.join(dir, 'start-bad', 'data');
      // Had the engine tried to listen first, this held port would fail it differently (exit 1, EADDRINUSE).
      const held = net.createServer();
      await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
      try {
        const r = await cli(['start', '--channels', bad.dir], {
          SWITCHBOARD_DATA_DIR: dataDir,
          SWITCHBOARD_MLLP_PORT: String((held.address() as net.AddressInfo).port),
          SWITCHBOARD_HTTP_PORT: '0',
          SWITCHBOARD_BIND_ADDRESS: '127.0.0.1',
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('configuration is not valid');
        expect(r.stderr).toContain(`${bad.a}:5: destinaton: unknown key "destinaton"`);
        expect(r.stderr).toContain(`${bad.b}:3: source.listener: unknown listener "nowhere"`);
        expect(r.stderr).toContain(`${bad.b}:9: destinations[0].port: expected an integer from 1 to 65535`);
        expect(r.stdout).not.toContain('listener up');
        expect(r.stdout).not.toContain('"event":"ready"');
        // Not even the data folder (lock, database, control socket) was created.
        await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
      } finally {
        await new Promise((resolve) => held.close(resolve));
      }
    });

    it('start with a bad environment value names the variable and what was expected', async () => {
      const r = await cli(['start'], {
        SWITCHBOARD_DATA_DIR: path.join(dir, 'bad-env'),
        SWITCHBOARD_MLLP_PORT: 'abc',
        SWITCHBOARD_HTTP_PORT: '0',
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('SWITCHBOARD_MLLP_PORT: expected an integer from 0 to 65535, got "abc"');
      expect(r.stdout).not.toContain('"event":"ready"');
    });

    it('channels start fails clearly when no engine runs; channels list falls back to the files', async () => {
      const env = {
        SWITCHBOARD_DATA_DIR: path.join(dir, 'no-engine'),
        SWITCHBOARD_CHANNELS_DIR: SHIPPED_CHANNELS,
      };
      const [start, list] = await Promise.all([
        cli(['channels', 'start', 'adt'], env),
        cli(['channels', 'list'], env),
      ]);
      expect(start.code).toBe(1);
      expect(start.stderr).toContain(`no engine is running on data folder ${env.SWITCHBOARD_DATA_DIR}`);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^adt\tenabled\tmllp\tADT\t-> fhir\(fhir-store\), hms\(hms\)$/m);
    });
  });

  describe('against a running engine', () => {
    let engine: EngineProcess | undefined;
    let dataDir = '';
    let env: Record<string, string> = {};
    const files = { one: '', two: '', lf: '', rejected: '' };

    beforeAll(async () => {
      dataDir = path.join(dir, 'engine-data');
      env = {
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_CHANNELS_DIR: SHIPPED_CHANNELS,
        // Chosen, so the first start prints no password banner and every output line is a JSON log line.
        SWITCHBOARD_ADMIN_PASSWORD: 'cli test admin password',
      };
      const msgDir = path.join(dir, 'messages');
      await mkdir(msgDir, { recursive: true });
      const contents = {
        one: message('CLI-1'),
        two: message('CLI-2') + message('CLI-3'),
        lf: message('CLI-4').replace(/\r/g, '\n'),
        rejected: message('CLI-5'),
      };
      for (const [name, text] of Object.entries(contents)) {
        files[name as keyof typeof files] = path.join(msgDir, `${name}.hl7`);
        await writeFile(path.join(msgDir, `${name}.hl7`), text);
      }
      engine = await startEngineProcess(env);
    }, 60_000);

    afterAll(async () => {
      if (!engine) return;
      if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGKILL');
      await engine.exited;
    });

    const running = (): EngineProcess => {
      if (!engine) throw new Error('the engine did not start');
      return engine;
    };
    const send = (file: string) => cli(['send', file, '--port', String(running().mllpPort)]);

    /** Bounded poll of the engine's counts through the control socket. */
    async function waitForStats(done: (s: Stats) => boolean, what: string): Promise<Stats> {
      const deadline = Date.now() + 20_000;
      let last: Stats | null = null;
      while (Date.now() < deadline) {
        last = (await controlCall(dataDir, 'GET', '/stats')) as Stats | null;
        if (last && done(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    }
    const settled = (processed: number) => (s: Stats) =>
      (s.byStatus.processed ?? 0) === processed &&
      (s.byStatus.received ?? 0) === 0 &&
      s.pendingDispatch === 0 &&
      (s.deliveriesByStatus.queued ?? 0) === 0;

    async function liveStates(): Promise<Record<string, string>> {
      const r = await cli(['channels', 'list', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const rows = JSON.parse(r.stdout) as Array<{ id: string; state: string }>;
      return Object.fromEntries(rows.map((row) => [row.id, row.state]));
    }

    it('send prints the AA ACK of a file, with MSA-2 = its control id', async () => {
      const r = await send(files.one);
      expect(r.code, r.stderr).toBe(0);
      expect(acks(r.stdout)).toEqual([{ code: 'AA', controlId: 'CLI-1' }]);
    });

    it('send prints one ACK per message of a file holding two', async () => {
      const r = await send(files.two);
      expect(r.code, r.stderr).toBe(0);
      expect(acks(r.stdout)).toEqual([
        { code: 'AA', controlId: 'CLI-2' },
        { code: 'AA', controlId: 'CLI-3' },
      ]);
    });

    it('send accepts a file with \\n line endings (sent with \\r)', async () => {
      const r = await send(files.lf);
      expect(r.code, r.stderr).toBe(0);
      expect(acks(r.stdout)).toEqual([{ code: 'AA', controlId: 'CLI-4' }]);
    });

    it('status shows the processed messages and sent deliveries', async () => {
      await waitForStats(settled(4), '4 processed messages');
      const r = await cli(['status'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^messages: +.*\bprocessed 4\b/m);
      expect(r.stdout).toMatch(/^deliveries: .*\bsent 8\b/m);
    });

    it('reprocess runs a processed message again through the running engine', async () => {
      // A fresh database numbers messages from 1: CLI-1 was sent first, alone (checked in the DB at the end).
      const r = await cli(['reprocess', '1'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('message 1 queued for reprocessing');
      const stats = await waitForStats(
        (s) => settled(4)(s) && (s.deliveriesByStatus.sent ?? 0) === 10,
        'the reprocessed message',
      );
      expect(stats.deliveriesByStatus.error ?? 0).toBe(0);
    });

    it('reprocess of an unknown message id exits 1 and says so', async () => {
      const r = await cli(['reprocess', '999999'], env);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('no message 999999');
    });

    it('channels pause / start / stop change the live state shown by channels list', async () => {
      expect(await liveStates()).toEqual({ adt: 'started', orm: 'started', oru: 'started' });
      for (const [action, state] of [
        ['pause', 'paused'],
        ['start', 'started'],
        ['stop', 'stopped'],
      ] as const) {
        const r = await cli(['channels', action, 'adt'], env);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(`channel adt is ${state}`);
        expect(await liveStates()).toEqual({ adt: state, orm: 'started', oru: 'started' });
      }
      const unknown = await cli(['channels', 'pause', 'nope'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no channel "nope" is deployed');
    });

    it('an ADT message is rejected (AR) once the adt channel is stopped', async () => {
      const r = await send(files.rejected);
      expect(r.code).toBe(1);
      expect(acks(r.stdout)).toEqual([{ code: 'AR', controlId: 'CLI-5' }]);
    });

    it('a second start on the same data folder fails clearly', async () => {
      const r = await cli(['start'], { ...env, SWITCHBOARD_MLLP_PORT: '0', SWITCHBOARD_HTTP_PORT: '0' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`data folder ${dataDir} is in use by process ${running().child.pid}`);
      expect(r.stdout).not.toContain('"event":"ready"');
      // The first engine is unharmed.
      expect(await controlCall(dataDir, 'GET', '/stats')).not.toBeNull();
    });

    it('logs no patient data at the default level; the reprocessed message ran twice', async () => {
      running().child.kill('SIGTERM');
      expect(await running().exited).toBe(0);
      const log = running().output();
      const lines = log.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
      expect(log).toContain('message queued for reprocessing');
      expect(log).toContain('message rejected');
      for (const value of Object.values(PATIENT)) expect(log).not.toContain(value);

      const db = await openDatabase({ databaseUrl: null, dataDir });
      try {
        const rows = await db.query<{
          id: string;
          control_id: string;
          processing_runs: number;
          status: string;
        }>(`SELECT id::text AS id, control_id, processing_runs, status FROM messages ORDER BY id`);
        expect(rows.rows.map((r) => [r.id, r.control_id, r.processing_runs, r.status])).toEqual([
          ['1', 'CLI-1', 2, 'processed'],
          ['2', 'CLI-2', 1, 'processed'],
          ['3', 'CLI-3', 1, 'processed'],
          ['4', 'CLI-4', 1, 'processed'],
          ['5', 'CLI-5', 1, 'rejected'],
        ]);
        // What the control socket did is audited under the engine's own OS account.
        const audit = await db.query<{ actor: string; action: string; target: string }>(
          `SELECT actor, action, target FROM audit_log WHERE detail->>'via' = 'control-socket' ORDER BY seq`,
        );
        const actions = audit.rows.map((r) => `${r.action} ${r.target}`);
        expect(actions).toContain('message.reprocess message/1');
        expect(actions).toEqual(
          expect.arrayContaining(['channel.state channel/adt', 'channel.state channel/adt']),
        );
        expect(new Set(audit.rows.map((r) => r.actor)).size).toBe(1);
        expect(audit.rows[0]?.actor).toMatch(/^cli:/);
      } finally {
        await db.close();
      }
    });
  });
});

/** Two channel files with three mistakes between them: an unknown key, a bad port, an unknown listener. */
async function badChannels(base: string): Promise<{ dir: string; a: string; b: string }> {
  const dir = path.join(base, 'channels');
  await mkdir(dir, { recursive: true });
  const a = path.join(dir, 'a-bad.yaml');
  const b = path.join(dir, 'b-bad.yaml');
  // Line numbers matter: the problems name them (a-bad.yaml:5, b-bad.yaml:3 and :9).
  const yamlA = `id: bad-a
source:
  listener: mllp
  messageTypes: ADT
destinaton:
  - { name: x, type: file }
`;
  const yamlB = `id: bad-b
source:
  listener: nowhere
  messageTypes: ADT
destinations:
  - name: lab
    type: mllp
    host: 127.0.0.1
    port: abc
`;
  await Promise.all([writeFile(a, yamlA), writeFile(b, yamlB)]);
  return { dir, a, b };
}
