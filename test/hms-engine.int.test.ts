/**
 * HMS records end to end: ADT over MLLP into a real engine with the shipped channels (adt.yaml's
 * `hms` destination), then the HMS tables, the bed board over HTTP, and a flag on the message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../listeners/mllp/client.ts';
import { adt } from '../engine/hms/testing/hms-messages.ts';
import { startApiEngine, type ApiFixture } from './support/api.ts';
import { readAck } from './support/hl7-samples.ts';

describe('HMS destination in a running engine', () => {
  let f: ApiFixture;
  let client: MllpClient;

  beforeAll(async () => {
    f = await startApiEngine({ database: 'pglite' });
    client = await MllpClient.connect({ host: '127.0.0.1', port: f.engine.mllpPort });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await f?.stop();
  });

  const send = async (text: string) => {
    expect(readAck(await client.send(text)).code).toBe('AA');
    await f.engine.drain();
  };
  const messageId = async (controlId: string) =>
    (
      await f.engine.db.query<{ id: string }>('SELECT id::text AS id FROM messages WHERE control_id = $1', [
        controlId,
      ])
    ).rows[0]!.id;

  it('writes patient, encounter and bed history from ADT over MLLP, and serves the bed board', async () => {
    await send(
      adt({
        trigger: 'A01',
        controlId: 'HMS-1',
        at: '202602010800',
        mrn: '700001',
        visit: 'V700',
        location: 'ICU^1^A',
      }),
    );
    await send(
      adt({
        trigger: 'A02',
        controlId: 'HMS-2',
        at: '202602010900',
        mrn: '700001',
        visit: 'V700',
        location: 'ICU^2^B',
      }),
    );

    const deliveries = await f.engine.store.deliveries(await messageId('HMS-2'));
    expect(deliveries.map((d) => `${d.channelId}/${d.destination}:${d.status}`).sort()).toEqual([
      'adt/fhir:sent',
      'adt/hms:sent',
    ]);
    const enc = await f.engine.db.query<{
      id: string;
      status: string;
      room: string;
      bed: string;
      patient_id: string;
    }>(
      `SELECT e.id::text AS id, e.status, e.room, e.bed, e.patient_id::text AS patient_id FROM hms_encounters e
       WHERE e.visit_number = 'V700'`,
    );
    expect(enc.rows).toHaveLength(1);
    expect(enc.rows[0]).toMatchObject({ status: 'in-progress', room: '2', bed: 'B' });
    const history = await f.engine.db.query<{ bed: string; status: string; event: string }>(
      'SELECT bed, status, event FROM hms_bed_assignments WHERE encounter_id = $1 ORDER BY id',
      [enc.rows[0]!.id],
    );
    expect(history.rows).toEqual([
      { bed: 'A', status: 'closed', event: 'A01' },
      { bed: 'B', status: 'active', event: 'A02' },
    ]);

    const res = await f.call('GET', '/api/hms/bed-board?unit=ICU', { token: f.tokens.operator });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      units: [
        {
          unit: 'ICU',
          occupied: [
            {
              room: '2',
              bed: 'B',
              encounterId: enc.rows[0]!.id,
              patientId: enc.rows[0]!.patient_id,
              since: '2026-02-01T09:00:00.000Z',
            },
          ],
          free: [{ room: '1', bed: 'A' }],
        },
      ],
    });
    const audit = await f.engine.audit.list({ action: 'hms.read', actor: 'operator-user' });
    expect(audit.length).toBeGreaterThan(0);
    expect((await f.call('GET', '/api/hms/bed-board', { token: f.tokens.viewer })).status).toBe(403);
  });

  it('shows a flag on the message (delivery response) for an A03 of an unknown visit', async () => {
    await send(adt({ trigger: 'A03', controlId: 'HMS-3', at: '202602011000', mrn: '700002', visit: 'V701' }));
    const id = await messageId('HMS-3');
    const detail = await f.call<{
      deliveries: { destination: string; status: string; response: string | null }[];
    }>('GET', `/api/messages/${id}`, { token: f.tokens.operator });
    expect(detail.status).toBe(200);
    const hms = detail.body.deliveries.find((d) => d.destination === 'hms')!;
    expect(hms.status).toBe('sent');
    const response = JSON.parse(hms.response!) as { flags: { code: string }[] };
    expect(response.flags.map((fl) => fl.code)).toEqual(['DISCHARGE_UNKNOWN_ENCOUNTER']);
    const stored = await f.engine.db.query<{ code: string }>(
      'SELECT code FROM hms_flags WHERE message_id = $1',
      [id],
    );
    expect(stored.rows).toEqual([{ code: 'DISCHARGE_UNKNOWN_ENCOUNTER' }]);
  });
});
