/**
 * Modality Worklist end to end: a radiology ORM^O01 over MLLP into a real engine with the shipped
 * channels (orm.yaml's `worklist` destination), then findWorklistItems returns the scheduled step;
 * a CA takes it off the worklist, and a CA for an order never seen is flagged on its delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyUidForAccession } from '../engine/dicom/worklist/study-uid.ts';
import { radiologyOrm } from '../engine/dicom/worklist/testing/worklist-messages.ts';
import { findWorklistItems } from '../engine/dicom/worklist/worklist-query.ts';
import { sendMllp } from '../listeners/mllp/client.ts';
import { startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { readAck } from './support/hl7-samples.ts';

describe('worklist destination in a running engine', () => {
  let fx: EngineFixture;

  beforeAll(async () => {
    fx = await startTestEngine({ database: 'pglite' });
  }, 60_000);
  afterAll(async () => fx?.stop());

  const send = async (text: string) => {
    const [ack] = await sendMllp({ host: '127.0.0.1', port: fx.engine.mllpPort }, [text]);
    expect(readAck(ack!).code).toBe('AA');
    await fx.engine.drain();
  };
  const worklistDelivery = async (controlId: string) => {
    const { rows } = await fx.engine.db.query<{ status: string; response: string | null }>(
      `SELECT d.status, d.response FROM deliveries d JOIN messages m ON m.id = d.message_id
       WHERE m.control_id = $1 AND d.channel_id = 'orm' AND d.destination = 'worklist'`,
      [controlId],
    );
    expect(rows).toHaveLength(1);
    return { status: rows[0]!.status, response: JSON.parse(rows[0]!.response ?? 'null') as unknown };
  };

  it('schedules an ORM^O01 NW, then its CA removes it from the worklist', async () => {
    await send(
      radiologyOrm({
        controlId: 'MWL-NW-1',
        control: 'NW',
        placer: 'E2E-1',
        accession: 'E2EACC1',
        mrn: 'E2E-MRN',
      }),
    );
    expect(await worklistDelivery('MWL-NW-1')).toEqual({
      status: 'sent',
      response: {
        worklist: {
          items: [{ id: expect.any(String), accessionNumber: 'E2EACC1', status: 'SCHEDULED', created: true }],
        },
        flags: [],
      },
    });
    const found = await findWorklistItems(fx.engine.db, { patientId: 'E2E-MRN', modality: 'CT' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      PatientID: 'E2E-MRN',
      PatientName: 'DOE^JANE^Q^MRS',
      AccessionNumber: 'E2EACC1',
      StudyInstanceUID: studyUidForAccession('E2EACC1'),
      ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '20260302' }],
    });

    await send(radiologyOrm({ controlId: 'MWL-CA-1', control: 'CA', placer: 'E2E-1', mrn: 'E2E-MRN' }));
    expect(await worklistDelivery('MWL-CA-1')).toMatchObject({
      status: 'sent',
      response: { worklist: { items: [{ status: 'CANCELLED', created: false }] }, flags: [] },
    });
    expect(await findWorklistItems(fx.engine.db, { patientId: 'E2E-MRN' })).toEqual([]);
  });

  it('flags a CA for an unknown order on the delivery, and keeps the message processed', async () => {
    await send(radiologyOrm({ controlId: 'MWL-CA-2', control: 'CA', placer: 'E2E-404', withObr: false }));
    const delivery = await worklistDelivery('MWL-CA-2');
    expect(delivery.status).toBe('sent');
    expect(delivery.response).toMatchObject({ flags: [{ code: 'CANCEL_UNKNOWN_ORDER' }] });
    const { rows } = await fx.engine.db.query<{ status: string }>(
      `SELECT status FROM worklist_items WHERE placer_number = 'E2E-404'`,
    );
    expect(rows).toEqual([{ status: 'CANCELLED' }]);
  });
});
