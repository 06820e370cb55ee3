/**
 * The shipped channels with `validate: true`, end to end over MLLP on a real engine: a valid ADT
 * is written with its MessageHeader and a Provenance that targets every resource written; a
 * message whose mapping yields an invalid resource becomes an error with the validator's
 * explanation (paths, no values) and writes nothing; reprocessing writes no new versions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../listeners/mllp/client.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { adtMessage, readAck } from './support/hl7-samples.ts';

describe('channel option validate: true (shipped adt channel, PGlite)', () => {
  let fx: EngineFixture;
  let client: MllpClient;

  beforeAll(async () => {
    fx = await startTestEngine({ database: 'pglite' });
    client = await MllpClient.connect({ host: '127.0.0.1', port: fx.engine.mllpPort });
  });

  afterAll(async () => {
    await client?.close();
    await fx?.stop();
  });

  async function messageId(controlId: string): Promise<string> {
    const { rows } = await fx.engine.db.query<{ id: string }>(
      'SELECT id::text AS id FROM messages WHERE control_id = $1 ORDER BY id',
      [controlId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.id;
  }

  async function resourcesFrom(id: string) {
    const { rows } = await fx.engine.db.query<{
      resource_type: string;
      id: string;
      version_id: number;
      resource: Record<string, unknown>;
    }>(
      `SELECT resource_type, id, version_id, resource FROM fhir_resources
        WHERE source_message_id = $1::bigint ORDER BY resource_type, id`,
      [id],
    );
    return rows;
  }

  it('a valid ADT^A01 is written with MessageHeader and a Provenance targeting every resource', async () => {
    const ack = readAck(await client.send(adtMessage({ controlId: 'VAL-1', mrn: '700001' })));
    expect(ack.code).toBe('AA');
    await fx.engine.drain();
    const id = await messageId('VAL-1');
    expect((await fx.engine.store.get(id))?.status).toBe('processed');
    const rows = await resourcesFrom(id);
    const types = rows.map((r) => r.resource_type);
    expect(types).toEqual(expect.arrayContaining(['MessageHeader', 'Patient', 'Encounter', 'Provenance']));
    const provenance = rows.find((r) => r.resource_type === 'Provenance')!;
    const targets = (provenance.resource.target as { reference: string }[]).map((t) => t.reference).sort();
    const others = rows
      .filter((r) => r.resource_type !== 'Provenance')
      .map((r) => `${r.resource_type}/${r.id}`);
    expect(targets).toEqual(others.sort());
    expect(provenance.resource.entity).toEqual([
      expect.objectContaining({
        role: 'source',
        what: expect.objectContaining({ identifier: { system: 'urn:switchboard:message', value: id } }),
      }),
    ]);
    for (const r of rows)
      expect((r.resource.meta as { source: string }).source).toBe(`urn:switchboard:message:${id}`);
  });

  it('reprocessing the message writes no new version of anything, MessageHeader and Provenance included', async () => {
    const id = await messageId('VAL-1');
    const before = await resourcesFrom(id);
    expect((await fx.engine.reprocess(id)).ok).toBe(true);
    await fx.engine.drain();
    expect((await fx.engine.store.get(id))?.status).toBe('processed');
    const after = await resourcesFrom(id);
    expect(after.map((r) => `${r.resource_type}/${r.id}@${r.version_id}`)).toEqual(
      before.map((r) => `${r.resource_type}/${r.id}@${r.version_id}`),
    );
    expect(after.every((r) => r.version_id === 1)).toBe(true);
  });

  it('an invalid resource makes the message an error with the explanation, and nothing is written', async () => {
    // PV1-2 claims a v3-ActCode patient class that does not exist: Encounter.class fails validation.
    const raw = adtMessage({ controlId: 'VAL-2', mrn: '700002' }).replace(
      'PV1|1|I|',
      'PV1|1|ZZ^^http://terminology.hl7.org/CodeSystem/v3-ActCode|',
    );
    const ack = readAck(await client.send(raw));
    expect(ack.code).toBe('AA'); // accepted and stored; validation is part of processing
    await fx.engine.drain();
    const id = await messageId('VAL-2');
    expect((await fx.engine.store.get(id))?.status).toBe('error');
    const results = await fx.engine.store.channelResults(id);
    const adt = results.find((r) => r.channelId === 'adt');
    expect(adt?.status).toBe('error');
    expect(adt?.error).toMatch(
      /^FHIR validation failed \(1 error\): entry\[\d+\] Encounter\.class: coding claims http:\/\/terminology\.hl7\.org\/CodeSystem\/v3-ActCode but is not in http:\/\/terminology\.hl7\.org\/ValueSet\/v3-ActEncounterCode$/,
    );
    expect(adt?.error).not.toMatch(/ZZ|700002|EVERYWOMAN/);
    expect(await fx.engine.store.deliveries(id)).toEqual([]);
    expect(await resourcesFrom(id)).toEqual([]);
  });
});
