/**
 * Worklist planning from real ORM^O01 messages of the corpus (../shared/corpus/hl7, MANIFEST msh9
 * ORM^O01) and from radiology orders in the IHE RAD-4 layout: fields, status, modality, flags.
 */
import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../hl7/message.ts';
import { readBytes, readManifest } from '../../hl7/testing/corpus.ts';
import { dicomDate, dicomSex, dicomTime, personName } from './hl7-to-dicom.ts';
import { planWorklist, worklistStatus } from './plan-worklist.ts';
import { studyUidForAccession } from './study-uid.ts';
import { radiologyOrm } from './testing/worklist-messages.ts';
import type { WorklistPlan, WorklistPlanOptions } from './types.ts';

const OPTIONS: WorklistPlanOptions = {
  modalities: {},
  defaultModality: null,
  stationAeTitles: { CT: 'CT_ROOM1' },
};
const ORM_ROWS = readManifest('hl7').filter((r) => r.msh9.startsWith('ORM^O01'));

function planCorpus(path: string, options: Partial<WorklistPlanOptions> = {}): WorklistPlan {
  const row = ORM_ROWS.find((r) => r.path === path);
  if (!row) throw new Error(`${path} is not an ORM^O01 of the corpus`);
  return planWorklist(Hl7Message.parse(readBytes(row)), { ...OPTIONS, ...options });
}

