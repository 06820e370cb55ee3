/**
 * HMS writer and bed board on the real databases (PGlite and PostgreSQL): the ADT bed semantics
 * over an admit/transfer/cancel/discharge sequence, flags, orders with status history, results
 * updated in place, and A40 merges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../db/sql.ts';
import { Hl7Message } from '../hl7/message.ts';
import { createIdentifierSystemTable } from '../../mappings/identifier-systems.ts';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { bedBoard } from './bed-board.ts';
import { writeHms } from './hms-writer.ts';
import { a40, adt, orm, oru } from './testing/hms-messages.ts';
import type { HmsOutcome } from './types.ts';

const OPTIONS = { defaultTimezone: 'Z', identifierSystems: createIdentifierSystemTable({}) };

for (const target of await testDatabases()) {
  describe(`HMS records on ${target.name}`, () => {
    let handle: TestDbHandle;
    let db: SqlClient;
    let nextId = 1000;

    beforeAll(async () => {
      handle = await target.open();
      db = handle.db;
    });
    afterAll(async () => handle?.close());

    const send = (text: string): Promise<HmsOutcome> =>
      db.transaction((tx) => writeHms(tx, Hl7Message.parse(text), String(nextId++), OPTIONS));
    const codes = (o: HmsOutcome) => o.flags.map((f) => f.code);

    const encounterOf = async (visit: string) =>
      (
        await db.query<{
          id: string;
          status: string;
          unit: string | null;
          room: string | null;
          bed: string | null;
        }>(`SELECT id::text AS id, status, unit, room, bed FROM hms_encounters WHERE visit_number = $1`, [
          visit,
        ])
      ).rows;

    /** The board of one unit as `room/bed:encounter` (occupied) and `room/bed` (free). */
    const board = async (unit: string) => {
      const [u] = await bedBoard(db, unit);
      return {
        occupied: u?.occupied.map((b) => `${b.room}/${b.bed}:${b.encounterId}`) ?? [],
        free: u?.free.map((b) => `${b.room}/${b.bed}`) ?? [],
      };
    };

    it('admit, transfer, cancel transfer, discharge, cancel discharge, cancel admit: board and history', async () => {
      const base = { mrn: '300001', visit: 'V300' };
      const first = await send(adt({ ...base, trigger: 'A01', at: '202601010800', location: 'W4^401^1' }));
      expect(codes(first)).toEqual([]);
      expect(first.bedAssignments).toBe(1);
      const enc = first.encounterId!;
      expect(first.patientId).not.toBeNull();
      expect(await board('W4')).toEqual({ occupied: [`401/1:${enc}`], free: [] });
      expect((await encounterOf('V300'))[0]).toMatchObject({
        status: 'in-progress',
        unit: 'W4',
        room: '401',
        bed: '1',
      });

      expect(
        codes(await send(adt({ ...base, trigger: 'A02', at: '202601011000', location: 'W4^402^2' }))),
      ).toEqual([]);
      expect(await board('W4')).toEqual({ occupied: [`402/2:${enc}`], free: ['401/1'] });
      expect((await encounterOf('V300'))[0]).toMatchObject({ room: '402', bed: '2' });

      expect(
        codes(await send(adt({ ...base, trigger: 'A12', at: '202601011100', location: 'W4^401^1' }))),
      ).toEqual([]);
      expect(await board('W4')).toEqual({ occupied: [`401/1:${enc}`], free: ['402/2'] });

      expect(
        codes(await send(adt({ ...base, trigger: 'A03', at: '202601021200', location: 'W4^401^1' }))),
      ).toEqual([]);
      expect(await board('W4')).toEqual({ occupied: [], free: ['401/1', '402/2'] });
      expect((await encounterOf('V300'))[0]).toMatchObject({ status: 'finished', unit: null, bed: null });

      expect(
        codes(await send(adt({ ...base, trigger: 'A13', at: '202601021300', location: 'W4^401^1' }))),
      ).toEqual([]);
      expect(await board('W4')).toEqual({ occupied: [`401/1:${enc}`], free: ['402/2'] });
      expect((await encounterOf('V300'))[0]).toMatchObject({ status: 'in-progress', bed: '1' });

      expect(
        codes(await send(adt({ ...base, trigger: 'A11', at: '202601021400', location: 'W4^401^1' }))),
      ).toEqual([]);
      expect(await board('W4')).toEqual({ occupied: [], free: ['401/1', '402/2'] });
      expect((await encounterOf('V300'))[0]).toMatchObject({ status: 'cancelled', bed: null });

      const history = await db.query<Record<string, string | null>>(
        `SELECT room, bed, event, status, ended_by, previous_id::text AS previous_id, id::text AS id,
                to_char(from_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS from_at,
                to_char(to_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS to_at
         FROM hms_bed_assignments WHERE encounter_id = $1 ORDER BY id`,
        [enc],
      );
      const [bed1, bed2] = history.rows;
      expect(history.rows).toHaveLength(2);
      expect(bed1).toMatchObject({
        room: '401',
        bed: '1',
        event: 'A01',
        status: 'cancelled',
        ended_by: 'A11',
      });
      expect(bed1).toMatchObject({ from_at: '2026-01-01 08:00', to_at: '2026-01-02 14:00' });
      expect(bed2).toMatchObject({
        room: '402',
        bed: '2',
        event: 'A02',
        status: 'cancelled',
        ended_by: 'A12',
      });
      expect(bed2).toMatchObject({
        from_at: '2026-01-01 10:00',
        to_at: '2026-01-01 11:00',
        previous_id: bed1!.id,
      });
      const events = await db.query<{ trigger_event: string; outcome: string }>(
        'SELECT trigger_event, outcome FROM hms_encounter_events WHERE encounter_id = $1 ORDER BY id',
        [enc],
      );
      expect(events.rows.map((e) => `${e.trigger_event}:${e.outcome}`)).toEqual([
        'A01:applied',
        'A02:applied',
        'A12:applied',
        'A03:applied',
        'A13:applied',
        'A11:applied',
      ]);
    });

    it('a resent A01 and an A08 after it update, never duplicate', async () => {
      const base = { mrn: '300002', visit: 'V301', location: 'W5^1^A' };
      const a = await send(adt({ ...base, trigger: 'A01', at: '202601030800' }));
      const b = await send(adt({ ...base, trigger: 'A01', at: '202601030800' }));
      expect(codes(b)).toEqual([]);
      expect(b.bedAssignments).toBe(0);
      expect(b.encounterId).toBe(a.encounterId);
      const c = await send(adt({ ...base, trigger: 'A08', at: '202601030900', family: 'RENAMED' }));
      expect(codes(c)).toEqual([]);
      expect(c.patientId).toBe(a.patientId);
      const counts = await db.query<{ p: number; e: number; a: number; name: string }>(
        `SELECT (SELECT count(*)::int FROM hms_patient_identifiers WHERE value = '300002') AS p,
                (SELECT count(*)::int FROM hms_encounters WHERE visit_number = 'V301') AS e,
                (SELECT count(*)::int FROM hms_bed_assignments WHERE encounter_id = $1) AS a,
                (SELECT family_name FROM hms_patients WHERE id = $2) AS name`,
        [a.encounterId, a.patientId],
      );
      expect(counts.rows[0]).toEqual({ p: 1, e: 1, a: 1, name: 'RENAMED' });
      expect(await board('W5')).toEqual({ occupied: [`1/A:${a.encounterId}`], free: [] });
    });

    it('flags an A03 for an unknown encounter, and an A12 with nothing to cancel, in hms_flags', async () => {
      const discharge = await send(adt({ trigger: 'A03', at: '202601040800', mrn: '300003', visit: 'V302' }));
      expect(codes(discharge)).toEqual(['DISCHARGE_UNKNOWN_ENCOUNTER']);
      expect((await encounterOf('V302'))[0]).toMatchObject({ status: 'finished' });

      await send(
        adt({ trigger: 'A01', at: '202601040900', mrn: '300004', visit: 'V303', location: 'W6^1^1' }),
      );
      const cancel = await send(
        adt({ trigger: 'A12', at: '202601041000', mrn: '300004', visit: 'V303', location: 'W6^1^1' }),
      );
      expect(codes(cancel)).toEqual(['CANCEL_TRANSFER_NOTHING_TO_CANCEL']);
      expect(await board('W6')).toEqual({ occupied: [`1/1:${cancel.encounterId}`], free: [] });

      const transferAfterDischarge = await send(
        adt({ trigger: 'A02', at: '202601041100', mrn: '300003', visit: 'V302', location: 'W6^2^1' }),
      );
      expect(codes(transferAfterDischarge)).toEqual(['TRANSFER_DISCHARGED_ENCOUNTER']);

      const stored = await db.query<{ code: string; detail: string }>(
        `SELECT code, detail FROM hms_flags WHERE code IN ('DISCHARGE_UNKNOWN_ENCOUNTER', 'CANCEL_TRANSFER_NOTHING_TO_CANCEL',
           'TRANSFER_DISCHARGED_ENCOUNTER') ORDER BY id`,
      );
      expect(stored.rows.map((r) => r.code)).toEqual([
        'DISCHARGE_UNKNOWN_ENCOUNTER',
        'CANCEL_TRANSFER_NOTHING_TO_CANCEL',
        'TRANSFER_DISCHARGED_ENCOUNTER',
      ]);
      expect(stored.rows.map((r) => r.detail).join(' ')).not.toMatch(/30000[34]|V30[23]|EVERYWOMAN/);
    });

    it('ORM NW then CA: one order, a status history row per change', async () => {
      const nw = await send(orm('202601050800', 'NW', 'ORD1', { mrn: '300005' }));
      await send(orm('202601050800', 'NW', 'ORD1', { mrn: '300005' })); // resent: no new history row
      const ca = await send(orm('202601050900', 'CA', 'ORD1', { mrn: '300005' }));
      expect([...codes(nw), ...codes(ca)]).toEqual([]);
      const orders = await db.query<{
        id: string;
        status: string;
        order_control: string;
        patient_id: string;
      }>(
        `SELECT id::text AS id, status, order_control, patient_id::text AS patient_id FROM hms_orders
         WHERE placer_namespace = 'OE' AND placer_number = 'ORD1'`,
      );
      expect(orders.rows).toHaveLength(1);
      expect(orders.rows[0]).toMatchObject({
        status: 'revoked',
        order_control: 'CA',
        patient_id: nw.patientId,
      });
      const history = await db.query<{ status: string; order_control: string; at: string }>(
        `SELECT status, order_control, to_char(changed_at AT TIME ZONE 'UTC', 'HH24:MI') AS at
         FROM hms_order_status_history WHERE order_id = $1 ORDER BY id`,
        [orders.rows[0]!.id],
      );
      expect(history.rows).toEqual([
        { status: 'active', order_control: 'NW', at: '08:00' },
        { status: 'revoked', order_control: 'CA', at: '09:00' },
      ]);
      const again = await send(orm('202601051000', 'NW', 'ORD1', { mrn: '300005' }));
      expect(codes(again)).toEqual(['ORDER_NEW_AFTER_END']);
    });

    it('ORU preliminary, final, corrected: results updated in place, a late preliminary flagged', async () => {
      const obx = (value: string, status: string) => [
        `NM|2345-7^Glucose^LN||${value}|mmol/L|3.5-5.0|${Number(value) > 5 ? 'H' : ''}|||${status}`,
        `NM|2951-2^Sodium^LN||140|mmol/L|135-145||||${status}`,
      ];
      await send(oru('202601060800', 'ORD2', obx('5.9', 'P'), 'P'));
      await send(oru('202601060900', 'ORD2', obx('6.1', 'F'), 'F'));
      const corrected = await send(oru('202601061000', 'ORD2', obx('4.8', 'C'), 'C'));
      expect(codes(corrected)).toEqual([]);
      expect(corrected.results).toBe(2);
      const rows = await db.query<Record<string, unknown>>(
        `SELECT r.code, r.value_text, r.value_numeric, r.reference_low, r.reference_high, r.abnormal_flags, r.status,
                r.revision, o.result_status
         FROM hms_results r JOIN hms_orders o ON o.id = r.order_id
         WHERE o.placer_number = 'ORD2' ORDER BY r.code`,
      );
      expect(rows.rows).toEqual([
        {
          code: '2345-7',
          value_text: '4.8',
          value_numeric: 4.8,
          reference_low: 3.5,
          reference_high: 5,
          abnormal_flags: null,
          status: 'C',
          revision: 3,
          result_status: 'C',
        },
        {
          code: '2951-2',
          value_text: '140',
          value_numeric: 140,
          reference_low: 135,
          reference_high: 145,
          abnormal_flags: null,
          status: 'C',
          revision: 3,
          result_status: 'C',
        },
      ]);
      const late = await send(oru('202601061100', 'ORD2', obx('9.9', 'P'), 'P'));
      expect(codes(late)).toEqual(['RESULT_PRELIMINARY_AFTER_FINAL', 'RESULT_PRELIMINARY_AFTER_FINAL']);
      const still = await db.query<{ value_text: string }>(
        `SELECT value_text FROM hms_results r JOIN hms_orders o ON o.id = r.order_id
         WHERE o.placer_number = 'ORD2' AND r.code = '2345-7'`,
      );
      expect(still.rows).toEqual([{ value_text: '4.8' }]);
    });

    it('A40 merges the prior patient into the survivor: merged_into, identifiers and visits moved', async () => {
      const prior = await send(
        adt({ trigger: 'A01', at: '202601070800', mrn: '400001', visit: 'V400', location: 'W7^1^1' }),
      );
      const survivor = await send(adt({ trigger: 'A28', at: '202601070801', mrn: '400002' }));
      expect(prior.patientId).not.toBe(survivor.patientId);
      const merge = await send(a40('202601070900', '400002', '400001'));
      expect(codes(merge)).toEqual([]);
      expect(merge.merges).toBe(1);
      const patient = await db.query<{ merged_into: string }>(
        'SELECT merged_into::text AS merged_into FROM hms_patients WHERE id = $1',
        [prior.patientId],
      );
      expect(patient.rows[0]!.merged_into).toBe(survivor.patientId);
      const ids = await db.query<{ value: string; patient_id: string }>(
        `SELECT value, patient_id::text AS patient_id FROM hms_patient_identifiers WHERE value IN ('400001', '400002') ORDER BY value`,
      );
      expect(ids.rows).toEqual([
        { value: '400001', patient_id: survivor.patientId },
        { value: '400002', patient_id: survivor.patientId },
      ]);
      const board7 = (await bedBoard(db, 'W7'))[0]!;
      expect(board7.occupied.map((b) => b.patientId)).toEqual([survivor.patientId]);
      // Resent: nothing changes, nothing flagged. A later message under the old MRN finds the survivor.
      const resent = await send(a40('202601070900', '400002', '400001'));
      expect(codes(resent)).toEqual([]);
      expect(resent.merges).toBe(0);
      const merges = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM hms_patient_merges WHERE survivor_id = $1',
        [survivor.patientId],
      );
      expect(merges.rows[0]!.n).toBe(1);
      const later = await send(
        adt({ trigger: 'A08', at: '202601071000', mrn: '400001', visit: 'V400', location: 'W7^1^1' }),
      );
      expect(later.patientId).toBe(survivor.patientId);
      expect(codes(later)).toEqual([]);
    });
  });
}
