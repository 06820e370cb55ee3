import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../hl7/message.ts';
import { createIdentifierSystemTable } from '../../mappings/identifier-systems.ts';
import { planHms, type PlanOptions } from './plan-hms.ts';
import { parseReferenceRange } from './reference-range.ts';
import { orderStatus } from './order-status.ts';
import { a40, adt, orm, oru } from './testing/hms-messages.ts';

const OPTIONS: PlanOptions = { defaultTimezone: 'Z', identifierSystems: createIdentifierSystemTable({}) };
const plan = (text: string, options = OPTIONS) => planHms(Hl7Message.parse(text), options);

describe('planHms: ADT', () => {
  it('reads patient, visit, location and event time of an A01', () => {
    const p = plan(adt({ trigger: 'A01', at: '202611210930', location: 'W4^401^1', visit: 'V77' }));
    expect(p.adtEvent).toBe('admit');
    expect(p.eventAt).toBe('2026-11-21T09:30:00Z');
    expect(p.patient).toEqual({
      identifiers: [{ system: 'urn:switchboard:id:MCM', value: '100001', type: 'MR' }],
      familyName: 'EVERYWOMAN',
      givenName: 'EVE',
      birthDate: '1980-01-01',
      sex: 'F',
    });
    expect(p.encounter).toEqual({
      visitSystem: 'urn:switchboard:id:MCM',
      visitNumber: 'V77',
      patientClass: 'I',
      location: { unit: 'W4', room: '401', bed: '1' },
      admittedAt: null,
      dischargedAt: null,
    });
    expect(p.flags).toEqual([]);
  });

  it('uses the configured time zone and identifier systems', () => {
    const p = plan(adt({ trigger: 'A02', at: '20261121', location: 'W4' }), {
      defaultTimezone: '+01:00',
      identifierSystems: createIdentifierSystemTable({ MCM: 'urn:oid:1.2.3' }),
    });
    expect(p.eventAt).toBe('2026-11-21T00:00:00+01:00');
    expect(p.patient!.identifiers[0]!.system).toBe('urn:oid:1.2.3');
    expect(p.encounter!.location).toEqual({ unit: 'W4', room: null, bed: null });
  });

  it('maps every supported trigger to its event, patient-only triggers to none', () => {
    const events = [
      'A01',
      'A02',
      'A03',
      'A04',
      'A05',
      'A06',
      'A07',
      'A08',
      'A11',
      'A12',
      'A13',
      'A28',
      'A31',
    ].map((t) => plan(adt({ trigger: t, at: '202601010000' })).adtEvent);
    expect(events).toEqual([
      'admit',
      'transfer',
      'discharge',
      'register',
      'pre-admit',
      'change-class',
      'change-class',
      'update',
      'cancel-admit',
      'cancel-transfer',
      'cancel-discharge',
      null,
      null,
    ]);
    expect(plan(adt({ trigger: 'A28', at: '202601010000' })).flags).toEqual([]);
  });

  it('flags a trigger it does not apply, a missing visit number and a missing identifier', () => {
    expect(plan(adt({ trigger: 'A09', at: '202601010000' })).flags.map((f) => f.code)).toEqual([
      'TRIGGER_NOT_APPLIED',
    ]);
    expect(plan(adt({ trigger: 'A01', at: '202601010000', visit: '' })).flags.map((f) => f.code)).toEqual([
      'NO_VISIT_NUMBER',
    ]);
    const noId = plan(adt({ trigger: 'A01', at: '202601010000', mrn: '' }));
    expect(noId.patient).toBeNull();
    expect(noId.flags.map((f) => f.code)).toEqual(['NO_PATIENT_IDENTIFIER']);
  });

  it('flags never carry identifiers or names', () => {
    const p = plan(
      adt({ trigger: 'A01', at: '202601010000', visit: '', mrn: '987654', family: 'SECRETNAME' }),
    );
    expect(JSON.stringify(p.flags)).not.toMatch(/987654|SECRETNAME/);
  });

  it('plans an A40 as a merge of the MRG-1 identifiers into the PID patient', () => {
    const p = plan(a40('202601010000', '200', '100'));
    expect(p.patient).toBeNull();
    expect(p.merges).toHaveLength(1);
    expect(p.merges[0]!.survivor.identifiers.map((i) => i.value)).toEqual(['200']);
    expect(p.merges[0]!.prior).toEqual([{ system: 'urn:switchboard:id:MCM', value: '100', type: 'MR' }]);
  });

  it('is deterministic: the same message gives the same plan', () => {
    const text = adt({ trigger: 'A01', at: '202611210930', location: 'W4^401^1' });
    expect(JSON.stringify(plan(text))).toBe(JSON.stringify(plan(text)));
  });
});

