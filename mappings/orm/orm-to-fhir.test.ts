import { describe, expect, it } from 'vitest';
import type { BundleEntry, FhirResource } from '../../engine/fhir/types.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { mappingContext } from '../testing/fragments.ts';
import { validateBundle } from '../validation/validate-bundle.ts';
import { ormToFhir } from './orm-to-fhir.ts';
import { DERIVED_ORDER_SYSTEM, type ServiceRequest } from './service-request.ts';

const MSH = 'MSH|^~\\&|OE|HOSP|LAB|HOSP|20240501101500||ORM^O01^ORM_O01|CTL1|P|2.5.1';
const PID = 'PID|1||MRN1^^^HOSP^MR||DOE^JANE||19800101|F';

/** A segment from its fields by number (the rest empty). */
function segment(name: string, fields: Readonly<Record<number, string>>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

const PV1 = segment('PV1', { 1: '1', 2: 'O', 3: 'CLINIC^1^A', 19: 'V100^^^HOSP^VN' });
const OBR = 'OBR|1|PL1^OE||2345-7^Glucose^LN';
const obr = (fields: Readonly<Record<number, string>>) =>
  segment('OBR', { 1: '1', 2: 'PL1^OE', 4: '2345-7^Glucose^LN', ...fields });

/** ORC with `control` in ORC-1, placer PL1^OE in ORC-2 and the given fields. */
const orc = (control: string, fields: Readonly<Record<number, string>> = {}) =>
  segment('ORC', { 1: control, 2: 'PL1^OE', ...fields });

function map(segments: readonly string[], head: readonly string[] = [MSH, PID]) {
  return ormToFhir.map(Hl7Message.parse([...head, ...segments].join('\r')), mappingContext());
}

const resources = (entries: readonly BundleEntry[] | undefined, type: string): FhirResource[] =>
  (entries ?? []).map((e) => e.resource!).filter((r) => r.resourceType === type);

function requests(segments: readonly string[], head?: readonly string[]) {
  const result = map(segments, head);
  expect(validateBundle(result.bundle).filter((i) => i.severity === 'error')).toEqual([]);
  return {
    ...result,
    serviceRequests: resources(result.bundle.entry, 'ServiceRequest') as ServiceRequest[],
    entries: result.bundle.entry ?? [],
  };
}

const one = (segments: readonly string[], head?: readonly string[]) => {
  const r = requests(segments, head);
  expect(r.serviceRequests).toHaveLength(1);
  return { ...r, sr: r.serviceRequests[0]! };
};

describe('ORC-1 / ORC-5 -> ServiceRequest.status and intent (OrderControlCode, OrderStatus)', () => {
  const cases: [string, string][] = [
    ['NW', 'active'],
    ['OK', 'active'],
    ['CA', 'revoked'],
    ['CR', 'revoked'],
    ['DC', 'revoked'],
    ['XO', 'active'],
    ['HD', 'on-hold'],
    ['RL', 'active'],
    ['OC', 'revoked'],
    ['OH', 'on-hold'],
  ];
  for (const [control, status] of cases) {
    it(`${control} -> ${status}, intent order, ORC-1 kept in businessEvent`, () => {
      const { sr, warnings } = one([orc(control), OBR]);
      expect(sr.status).toBe(status);
      expect(sr.intent).toBe('order');
      expect(sr.extension?.[0]).toEqual({
        url: 'http://hl7.org/fhir/StructureDefinition/businessEvent',
        extension: [
          {
            url: 'value',
            valueCodeableConcept: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0119', code: control }],
            },
          },
        ],
      });
      expect(warnings.filter((w) => w.includes('ORC-'))).toEqual([]);
    });
  }

  it('SC takes its status from ORC-5 (CM -> completed, IP -> active, HD -> on-hold)', () => {
    expect(one([orc('SC', { 5: 'CM' }), OBR]).sr.status).toBe('completed');
    expect(one([orc('SC', { 5: 'IP' }), OBR]).sr.status).toBe('active');
    expect(one([orc('SC', { 5: 'HD' }), OBR]).sr.status).toBe('on-hold');
  });

  it('SC without ORC-5 is "unknown" with a warning naming the paths', () => {
    const { sr, warnings } = one([orc('SC'), OBR]);
    expect(sr.status).toBe('unknown');
    expect(warnings).toContain('ORC-1 "SC" needs a table 0038 code in ORC-5: status is "unknown"');
  });

  it('ORC-5 wins over ORC-1 when valued (NW with ORC-5 CA is revoked), and falls back when not in 0038', () => {
    expect(one([orc('NW', { 5: 'CA' }), OBR]).sr.status).toBe('revoked');
    const { sr, warnings } = one([orc('NW', { 5: 'Ordered' }), OBR]);
    expect(sr.status).toBe('active');
    expect(warnings).toContain('ORC-5 code "Ordered" is not in table 0038: status taken from ORC-1');
  });

  it('an ORC-1 outside the map (RE, vendor codes) is "unknown" with a warning', () => {
    const { sr, warnings } = one([orc('RE'), OBR]);
    expect(sr.status).toBe('unknown');
    expect(warnings.some((w) => w.startsWith('ORC-1 code "RE"'))).toBe(true);
  });

  it('OBR-11 G (generated) is a reflex order', () => {
    expect(one([orc('NW'), obr({ 11: 'G' })]).sr.intent).toBe('reflex-order');
  });
});

