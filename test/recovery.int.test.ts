/**
 * kill -9 in the middle of a stream, restart: every ACKed message is in the store and is processed
 * exactly once into the FHIR store. Real child processes, real sockets, the embedded database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../listeners/mllp/client.ts';
import { controlCall } from '../engine/control/control-socket.ts';
import { openDatabase } from '../engine/db/open.ts';
import pg from 'pg';
import { TEST_DATABASE_URL, testDatabases } from './support/databases.ts';
import { REPO_ROOT } from './support/engine-fixture.ts';
import { startEngineProcess } from './support/engine-process.ts';
import { adtMessage, readAck } from './support/hl7-samples.ts';

const CONNECTIONS = 4;
const KILL_AFTER_ACKS = 120;
const MAX_PER_CONNECTION = 400;

interface Stats {
  byStatus: Record<string, number>;
  deliveriesByStatus: Record<string, number>;
  pendingDispatch: number;
}

async function waitUntilSettled(dataDir: string, timeoutMs: number): Promise<Stats> {
  const deadline = Date.now() + timeoutMs;
  let last: Stats | null = null;
  while (Date.now() < deadline) {
    last = (await controlCall(dataDir, 'GET', '/stats')) as Stats | null;
    if (
      last &&
      (last.byStatus.received ?? 0) === 0 &&
      (last.deliveriesByStatus.queued ?? 0) === 0 &&
      last.pendingDispatch === 0
    ) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`engine did not settle in ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** A database of its own on the server for one crash test (the engine process gets it as DATABASE_URL). */
async function serverDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sb_crash_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

for (const target of await testDatabases()) {
  describe(`crash recovery (kill -9) on ${target.name}`, () => {
    let dir = '';
    let server: { url: string; drop(): Promise<void> } | null = null;
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      await server?.drop();
    });

    it('processes every ACKed message exactly once after a kill -9 and restart', async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'switchboard-crash-'));
      const dataDir = path.join(dir, 'data');
      if (target.name === 'postgres') server = await serverDatabase();
      const env = {
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_CHANNELS_DIR: path.join(REPO_ROOT, 'channels'),
        ...(server ? { DATABASE_URL: server.url } : {}),
      };

      const first = await startEngineProcess(env);
      const acked = new Set<string>();
      let killed = false;
      const senders = Array.from({ length: CONNECTIONS }, async (_, c) => {
        const client = await MllpClient.connect({
          host: '127.0.0.1',
          port: first.mllpPort,
          timeoutMs: 10_000,
        });
        try {
          for (let i = 0; i < MAX_PER_CONNECTION && !killed; i++) {
            const controlId = `CRASH-${c}-${i}`;
            const message = adtMessage({ controlId, mrn: `9${c}${String(i).padStart(5, '0')}` });
            const ack = readAck(await client.send(message));
            if (ack.code !== 'AA' || ack.controlId !== controlId)
              throw new Error(`bad ACK for ${controlId}: ${ack.text}`);
            acked.add(controlId);
            if (acked.size >= KILL_AFTER_ACKS && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        } catch {
          // The engine was killed mid-stream: sends in flight fail, which is the point.
        } finally {
          await client.close().catch(() => undefined);
        }
      });
      await Promise.all(senders);
      expect(killed).toBe(true);
      expect(await first.exited).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

      const second = await startEngineProcess(env);
      try {
        const stats = await waitUntilSettled(dataDir, 60_000);
        expect(stats.deliveriesByStatus.error ?? 0).toBe(0);
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }

      const db = await openDatabase({ databaseUrl: server?.url ?? null, dataDir });
      try {
        const messages = await db.query<{ control_id: string; status: string; n: string }>(
          `SELECT control_id, min(status) AS status, count(*)::text AS n FROM messages
          WHERE control_id LIKE 'CRASH-%' GROUP BY control_id`,
        );
        const byControl = new Map(messages.rows.map((r) => [r.control_id, r]));
        for (const id of acked) {
          const row = byControl.get(id);
          expect(row, `ACKed ${id} missing from the store`).toBeDefined();
          expect(row!.n).toBe('1');
          expect(row!.status).toBe('processed');
        }
        // Every stored message (ACKed or committed just before the kill) was delivered exactly once.
        const deliveries = await db.query<{
          control_id: string;
          n: string;
          sent: string;
          ok_attempts: string;
        }>(
          `SELECT m.control_id, count(d.id)::text AS n,
                count(*) FILTER (WHERE d.status = 'sent')::text AS sent,
                (SELECT count(*) FROM delivery_attempts a JOIN deliveries d2 ON d2.id = a.delivery_id
                  WHERE d2.message_id = m.id AND a.ok)::text AS ok_attempts
           FROM messages m JOIN deliveries d ON d.message_id = m.id
          WHERE m.control_id LIKE 'CRASH-%' GROUP BY m.id, m.control_id`,
        );
        expect(deliveries.rows.length).toBe(messages.rows.length);
        for (const row of deliveries.rows) {
          expect(row, row.control_id).toMatchObject({ n: '2', sent: '2', ok_attempts: '2' });
        }
        // Exactly once into the FHIR store: one Patient per message, never a second version.
        const patients = await db.query<{ n: string; max_version: number }>(
          `SELECT count(*)::text AS n, max(version_id) AS max_version FROM fhir_resources WHERE resource_type = 'Patient'`,
        );
        expect(patients.rows[0]!.n).toBe(String(messages.rows.length));
        expect(patients.rows[0]!.max_version).toBe(1);
        const history = await db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM fhir_resource_history WHERE resource_type = 'Patient'`,
        );
        expect(history.rows[0]!.n).toBe(String(messages.rows.length));
      } finally {
        await db.close();
      }
    }, 180_000);
  });
}
