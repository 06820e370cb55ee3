/**
 * ORU^R01 idempotency end to end (issue 4, "ORU preliminary then final then corrected"): the same
 * result sent as preliminary (OBR-25 P, OBX-11 P), final (F) and corrected (C) over MLLP through the
 * shipped oru channel (mapping oru-to-fhir) into the FHIR store gives one DiagnosticReport and the
 * same Observations, each at versions 1/2/3 with statuses preliminary -> final -> corrected; a
 * resend of the corrected result adds no version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../engine/fhir/fhir-store.ts';
import type { FhirResource } from '../engine/fhir/types.ts';
import { sendMllp } from '../listeners/mllp/client.ts';
import { testDatabases } from './support/databases.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { readAck } from './support/hl7-samples.ts';

function oru(controlId: string, status: 'P' | 'F' | 'C', ldl: string): string {
  return [
    `MSH|^~\\&|LIS|ACME LAB|EHR|GENERAL HOSP|2024030112000${status === 'P' ? 0 : status === 'F' ? 1 : 2}-0500||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    'PID|1||ORU-IDEM-1^^^GENERAL HOSP^MR||TESTPATIENT^ORU||19800101|F',
    'PV1|1|O|CLINIC^^^GENERAL HOSP||||||||||||||||V-ORU-1^^^GENERAL HOSP^VN',
    'ORC|RE|ORD-77^EHR|LAB-77^ACME LAB',
    `OBR|1|ORD-77^EHR|LAB-77^ACME LAB|24331-1^Lipid panel^LN|||20240301080000-0500|||||||||||||||20240301110000-0500|||${status}`,
    `OBX|1|NM|2093-3^Cholesterol^LN||185|mg/dL^^UCUM|100-199|N|||${status}|||20240301090000-0500`,
    `OBX|2|NM|13457-7^LDL calc^LN||${ldl}|mg/dL^^UCUM|0-99|${Number(ldl) > 99 ? 'H' : 'N'}|||${status}|||20240301090000-0500`,
    'SPM|1|SP-77&EHR^SPF-77&ACME LAB||119297000^Blood specimen^SCT|||||||||||||20240301080000-0500',
  ].join('\r');
}

interface Row {
  readonly id: string;
  readonly version_id: number;
  readonly resource: FhirResource;
}

for (const target of await testDatabases()) {
  describe(`ORU preliminary -> final -> corrected on ${target.name}`, () => {
    let fx: EngineFixture;

    beforeAll(async () => {
      fx = await startTestEngine({ database: target.name });
    });

    afterAll(async () => {
      await fx?.stop();
    });

    const current = async (type: string): Promise<Row[]> =>
      (
        await fx.engine.db.query<Row>(
          'SELECT id, version_id, resource FROM fhir_resources WHERE resource_type = $1 AND NOT deleted ORDER BY id',
          [type],
        )
      ).rows;

    const send = async (message: string): Promise<void> => {
      const [ack] = await sendMllp({ host: '127.0.0.1', port: fx.engine.mllpPort }, [message]);
      expect(readAck(ack!).code).toBe('AA');
      await fx.engine.drain();
    };

    it('updates one DiagnosticReport and the same Observations through versions 1, 2, 3', async () => {
      await send(oru('ORU-IDEM-P', 'P', '130'));
      const [reportAfterP] = await current('DiagnosticReport');
      const observationIds = (await current('Observation')).map((o) => o.id);
      expect(reportAfterP?.resource.status).toBe('preliminary');
      expect(observationIds).toHaveLength(2);

      await send(oru('ORU-IDEM-F', 'F', '130'));
      await send(oru('ORU-IDEM-C', 'C', '128'));

      const reports = await current('DiagnosticReport');
      expect(reports).toHaveLength(1);
      expect(reports[0]!.id).toBe(reportAfterP!.id);
      expect(reports[0]!.version_id).toBe(3);
      const reportHistory = await readHistory(fx.engine.db, 'DiagnosticReport', reports[0]!.id);
      expect(reportHistory.map((r) => [r.meta?.versionId, r.status])).toEqual([
        ['3', 'corrected'],
        ['2', 'final'],
        ['1', 'preliminary'],
      ]);

      const observations = await current('Observation');
      expect(observations.map((o) => o.id)).toEqual(observationIds);
      for (const o of observations) {
        expect(o.version_id).toBe(3);
        const history = await readHistory(fx.engine.db, 'Observation', o.id);
        expect(history.map((h) => h.status)).toEqual(['corrected', 'final', 'preliminary']);
      }
      const ldl = observations.find(
        (o) => (o.resource.code as { coding: { code: string }[] }).coding[0]!.code === '13457-7',
      )!;
      expect(ldl.resource.valueQuantity).toMatchObject({ value: 128, unit: 'mg/dL' });
      expect(reports[0]!.resource.result).toEqual(
        expect.arrayContaining(observations.map((o) => ({ reference: `Observation/${o.id}` }))),
      );

      // Patient, Encounter and Specimen: one each; the conditional create never re-versions them.
      for (const type of ['Patient', 'Encounter', 'Specimen']) {
        const rows = await current(type);
        expect(rows.map((r) => r.version_id)).toEqual([1]);
      }
    });

    it('a resend of the corrected result (new control id, same content) adds no version', async () => {
      await send(oru('ORU-IDEM-C2', 'C', '128'));
      const reports = await current('DiagnosticReport');
      expect(reports.map((r) => r.version_id)).toEqual([3]);
      const observations = await current('Observation');
      expect(observations.map((o) => o.version_id)).toEqual([3, 3]);
    });
  });
}
