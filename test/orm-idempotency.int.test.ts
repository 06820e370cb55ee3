/**
 * ORM^O01 idempotency end to end: MLLP in, the shipped `orm` channel (mapping orm-to-fhir, FHIR
 * validation on), the FHIR store out. One order is one ServiceRequest however many messages
 * speak about it: NW then CA updates it (version 2, revoked); NW sent again under a new control
 * ID changes nothing (version 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory, searchByIdentifier } from '../engine/fhir/fhir-store.ts';
import type { FhirResource } from '../engine/fhir/types.ts';
import { sendMllp } from '../listeners/mllp/client.ts';
import { testDatabases } from './support/databases.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { readAck } from './support/hl7-samples.ts';

/** Placer order numbers are assigned by OE here: system urn:switchboard:id:OE. */
const PLACER_SYSTEM = 'urn:switchboard:id:OE';

function orm(o: { controlId: string; control: string; order: string; mrn: string }): string {
  return [
    `MSH|^~\\&|OE|HOSP|LAB|HOSP|20240501101500||ORM^O01^ORM_O01|${o.controlId}|P|2.5.1`,
    `PID|1||${o.mrn}^^^HOSP^MR||TEST^PATIENT||19800101|F`,
    `PV1|1|O|CLINIC^1^A||||||||||||||||V${o.mrn}^^^HOSP^VN`,
    `ORC|${o.control}|${o.order}^OE|||||||20240501101000+0000|||1234^ORDERING^DOC^^^^^^NPI`,
    `OBR|1|${o.order}^OE||2345-7^Glucose^LN|R||||||||||||||||||||||||||R73.9^Hyperglycemia^I10`,
    'NTE|1||Fasting',
  ].join('\r');
}

for (const target of await testDatabases()) {
  describe(`ORM^O01 idempotency on ${target.name}`, () => {
    let fx: EngineFixture;

    beforeAll(async () => {
      fx = await startTestEngine({ database: target.name });
    });

    afterAll(async () => {
      await fx?.stop();
    });

    async function send(...messages: string[]): Promise<void> {
      const acks = await sendMllp({ host: '127.0.0.1', port: fx.engine.mllpPort }, messages);
      expect(acks.map((a) => readAck(a).code)).toEqual(messages.map(() => 'AA'));
      await fx.engine.drain();
    }

    async function statuses(controlIds: string[]): Promise<string[]> {
      const { rows } = await fx.engine.db.query<{ status: string }>(
        'SELECT status FROM messages WHERE control_id = ANY($1) ORDER BY id',
        [controlIds],
      );
      return rows.map((r) => r.status);
    }

    async function order(placer: string): Promise<FhirResource[]> {
      return searchByIdentifier(fx.engine.db, 'ServiceRequest', PLACER_SYSTEM, placer);
    }

    it('NW then CA of the same order: one ServiceRequest, revoked, version 2', async () => {
      await send(orm({ controlId: 'ORM-NW-1', control: 'NW', order: 'ORD-1', mrn: 'M1' }));
      const [created] = await order('ORD-1');
      expect(created).toMatchObject({ status: 'active', intent: 'order', meta: { versionId: '1' } });
      await send(orm({ controlId: 'ORM-CA-1', control: 'CA', order: 'ORD-1', mrn: 'M1' }));
      expect(await statuses(['ORM-NW-1', 'ORM-CA-1'])).toEqual(['processed', 'processed']);
      const found = await order('ORD-1');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ id: created!.id, status: 'revoked', meta: { versionId: '2' } });
      const history = await readHistory(fx.engine.db, 'ServiceRequest', created!.id!);
      expect(history.map((v) => v['status'])).toEqual(['revoked', 'active']);
      // The order names its patient and visit; both exist once, whatever the order messages say.
      const { rows } = await fx.engine.db.query<{ resource_type: string; n: string }>(
        `SELECT resource_type, count(*)::text AS n FROM fhir_resources
          WHERE resource_type IN ('Patient', 'Encounter', 'Practitioner') GROUP BY resource_type ORDER BY 1`,
      );
      expect(rows).toEqual([
        { resource_type: 'Encounter', n: '1' },
        { resource_type: 'Patient', n: '1' },
        { resource_type: 'Practitioner', n: '1' },
      ]);
    });

    it('NW twice (a resend under a new control ID): version 1, unchanged', async () => {
      await send(orm({ controlId: 'ORM-NW-2', control: 'NW', order: 'ORD-2', mrn: 'M2' }));
      const [first] = await order('ORD-2');
      await send(orm({ controlId: 'ORM-NW-2B', control: 'NW', order: 'ORD-2', mrn: 'M2' }));
      expect(await statuses(['ORM-NW-2', 'ORM-NW-2B'])).toEqual(['processed', 'processed']);
      const found = await order('ORD-2');
      expect(found).toHaveLength(1);
      expect(found[0]).toEqual(first);
      expect(found[0]).toMatchObject({ status: 'active', meta: { versionId: '1' } });
      expect(await readHistory(fx.engine.db, 'ServiceRequest', first!.id!)).toHaveLength(1);
    });

    it('HD then RL: on-hold, then active again, one resource', async () => {
      await send(
        orm({ controlId: 'ORM-NW-3', control: 'NW', order: 'ORD-3', mrn: 'M3' }),
        orm({ controlId: 'ORM-HD-3', control: 'HD', order: 'ORD-3', mrn: 'M3' }),
      );
      expect((await order('ORD-3'))[0]).toMatchObject({ status: 'on-hold', meta: { versionId: '2' } });
      await send(orm({ controlId: 'ORM-RL-3', control: 'RL', order: 'ORD-3', mrn: 'M3' }));
      const found = await order('ORD-3');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ status: 'active', meta: { versionId: '3' } });
    });
  });
}
