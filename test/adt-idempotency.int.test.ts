/**
 * ADT -> FHIR idempotency through the real engine (MLLP in, shipped adt channel, adt-to-fhir,
 * FHIR store): a resent message changes nothing, A08 after A01 updates the same resources, A11
 * cancels the visit in place, A12 restores the location, A40 links the merged and surviving patients.
 * The dedup window is 0 so a resent message really is processed again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory, readResource, searchByIdentifier } from '../engine/fhir/fhir-store.ts';
import type { Encounter, FhirResource, Patient } from '../engine/fhir/types.ts';
import { sendMllp } from '../listeners/mllp/client.ts';
import { testDatabases } from './support/databases.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { readAck } from './support/hl7-samples.ts';

const SYSTEM = 'urn:switchboard:id:MCM';

interface AdtSpec {
  readonly controlId: string;
  readonly trigger: string;
  readonly mrn: string;
  readonly family?: string;
  readonly visit?: string;
  readonly assigned?: string;
  readonly prior?: string;
  readonly mrg?: string;
}

function adt(o: AdtSpec): string {
  const pv1 = Array.from({ length: 45 }, () => '');
  Object.assign(pv1, {
    0: 'PV1',
    1: '1',
    2: 'I',
    3: o.assigned ?? 'W4^401^1^MCM',
    6: o.prior ?? '',
    7: '1234^ATTEND^ANNE',
    19: `${o.visit ?? `V${o.mrn}`}^^^MCM^VN`,
    44: '20260401080000+0000',
  });
  const segments = [
    `MSH|^~\\&|REGADT|MCM|SWITCHBOARD|HOSP|20260401090000||ADT^${o.trigger}|${o.controlId}|P|2.5.1`,
    `EVN|${o.trigger}|20260401090000`,
    `PID|1||${o.mrn}^^^MCM^MR||${o.family ?? 'DOE'}^JANE||19800101|F`,
    ...(o.mrg ? [`MRG|${o.mrg}^^^MCM^MR`] : [pv1.join('|')]),
  ];
  return `${segments.join('\r')}\r`;
}

for (const target of await testDatabases()) {
  describe(`ADT idempotency on ${target.name}`, () => {
    let fx: EngineFixture;

    beforeAll(async () => {
      fx = await startTestEngine({
        database: target.name,
        env: { SWITCHBOARD_DEDUP_WINDOW_SECONDS: '0' },
      });
    });
    afterAll(async () => {
      await fx?.stop();
    });

    async function send(...messages: string[]): Promise<void> {
      const acks = await sendMllp({ host: '127.0.0.1', port: fx.engine.mllpPort }, messages);
      expect(acks.map((a) => readAck(a).code)).toEqual(messages.map(() => 'AA'));
      await fx.engine.drain();
      const ids = messages.map((m) => m.split('|')[9]!);
      const { rows } = await fx.engine.db.query<{ status: string }>(
        'SELECT status FROM messages WHERE control_id = ANY($1::text[])',
        [ids],
      );
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'processed'));
    }

    async function one<T extends FhirResource>(type: string, value: string): Promise<T> {
      const found = await searchByIdentifier(fx.engine.db, type, SYSTEM, value);
      expect(found, `${type} ${value}`).toHaveLength(1);
      return found[0] as T;
    }

    async function countFor(patient: Patient): Promise<{ encounters: number; patients: number }> {
      const { rows } = await fx.engine.db.query<{ type: string; n: string }>(
        `SELECT resource_type AS type, count(*)::text AS n FROM fhir_resources
          WHERE (resource_type = 'Encounter' AND resource->'subject'->>'reference' = $1)
             OR (resource_type = 'Patient' AND id = $2)
          GROUP BY resource_type`,
        [`Patient/${patient.id}`, patient.id],
      );
      const n = (t: string) => Number(rows.find((r) => r.type === t)?.n ?? 0);
      return { encounters: n('Encounter'), patients: n('Patient') };
    }

    it('the same message twice: one Patient, one Encounter, both still version 1', async () => {
      const message = adt({ controlId: 'IDEM-1', trigger: 'A01', mrn: '710001' });
      await send(message);
      await send(message);
      const { rows } = await fx.engine.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM messages WHERE control_id = 'IDEM-1' AND status = 'processed'`,
      );
      expect(rows[0]!.n).toBe('2'); // really processed twice
      const patient = await one<Patient>('Patient', '710001');
      const encounter = await one<Encounter>('Encounter', 'V710001');
      expect(patient.meta?.versionId).toBe('1');
      expect(encounter.meta?.versionId).toBe('1');
      expect(encounter.subject?.reference).toBe(`Patient/${patient.id}`);
      expect(await countFor(patient)).toEqual({ encounters: 1, patients: 1 });
    });

    it('A01 then A08: the same Patient and Encounter ids; the Patient at version 2 with the update', async () => {
      await send(adt({ controlId: 'UPD-1', trigger: 'A01', mrn: '710002', family: 'BEFORE' }));
      const before = await one<Patient>('Patient', '710002');
      const encounterBefore = await one<Encounter>('Encounter', 'V710002');
      await send(adt({ controlId: 'UPD-2', trigger: 'A08', mrn: '710002', family: 'AFTER' }));
      const after = await one<Patient>('Patient', '710002');
      expect(after.id).toBe(before.id);
      expect(after.meta?.versionId).toBe('2');
      expect(after.name?.[0]?.family).toBe('AFTER');
      const history = await readHistory(fx.engine.db, 'Patient', after.id!);
      expect(history.map((p) => (p as Patient).name?.[0]?.family)).toEqual(['AFTER', 'BEFORE']);
      const encounterAfter = await one<Encounter>('Encounter', 'V710002');
      expect(encounterAfter.id).toBe(encounterBefore.id);
      expect(encounterAfter.status).toBe('in-progress'); // A08 keeps what PV1-2 says, not "unknown"
      expect(encounterAfter.meta?.versionId).toBe('1'); // same visit content: unchanged
      expect(await countFor(after)).toEqual({ encounters: 1, patients: 1 });
    });

    it('A01 then A11: the same Encounter, now cancelled (version 2); no duplicate', async () => {
      await send(adt({ controlId: 'CXL-1', trigger: 'A01', mrn: '710003' }));
      const admitted = await one<Encounter>('Encounter', 'V710003');
      expect(admitted.status).toBe('in-progress');
      await send(adt({ controlId: 'CXL-2', trigger: 'A11', mrn: '710003' }));
      const cancelled = await one<Encounter>('Encounter', 'V710003');
      expect(cancelled.id).toBe(admitted.id);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.meta?.versionId).toBe('2');
      expect(cancelled.location?.[0]?.status).toBeUndefined();
      expect(await countFor(await one<Patient>('Patient', '710003'))).toEqual({ encounters: 1, patients: 1 });
    });

    it('A01, A02 then A12: the transfer shows in the history, the cancel restores the first location', async () => {
      const w4 = 'Facility MCM, Point of care W4, Room 401, Bed 1';
      const w5 = 'Facility MCM, Point of care W5, Room 501, Bed 2';
      await send(adt({ controlId: 'TRF-1', trigger: 'A01', mrn: '710004', assigned: 'W4^401^1^MCM' }));
      await send(
        adt({
          controlId: 'TRF-2',
          trigger: 'A02',
          mrn: '710004',
          assigned: 'W5^501^2^MCM',
          prior: 'W4^401^1^MCM',
        }),
      );
      const moved = await one<Encounter>('Encounter', 'V710004');
      expect(moved.location?.map((l) => [l.location.display, l.status])).toEqual([
        [w5, 'active'],
        [w4, 'completed'],
      ]);
      await send(
        adt({
          controlId: 'TRF-3',
          trigger: 'A12',
          mrn: '710004',
          assigned: 'W4^401^1^MCM',
          prior: 'W5^501^2^MCM',
        }),
      );
      const restored = await one<Encounter>('Encounter', 'V710004');
      expect(restored.id).toBe(moved.id);
      expect(restored.meta?.versionId).toBe('3');
      expect(restored.status).toBe('in-progress');
      expect(restored.location?.map((l) => [l.location.display, l.status])).toEqual([[w4, 'active']]);
    });

    it('A40 merge: survivor replaces the merged patient, which is inactive and replaced-by the survivor', async () => {
      await send(
        adt({ controlId: 'MRG-1', trigger: 'A01', mrn: '710005', family: 'OLDREC' }),
        adt({ controlId: 'MRG-2', trigger: 'A01', mrn: '710006', family: 'NEWREC' }),
      );
      const mergedBefore = await one<Patient>('Patient', '710005');
      await send(adt({ controlId: 'MRG-3', trigger: 'A40', mrn: '710006', family: 'NEWREC', mrg: '710005' }));
      const survivor = await one<Patient & { link?: unknown }>('Patient', '710006');
      const merged = await one<Patient & { link?: unknown; active?: boolean }>('Patient', '710005');
      expect(merged.id).toBe(mergedBefore.id);
      expect(survivor.link).toEqual([
        { other: { reference: `Patient/${merged.id}`, type: 'Patient' }, type: 'replaces' },
      ]);
      expect(merged.active).toBe(false);
      expect(merged.link).toEqual([
        { other: { reference: `Patient/${survivor.id}`, type: 'Patient' }, type: 'replaced-by' },
      ]);
      expect(merged.meta?.versionId).toBe('2');
      // The merged record's demographics stay in its history (the MRG carries none of them).
      const previous = (await readHistory(fx.engine.db, 'Patient', merged.id!))[1] as Patient;
      expect(previous.name?.[0]?.family).toBe('OLDREC');
      // Its Encounter still points at it; nothing was duplicated.
      expect(await countFor(merged)).toEqual({ encounters: 1, patients: 1 });
      expect(await countFor(survivor)).toEqual({ encounters: 1, patients: 1 });
      // Resending the merge changes nothing.
      await send(adt({ controlId: 'MRG-3', trigger: 'A40', mrn: '710006', family: 'NEWREC', mrg: '710005' }));
      expect((await readResource(fx.engine.db, 'Patient', merged.id!))?.meta?.versionId).toBe('2');
      expect((await readResource(fx.engine.db, 'Patient', survivor.id!))?.meta?.versionId).toBe('2');
    });
  });
}