describe('planHms: ORM and ORU', () => {
  it('reads the order number, code and status of an ORM', () => {
    const p = plan(orm('202601010800', 'NW', 'P100'));
    expect(p.adtEvent).toBeNull();
    expect(p.orders).toEqual([
      {
        placer: { namespace: 'OE', number: 'P100' },
        filler: null,
        code: '2345-7',
        codeSystem: 'LN',
        codeText: 'Glucose',
        orderControl: 'NW',
        orderStatusCode: null,
        status: 'active',
        resultStatus: null,
        transactionAt: '2026-01-01T08:00:00Z',
        results: [],
      },
    ]);
    expect(plan(orm('202601010900', 'CA', 'P100')).orders[0]!.status).toBe('revoked');
    expect(plan(orm('202601010900', 'SC', 'P100', { status: 'CM' })).orders[0]!.status).toBe('completed');
    expect(plan(orm('202601010900', 'SC', 'P100')).orders[0]!.status).toBeNull();
  });

  it('reads ORU results: value, units, reference range, flags, status', () => {
    const p = plan(
      oru('202601011000', 'P100', [
        'NM|2345-7^Glucose^LN||7.2|mmol/L|3.5-5.0|H~A|||F|||202601010955',
        'SN|2160-0^Creatinine^LN||<^10|umol/L|<10||||P',
        'ST|5778-6^Color^LN|1|Yellow||normal||||C',
        'CWE|600-7^Culture^LN||3092008^Staph aureus^SCT||||||F',
        'ED|11502-2^Report^LN||^AP^PDF^Base64^SGVsbG8=||||||F',
      ]),
    );
    const [order] = p.orders;
    expect(order!.placer).toEqual({ namespace: 'OE', number: 'P100' });
    expect(order!.filler).toEqual({ namespace: 'LAB', number: 'F-P100' });
    expect(order!.resultStatus).toBe('F');
    const rows = order!.results.map((r) => [
      r.code,
      r.subId,
      r.valueText,
      r.valueNumeric,
      r.units,
      r.referenceLow,
      r.referenceHigh,
      r.referenceText,
      r.abnormalFlags,
      r.status,
      r.observedAt,
    ]);
    expect(rows).toEqual([
      ['2345-7', '', '7.2', 7.2, 'mmol/L', 3.5, 5, '3.5-5.0', ['H', 'A'], 'F', '2026-01-01T09:55:00Z'],
      ['2160-0', '', '<10', null, 'umol/L', null, 10, '<10', [], 'P', '2026-01-01T10:00:00Z'],
      ['5778-6', '1', 'Yellow', null, null, null, null, 'normal', [], 'C', '2026-01-01T10:00:00Z'],
      ['600-7', '', 'Staph aureus', null, null, null, null, null, [], 'F', '2026-01-01T10:00:00Z'],
      ['11502-2', '', null, null, null, null, null, null, [], 'F', '2026-01-01T10:00:00Z'],
    ]);
    expect(p.flags).toEqual([]);
  });

  it('flags an order without numbers and a result without a code', () => {
    const text = oru('202601011000', '', ['NM|^^||1||||||F']).replace('|F-^LAB|', '||');
    expect(plan(text).flags.map((f) => f.code)).toEqual(['ORDER_NO_NUMBER']);
    expect(plan(oru('202601011000', 'P1', ['NM|^^||1||||||F'])).flags.map((f) => f.code)).toEqual([
      'RESULT_NO_CODE',
    ]);
  });

  it('records nothing for other message types, and says so', () => {
    const p = plan(adt({ trigger: 'A01', at: '202601010000' }).replace('ADT^A01^ADT_A01', 'SIU^S12^SIU_S12'));
    expect(p.patient).toBeNull();
    expect(p.flags.map((f) => f.code)).toEqual(['UNSUPPORTED_MESSAGE_TYPE']);
  });
});

describe('parseReferenceRange', () => {
  it.each([
    ['3.5-5.0', 3.5, 5],
    ['-1.5 - 2', -1.5, 2],
    ['<10', null, 10],
    ['<=10', null, 10],
    ['>2', 2, null],
    ['negative', null, null],
  ])('%s', (text, low, high) => {
    expect(parseReferenceRange(text)).toEqual({ low, high, text });
  });
  it('is empty for an empty OBX-7', () =>
    expect(parseReferenceRange(' ')).toEqual({ low: null, high: null, text: null }));
});

describe('orderStatus', () => {
  it('prefers ORC-5 over ORC-1', () => {
    expect(orderStatus('NW', 'HD')).toBe('on-hold');
    expect(orderStatus('XO', '')).toBeNull();
    expect(orderStatus('DC', '')).toBe('revoked');
  });
});