describe('ORC/OBR fields -> ServiceRequest', () => {
  it('placer (PLAC) and filler (FILL) numbers with their authority as system; the placer is the key', () => {
    const { sr, entries } = one(['ORC|NW|PL1^OE|FL9^LAB^1.2.3.4^ISO|GRP1^OE', 'OBR|1|||2345-7^Glucose^LN']);
    expect(sr.identifier).toEqual([
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PLAC' }] },
        system: 'urn:switchboard:id:OE',
        value: 'PL1',
      },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'FILL' }] },
        system: 'urn:oid:1.2.3.4',
        value: 'FL9',
      },
    ]);
    expect(sr.requisition).toMatchObject({ system: 'urn:switchboard:id:OE', value: 'GRP1' });
    const entry = entries.find((e) => e.resource === sr)!;
    expect(entry.request).toEqual({
      method: 'PUT',
      url: 'ServiceRequest?identifier=urn%3Aswitchboard%3Aid%3AOE|PL1',
    });
  });

  it('OBR-2 wins over ORC-2; an order number without authority belongs to MSH-4 per type', () => {
    const { sr } = one(['ORC|NW|X1', 'OBR|1|P77||2345-7^Glucose^LN']);
    expect(sr.identifier?.[0]).toMatchObject({ system: 'urn:switchboard:id:HOSP/PLAC', value: 'P77' });
  });

  it('without a placer number the filler number is the key', () => {
    const { sr, entries } = one(['ORC|SC||FL9^LAB||CM', 'OBR|1|||2345-7^Glucose^LN']);
    expect(entries.find((e) => e.resource === sr)!.request?.url).toBe(
      'ServiceRequest?identifier=urn%3Aswitchboard%3Aid%3ALAB|FL9',
    );
  });

  it('without any order number the key is derived from MSH and the group, with a warning', () => {
    const { sr, warnings, entries } = one(['ORC|NW', 'OBR|1|||2345-7^Glucose^LN']);
    expect(sr.identifier?.[0]).toMatchObject({ use: 'secondary', system: DERIVED_ORDER_SYSTEM });
    expect(entries.find((e) => e.resource === sr)!.request?.url).toContain(
      encodeURIComponent(DERIVED_ORDER_SYSTEM),
    );
    expect(warnings.some((w) => w.includes('has no placer or filler order number'))).toBe(true);
  });

  it('OBR-4 -> code with the coding system URI (LN -> LOINC); OBR-31 -> reasonCode', () => {
    const { sr } = one([
      orc('NW'),
      obr({ 4: '24725-4^CT Head^LN', 31: 'R51^Headache^I10~R42^Dizziness^I10' }),
    ]);
    expect(sr.code).toEqual({
      coding: [{ system: 'http://loinc.org', code: '24725-4', display: 'CT Head' }],
    });
    expect(sr.reasonCode).toEqual([
      { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'R51', display: 'Headache' }] },
      { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'R42', display: 'Dizziness' }] },
    ]);
  });

  it('ORC-9 -> authoredOn for NW only (and the businessEvent date always)', () => {
    const nw = one([orc('NW', { 9: '20240501101000+0200' }), OBR]).sr;
    expect(nw.authoredOn).toBe('2024-05-01T10:10:00+02:00');
    const ca = one([orc('CA', { 9: '20240502080000+0200' }), OBR]).sr;
    expect(ca.authoredOn).toBeUndefined();
    expect(ca.extension?.[0]?.extension?.[1]).toEqual({
      url: 'date',
      valueDateTime: '2024-05-02T08:00:00+02:00',
    });
  });

  it('ORC-12 -> requester, a Practitioner entry keyed on XCN.1 + XCN.9; OBR-16 when ORC-12 is empty', () => {
    const { sr, entries } = one([orc('NW', { 12: '1234^SMITH^ANNA^^^DR^^^NPI' }), OBR]);
    const practitioner = entries.find((e) => e.resource?.resourceType === 'Practitioner')!;
    expect(practitioner.request?.url).toBe('Practitioner?identifier=urn%3Aswitchboard%3Aid%3ANPI|1234');
    expect(sr.requester).toEqual({ reference: practitioner.fullUrl, display: 'DR ANNA SMITH' });
    const fromObr = one([orc('NW'), obr({ 16: '77^JONES^BO' })]).sr;
    expect(fromObr.requester?.display).toBe('BO JONES');
  });

  it('one Practitioner entry for a provider named by two order groups', () => {
    const provider = { 12: '1234^SMITH^ANNA' };
    const { entries, serviceRequests } = requests([
      orc('NW', provider),
      OBR,
      orc('NW', { 2: 'PL2^OE', ...provider }),
      'OBR|2|PL2^OE||2160-0^Creatinine^LN',
    ]);
    expect(serviceRequests).toHaveLength(2);
    expect(entries.filter((e) => e.resource?.resourceType === 'Practitioner')).toHaveLength(1);
  });

  it('NTE after ORC/OBR -> note (text, author, time); NTE after an OBX is not the order’s', () => {
    const { sr } = one([
      orc('NW'),
      OBR,
      'NTE|1||Fasting\\.br\\since 8pm||55^NURSE^NED|202405010900+0000',
      'OBX|1|ST|1234-5^Q^LN||answer',
      'NTE|1||about the answer',
    ]);
    expect(sr.note).toEqual([
      {
        text: 'Fasting\nsince 8pm',
        authorReference: expect.objectContaining({ display: 'NED NURSE' }) as unknown,
        time: '2024-05-01T09:00:00+00:00',
      },
    ]);
  });

  it('OBR-18 / OBR-20 -> ACSN identifiers (accession), every repetition', () => {
    const { sr } = one([orc('NW'), obr({ 18: 'A100^LABACC', 20: 'A200^LABACC~A201^X' })]);
    expect(sr.identifier?.filter((i) => i.type?.coding?.[0]?.code === 'ACSN').map((i) => i.value)).toEqual([
      'A100',
      'A200',
      'A201',
    ]);
  });
});

