/**
 * The engine end to end over real sockets: MLLP in, durable store, channels, FHIR store out.
 * Runs on the embedded database (PGlite) and on a real PostgreSQL server.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../listeners/mllp/client.ts';
import { searchByIdentifier, readHistory } from '../engine/fhir/fhir-store.ts';
import { testDatabases } from './support/databases.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { adtMessage, readAck } from './support/hl7-samples.ts';

const MRN_SYSTEM_QUERY = (mrn: string) => ({ value: mrn });

async function patientByMrn(fx: EngineFixture, mrn: string) {
  const { rows } = await fx.engine.db.query<{ resource_type: string; id: string; version_id: number }>(
    `SELECT r.resource_type, r.id, r.version_id FROM fhir_resources r
       JOIN fhir_identifiers i ON i.resource_type = r.resource_type AND i.id = r.id
      WHERE r.resource_type = 'Patient' AND i.value = $1`,
    [MRN_SYSTEM_QUERY(mrn).value],
  );
  return rows;
}

async function messageByControlId(fx: EngineFixture, controlId: string) {
  const { rows } = await fx.engine.db.query<{ id: string; status: string; duplicate_of: string | null }>(
    'SELECT id::text AS id, status, duplicate_of::text AS duplicate_of FROM messages WHERE control_id = $1 ORDER BY id',
    [controlId],
  );
  return rows;
}

for (const target of await testDatabases()) {
  describe(`engine on ${target.name}`, () => {
    let fx: EngineFixture;
    let client: MllpClient;
    const outDir = () => path.join(fx.dir, 'out');

    beforeAll(async () => {
      fx = await startTestEngine({
        database: target.name,
        channels: (dir) => ({
          // A second channel on the same listener: ADT^A01 from MCM also archived to files.
          'archive.yaml': [
            'id: archive',
            'source: { listener: mllp, messageTypes: [ADT^A01] }',
            'filters:',
            '  - sendingFacility: MCM',
            'destinations:',
            '  - name: files',
            '    type: file',
            `    directory: ${JSON.stringify(path.join(dir, 'out'))}`,
          ].join('\n'),
        }),
      });
      client = await MllpClient.connect({ host: '127.0.0.1', port: fx.engine.mllpPort });
    });

    afterAll(async () => {
      await client?.close();
      await fx?.stop();
    });

    it('ACKs an ADT^A01 with AA after storing it, and writes Patient and Encounter to the FHIR store', async () => {
      const ack = readAck(await client.send(adtMessage({ controlId: 'E2E-1', mrn: '500001' })));
      expect(ack.code).toBe('AA');
      expect(ack.controlId).toBe('E2E-1');
      expect(ack.err).toBeNull();
      await fx.engine.drain();
      const [message] = await messageByControlId(fx, 'E2E-1');
      expect(message?.status).toBe('processed');
      const deliveries = await fx.engine.store.deliveries(message!.id);
      expect(deliveries.map((d) => `${d.channelId}/${d.destination}:${d.status}`).sort()).toEqual([
        'adt/fhir:sent',
        'adt/hms:sent',
        'archive/files:sent',
      ]);
      const patients = await patientByMrn(fx, '500001');
      expect(patients).toHaveLength(1);
      const encounters = await fx.engine.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM fhir_resources WHERE resource_type = 'Encounter' AND source_message_id = $1`,
        [message!.id],
      );
      expect(encounters.rows[0]!.n).toBe('1');
      const files = await readdir(outDir());
      expect(files.some((f) => f.includes('E2E-1'))).toBe(true);
    });

    it('keeps the exact bytes of every message', async () => {
      const raw = adtMessage({ controlId: 'E2E-BYTES', mrn: '500002', family: 'MÜLLER' });
      await client.send(raw);
      const [message] = await messageByControlId(fx, 'E2E-BYTES');
      const stored = await fx.engine.store.get(message!.id);
      expect(stored!.raw.equals(Buffer.from(raw, 'utf8'))).toBe(true);
    });

    it('answers AR with an ERR segment for unparseable input, and stores it for review', async () => {
      const garbage = 'this is not HL7\rPID|1||123\r';
      const ack = readAck(await client.send(garbage));
      expect(ack.code).toBe('AR');
      expect(ack.err).toMatch(/100/);
      const { rows } = await fx.engine.db.query<{ status: string; raw: Buffer; ack_code: string }>(
        `SELECT status, raw, ack_code FROM messages WHERE raw = $1`,
        [Buffer.from(garbage)],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.status).toBe('rejected');
      expect(rows[0]!.ack_code).toBe('AR');
    });

    it('answers AE naming MSH-10 when the control ID is missing', async () => {
      const ack = readAck(await client.send(adtMessage({ controlId: '' })));
      expect(ack.code).toBe('AE');
      expect(ack.err).toMatch(/MSH/);
      expect(ack.err).toMatch(/10/);
      expect(ack.err).toMatch(/101/);
    });

    it('answers AR for a message type no channel accepts', async () => {
      const siu = adtMessage({ controlId: 'E2E-SIU' }).replace('ADT^A01^ADT_A01', 'SIU^S12^SIU_S12');
      const ack = readAck(await client.send(siu));
      expect(ack.code).toBe('AR');
      expect(ack.controlId).toBe('E2E-SIU');
      expect(ack.err).toMatch(/200/);
      const [message] = await messageByControlId(fx, 'E2E-SIU');
      expect(message?.status).toBe('rejected');
    });

    it('answers AR for an unsupported HL7 version', async () => {
      const ack = readAck(await client.send(adtMessage({ controlId: 'E2E-V3', version: '3.0' })));
      expect(ack.code).toBe('AR');
      expect(ack.err).toMatch(/203/);
    });

    it('gives a resent message the same ACK and does not process it twice', async () => {
      const raw = adtMessage({ controlId: 'E2E-DUP', mrn: '500003' });
      const first = await client.send(raw);
      await fx.engine.drain();
      const second = await client.send(raw);
      await fx.engine.drain();
      expect(second.equals(first)).toBe(true);
      const rows = await messageByControlId(fx, 'E2E-DUP');
      expect(rows.map((r) => r.status)).toEqual(['processed', 'duplicate']);
      expect(rows[1]!.duplicate_of).toBe(rows[0]!.id);
      expect(await fx.engine.store.deliveries(rows[1]!.id)).toEqual([]);
      const [patient] = await patientByMrn(fx, '500003');
      expect(patient!.version_id).toBe(1);
    });

    it('sends a commit ACK (CA) only, in enhanced mode with MSH-15 AL and MSH-16 NE', async () => {
      const raw = adtMessage({ controlId: 'E2E-ENH', mrn: '500004', msh15: 'AL', msh16: 'NE' });
      const ack = readAck(await client.send(raw));
      expect(ack.code).toBe('CA');
      expect(ack.controlId).toBe('E2E-ENH');
    });

    it('applies one patient’s A01 then A08 in order: the Patient gets a second version', async () => {
      await client.send(adtMessage({ controlId: 'E2E-ORD-1', mrn: '500005', family: 'FIRST' }));
      await client.send(
        adtMessage({ controlId: 'E2E-ORD-2', mrn: '500005', family: 'SECOND', trigger: 'A08' }),
      );
      await fx.engine.drain();
      const [patient] = await patientByMrn(fx, '500005');
      expect(patient!.version_id).toBe(2);
      const history = await readHistory(fx.engine.db, 'Patient', patient!.id);
      const families = history
        .map((h) => JSON.stringify(h))
        .map((s) => (s.includes('SECOND') ? 'SECOND' : 'FIRST'));
      expect(families).toContain('SECOND');
      expect(families).toContain('FIRST');
    });

    it('reprocesses a message without duplicating FHIR resources', async () => {
      await client.send(adtMessage({ controlId: 'E2E-RE', mrn: '500006' }));
      await fx.engine.drain();
      const [message] = await messageByControlId(fx, 'E2E-RE');
      const answer = await fx.engine.reprocess(message!.id);
      expect(answer.ok).toBe(true);
      await fx.engine.drain();
      const stored = await fx.engine.store.get(message!.id);
      expect(stored!.status).toBe('processed');
      expect(stored!.processingRuns).toBe(2);
      const patients = await patientByMrn(fx, '500006');
      expect(patients).toHaveLength(1);
      expect(patients[0]!.version_id).toBe(1);
      const found = await searchByIdentifier(fx.engine.db, 'Patient', 'urn:switchboard:id:MCM', '500006');
      expect(found.length).toBe(1);
    });

    it('holds deliveries while a channel is paused and sends them on resume', async () => {
      await fx.engine.channels.pause('adt');
      await client.send(adtMessage({ controlId: 'E2E-PAUSE', mrn: '500007' }));
      await fx.engine.drain();
      const [message] = await messageByControlId(fx, 'E2E-PAUSE');
      const held = await fx.engine.store.deliveries(message!.id);
      expect(held.find((d) => d.channelId === 'adt')?.status).toBe('queued');
      expect(await patientByMrn(fx, '500007')).toHaveLength(0);
      await fx.engine.channels.start('adt');
      await fx.engine.drain();
      expect(await patientByMrn(fx, '500007')).toHaveLength(1);
    });

    it('refuses a channel reload with problems and keeps the running channels', async () => {
      await writeFile(
        path.join(fx.channelsDir, 'broken.yaml'),
        'id: broken\nsource: { listener: nowhere }\n',
      );
      const result = await fx.engine.reloadChannels();
      expect(result.ok).toBe(false);
      expect(result.problems).toMatch(/broken\.yaml/);
      expect(fx.engine.channels.status().map((c) => c.id)).toContain('adt');
      const ack = readAck(await client.send(adtMessage({ controlId: 'E2E-AFTER', mrn: '500008' })));
      expect(ack.code).toBe('AA');
    });
  });
}

describe('engine under many concurrent connections', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await startTestEngine({ database: 'pglite' });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('answers 40 connections x 10 messages each with their own AA, stores each once, and shares commits', async () => {
    const before = fx.engine.groupCommit();
    const connections = 40;
    const perConnection = 10;
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        const client = await MllpClient.connect({
          host: '127.0.0.1',
          port: fx.engine.mllpPort,
          timeoutMs: 30_000,
        });
        try {
          for (let i = 0; i < perConnection; i++) {
            const controlId = `CC-${c}-${i}`;
            const ack = readAck(
              await client.send(adtMessage({ controlId, mrn: `7${c}${String(i).padStart(4, '0')}` })),
            );
            expect(`${ack.code} ${ack.controlId}`).toBe(`AA ${controlId}`);
          }
        } finally {
          await client.close();
        }
      }),
    );
    const after = fx.engine.groupCommit();
    const requests = after.requests - before.requests;
    const batches = after.batches - before.batches;
    expect(requests).toBe(connections * perConnection);
    // Group commit: concurrent senders share transactions.
    expect(batches).toBeLessThan(requests);
    expect(after.largestBatch).toBeGreaterThan(1);
    await fx.engine.drain();
    const { rows } = await fx.engine.db.query<{ n: string; distinct_ids: string; processed: string }>(
      `SELECT count(*)::text AS n, count(DISTINCT control_id)::text AS distinct_ids,
              count(*) FILTER (WHERE status = 'processed')::text AS processed
         FROM messages WHERE control_id LIKE 'CC-%'`,
    );
    expect(rows[0]).toEqual({ n: '400', distinct_ids: '400', processed: '400' });
  }, 120_000);
});