describe('planWorklist on the corpus ORM^O01 messages', () => {
  it('finds the ORM^O01 files of the corpus', () => {
    expect(ORM_ROWS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(ORM_ROWS.map((r) => [r.path]))(
    '%s: one keyed item per order group, values in DICOM form',
    (path) => {
      const row = ORM_ROWS.find((r) => r.path === path)!;
      const msg = Hl7Message.parse(readBytes(row));
      const plan = planWorklist(msg, { ...OPTIONS, defaultModality: 'OT' });
      expect(plan.items.length).toBeGreaterThan(0);
      expect(plan.items.length).toBeLessThanOrEqual(msg.segmentCount('ORC') + msg.segmentCount('OBR'));
      for (const item of plan.items) {
        expect(item.placer ?? item.filler).not.toBeNull();
        expect(item.patientId).toBe(msg.get('PID-3.1') || null);
        expect(item.scheduledStartDate ?? '20000101').toMatch(/^\d{8}$/);
        expect(item.scheduledStartTime ?? '000000').toMatch(/^\d{6}$/);
        expect(item.patientBirthDate ?? '20000101').toMatch(/^\d{8}$/);
        expect(item.patientName ?? 'X').not.toMatch(/\^$/);
        if (msg.segmentCount('OBR') > 0 && item.modality !== null) expect(item.modality).toBe('OT');
        if (item.orderControl === 'NW' && item.orderStatusCode === null)
          expect(item.status).toBe('SCHEDULED');
      }
    },
  );

  it('ORM-O01-03: two orders, names as PN, start from ORC-7.4, referring physician from OBR-16', () => {
    const plan = planCorpus('fhir-converter/ORM-O01-03.hl7', { defaultModality: 'CT' });
    expect(plan.flags).toEqual([]);
    expect(plan.items.map((i) => [i.placer, i.filler, i.requestedProcedureDescription])).toEqual([
      [{ namespace: 'GHHPlacer', number: '1101' }, { namespace: 'GHHFiller', number: '1201' }, 'CT Head'],
      [{ namespace: 'GHHPlacer', number: '2203' }, { namespace: 'GHHFiller', number: '2301' }, 'MR Brain'],
    ]);
    expect(plan.items[0]).toMatchObject({
      status: 'SCHEDULED',
      accessionNumber: null,
      modality: 'CT',
      scheduledStationAeTitle: 'CT_ROOM1',
      scheduledStartDate: '20211020',
      scheduledStartTime: '112600',
      patientId: 'PATID1234',
      patientName: 'EVERYMAN^ADAM^A^Dr.^III',
      patientBirthDate: '19880818',
      patientSex: 'M',
      referringPhysicianName: 'RAD^ROBIN^B',
    });
  });

  it('ORM-O01-05: ORC-5 CA cancels even under ORC-1 NW', () => {
    const [item] = planCorpus('fhir-converter/ORM-O01-05.hl7').items;
    expect(item).toMatchObject({ orderControl: 'NW', orderStatusCode: 'CA', status: 'CANCELLED' });
  });

  it('rethinkhealth order: start from OBR-7 when nothing else is sent, ordering provider from ORC-12 shape', () => {
    const [item] = planCorpus('rethinkhealth-hl7v2/orm-o01-order.hl7').items;
    expect(item).toMatchObject({
      placer: { namespace: '', number: 'ORD20001' },
      scheduledStartDate: '20260315',
      scheduledStartTime: '091500',
      patientName: 'GARCIA^MARIA^L',
      patientSex: 'F',
      referringPhysicianName: 'REQUESTING^DOC^A',
      modality: null,
    });
  });

  it('Oracle order: the accession number from OBR-18', () => {
    const [item] = planCorpus('cdc-trusted-intermediary/001_Oracle_ORM_O01.hl7').items;
    expect(item!.accessionNumber).toBe('000002023296000002');
    expect(item!.placer).toEqual({ namespace: 'HNAM_ORDERID', number: '2801515645' });
  });

  it('a second OBR repeating the order number of the first is flagged ORDER_REPEATED', () => {
    const plan = planCorpus('cdc-trusted-intermediary/003_MN_ORM_O01_NBS.hl7', { defaultModality: 'OT' });
    expect(plan.items).toHaveLength(2);
    expect(plan.flags.map((f) => f.code)).toEqual(['ORDER_REPEATED']);
  });
});

describe('planWorklist on radiology orders (IHE RAD-4 layout)', () => {
  const plan = (text: string, options: Partial<WorklistPlanOptions> = {}) =>
    planWorklist(Hl7Message.parse(text), { ...OPTIONS, ...options });

  it('reads accession (OBR-18), requested procedure (OBR-19, OBR-44), SPS (OBR-20, OBR-4), TQ1-7 start', () => {
    const p = plan(radiologyOrm({ controlId: 'R1', control: 'NW', placer: 'P1', accession: 'ACC1' }));
    expect(p.flags).toEqual([]);
    expect(p.items).toEqual([
      {
        placer: { namespace: 'RIS', number: 'P1' },
        filler: null,
        orderControl: 'NW',
        orderStatusCode: null,
        status: 'SCHEDULED',
        accessionNumber: 'ACC1',
        requestedProcedureId: 'RP-ACC1',
        requestedProcedureDescription: 'CT head without contrast',
        scheduledProcedureStepId: 'SPS-ACC1',
        scheduledProcedureStepDescription: 'CT head without contrast',
        modality: 'CT',
        scheduledStationAeTitle: 'CT_ROOM1',
        scheduledStartDate: '20260302',
        scheduledStartTime: '093000',
        patientId: 'MRN100',
        patientName: 'DOE^JANE^Q^MRS',
        patientBirthDate: '19750412',
        patientSex: 'F',
        referringPhysicianName: 'WELBY^MARCUS^J^DR^JR',
      },
    ]);
  });

  it('maps table 0074 codes, the modalities option, and flags an unmapped OBR-24', () => {
    const modalityOf = (section: string, options: Partial<WorklistPlanOptions> = {}) => {
      const p = plan(radiologyOrm({ controlId: 'M', control: 'NW', placer: 'P', section }), options);
      return [p.items[0]!.modality, p.flags.map((f) => f.code)];
    };
    expect(modalityOf('NMR')).toEqual(['MR', []]);
    expect(modalityOf('us')).toEqual(['US', []]);
    expect(modalityOf('RAD')).toEqual([null, ['MODALITY_UNMAPPED']]);
    expect(modalityOf('RAD', { modalities: { RAD: 'CR' } })).toEqual(['CR', []]);
    expect(modalityOf('RAD', { defaultModality: 'OT' })).toEqual(['OT', []]);
    expect(modalityOf('', { defaultModality: 'OT' })).toEqual(['OT', []]);
  });

  it('an ORC-only cancel plans the status alone', () => {
    const [item] = plan(radiologyOrm({ controlId: 'C', control: 'CA', placer: 'P9', withObr: false })).items;
    expect(item).toMatchObject({
      placer: { namespace: 'RIS', number: 'P9' },
      status: 'CANCELLED',
      modality: null,
    });
    expect(item!.accessionNumber).toBeNull();
  });

  it('flags a group without any order number and messages that are not ORM', () => {
    const noNumber = radiologyOrm({ controlId: 'N', control: 'NW', placer: '' }).replace(
      'OBR|1|^RIS|',
      'OBR|1||',
    );
    expect(plan(noNumber).flags.map((f) => f.code)).toEqual(['ORDER_NO_NUMBER']);
    const adt = 'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|X|P|2.5\rPID|1||1\r';
    expect(plan(adt)).toEqual({
      items: [],
      flags: [expect.objectContaining({ code: 'UNSUPPORTED_MESSAGE_TYPE' })],
    });
  });
});

describe('worklist status and DICOM values', () => {
  it('cancel controls and ORC-5 take the item off the worklist; XO changes nothing', () => {
    expect(['CA', 'CR', 'DC', 'OC', 'OD'].map((c) => worklistStatus(c, ''))).toEqual(
      Array(5).fill('CANCELLED'),
    );
    expect(worklistStatus('CA', 'SC')).toBe('CANCELLED');
    expect(worklistStatus('XO', '')).toBeNull();
    expect(worklistStatus('XO', 'CA')).toBe('CANCELLED');
    expect(worklistStatus('SC', 'CM')).toBe('COMPLETED');
    expect(worklistStatus('HD', '')).toBe('HELD');
    expect(worklistStatus('RL', '')).toBe('SCHEDULED');
    expect(worklistStatus('NW', '')).toBe('SCHEDULED');
  });

  it('converts names, dates, times and sex', () => {
    expect(personName('O^Brien', 'Ann', '', '', '')).toBe('O Brien^Ann');
    expect(personName('', '', '', '', '')).toBeNull();
    expect(dicomDate('202603021015+0100')).toBe('20260302');
    expect(dicomDate('202603')).toBeNull();
    expect(dicomTime('2026030210')).toBe('100000');
    expect(dicomTime('20260302')).toBeNull();
    expect(['M', 'f', 'O', 'A', 'U', ''].map(dicomSex)).toEqual(['M', 'F', 'O', 'O', null, null]);
  });

  it('derives a 2.25 StudyInstanceUID from the accession number, the same every time', () => {
    const uid = studyUidForAccession('ACC1');
    expect(uid).toBe(studyUidForAccession('ACC1'));
    expect(uid).not.toBe(studyUidForAccession('ACC2'));
    expect(uid).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(uid.length).toBeLessThanOrEqual(64);
    const hex = BigInt(uid.slice(5)).toString(16).padStart(32, '0');
    expect(hex[12]).toBe('5'); // UUID version 5
    expect('89ab').toContain(hex[16]); // RFC 4122 variant
  });
});