describe('timing and priority (TQ1, ORC-7 / OBR-27, OBR-5, OBR-6)', () => {
  it('TQ1-7/8 -> boundsPeriod, TQ1-9 -> priority, TQ1-11 -> note, TQ1-14 -> count', () => {
    const { sr } = one([
      orc('NW'),
      'TQ1|1||Q4H||||202405011000+0000|202405021000+0000|S||Take with water|||3',
      OBR,
    ]);
    expect(sr.occurrenceTiming).toEqual({
      code: { text: 'Q4H' },
      repeat: {
        boundsPeriod: { start: '2024-05-01T10:00:00+00:00', end: '2024-05-02T10:00:00+00:00' },
        count: 3,
      },
    });
    expect(sr.priority).toBe('stat');
    expect(sr.note).toEqual([{ text: 'Take with water' }]);
  });

  it('ORC-7 (TQ) -> quantity, timing, priority and text when there is no TQ1', () => {
    const { sr } = one([orc('NW', { 7: '2&ea^BID^^20240501^20240510^A^^Text here^^^^4' }), OBR]);
    expect(sr.quantityQuantity).toEqual({ value: 2, unit: 'ea' });
    expect(sr.occurrenceTiming).toEqual({
      code: { text: 'BID' },
      repeat: { boundsPeriod: { start: '2024-05-01', end: '2024-05-10' }, count: 4 },
    });
    expect(sr.priority).toBe('asap');
    expect(sr.note).toEqual([{ text: 'Text here' }]);
  });

  it('OBR-27 when ORC-7 is empty; OBR-5 priority; OBR-6 -> occurrenceDateTime without timing', () => {
    const tq = one([orc('NW'), obr({ 27: '^^^20240601' })]).sr;
    expect(tq.occurrenceTiming?.repeat?.boundsPeriod).toEqual({ start: '2024-06-01' });
    const plain = one([orc('NW'), obr({ 5: 'R', 6: '202406011200+0000' })]).sr;
    expect(plain.priority).toBe('routine');
    expect(plain.occurrenceDateTime).toBe('2024-06-01T12:00:00+00:00');
  });

  it('a priority outside ExtendedPriorityCodes is left out with a warning', () => {
    const { sr, warnings } = one([orc('NW'), obr({ 5: 'P' })]);
    expect(sr.priority).toBeUndefined();
    expect(warnings.some((w) => w.startsWith('OBR-5 code "P"'))).toBe(true);
  });
});

describe('the transaction', () => {
  it('Patient and Encounter are conditional creates; ServiceRequest references both', () => {
    const { sr, entries } = one([orc('NW'), OBR], [MSH, PID, PV1]);
    const patient = entries.find((e) => e.resource?.resourceType === 'Patient')!;
    const encounter = entries.find((e) => e.resource?.resourceType === 'Encounter')!;
    expect(patient.request).toEqual({
      method: 'POST',
      url: 'Patient',
      ifNoneExist: 'identifier=urn%3Aswitchboard%3Aid%3AHOSP|MRN1',
    });
    expect(encounter.request).toEqual({
      method: 'POST',
      url: 'Encounter',
      ifNoneExist: 'identifier=urn%3Aswitchboard%3Aid%3AHOSP|V100',
    });
    expect(sr.subject).toEqual({ reference: patient.fullUrl });
    expect(sr.encounter).toEqual({ reference: encounter.fullUrl });
  });

  it('no Encounter when PV1 has neither visit number nor admit time', () => {
    const { sr, entries, warnings } = one([orc('NW'), OBR], [MSH, PID, 'PV1|1|O|CLINIC^1^A']);
    expect(entries.some((e) => e.resource?.resourceType === 'Encounter')).toBe(false);
    expect(sr.encounter).toBeUndefined();
    expect(warnings.some((w) => w.startsWith('PV1-19'))).toBe(true);
  });

  it('two OBRs under one ORC with one order number: two ServiceRequests with distinct keys', () => {
    const { serviceRequests, entries, warnings } = requests([
      orc('NW'),
      OBR,
      'OBR|2|PL1^OE||2160-0^Creatinine^LN',
    ]);
    expect(serviceRequests.map((s) => s.code?.coding?.[0]?.code)).toEqual(['2345-7', '2160-0']);
    const urls = entries
      .filter((e) => e.resource?.resourceType === 'ServiceRequest')
      .map((e) => e.request?.url);
    expect(new Set(urls).size).toBe(2);
    expect(serviceRequests[1]!.status).toBe('active'); // the shared ORC's ORC-1
    expect(warnings.some((w) => w.includes('repeats the order number'))).toBe(true);
  });

  it('same message, same bytes', () => {
    const segments = [orc('NW', { 9: '20240501101000' }), OBR, 'NTE|1||n'];
    expect(JSON.stringify(map(segments).bundle)).toBe(JSON.stringify(map(segments).bundle));
  });

  it('no PID: an empty transaction and a warning; not ORM^O01: empty too', () => {
    const noPid = ormToFhir.map(Hl7Message.parse([MSH, orc('NW'), OBR].join('\r')), mappingContext());
    expect(noPid.bundle.entry).toEqual([]);
    expect(noPid.warnings[0]).toMatch(/no PID/);
    const adt = ormToFhir.map(
      Hl7Message.parse([MSH.replace('ORM^O01^ORM_O01', 'ADT^A01^ADT_A01'), PID].join('\r')),
      mappingContext(),
    );
    expect(adt.bundle.entry).toEqual([]);
  });
});
