import { describe, expect, it } from 'vitest';
import { fragment, mappingContext } from '../testing/fragments.ts';
import { segmentMapEnv } from './env.ts';
import { mapEncounter } from './pv1-encounter.ts';

const patient = { fullUrl: 'urn:uuid:p', key: { system: 'urn:test:mrn', value: '1' } };
const encounterOf = (name: string, trigger = 'A08') => {
  const env = segmentMapEnv(fragment(`pv1pv2/${name}.hl7`), mappingContext());
  return { ...mapEncounter(env, trigger, patient), warnings: env.warnings };
};

describe('PV1 -> Encounter (IG PV1[Encounter]) on the pv1pv2 fragments', () => {
  it('PV1-45 valued: status finished, period end; PV1-2 O is AMB', () => {
    const { encounter } = encounterOf('PV1-to-Encounter-pv145-valued');
    expect(encounter.status).toBe('finished');
    expect(encounter.class).toMatchObject({ code: 'AMB' });
    expect(encounter.period).toEqual({
      start: '2024-08-01T10:25:31-04:00',
      end: '2024-09-01T10:25:31-04:00',
    });
  });

  it('PV1-2 P: PRENC, status planned, location planned; every repetition of PV1-7/8/9/17 a participant', () => {
    const { encounter, key } = encounterOf('PV1-to-Encounter-pv12-p');
    expect(encounter.class).toMatchObject({ code: 'PRENC' });
    expect(encounter.status).toBe('planned');
    expect(encounter.location?.[0]).toEqual({
      location: { type: 'Location', display: 'Facility Hospital Assigned' },
      status: 'planned',
    });
    expect(encounter.participant?.map((p) => p.type?.[0]?.coding?.[0]?.code)).toEqual([
      'ATND',
      'ATND',
      'REF',
      'REF',
      'CON',
      'CON',
      'ADM',
      'ADM',
    ]);
    expect(encounter.participant?.[0]?.individual).toEqual({
      type: 'Practitioner',
      identifier: {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'DL' }] },
        system: 'urn:switchboard:id:Namespace',
        value: '1',
      },
      display: 'DR LUDWIG B BEETHOVEN 2ND MD',
    });
    // PV1-19 -> identifier[1] with type VN; PV1-50 -> further identifiers
    expect(key).toEqual({
      system: 'urn:oid:testcx42'.replace('urn:oid:', 'urn:switchboard:id:'),
      value: 'VisitNumber',
    });
    expect(encounter.identifier?.map((i) => i.value)).toEqual([
      'VisitNumber',
      'AltVisitNumber1',
      'AltVisitNumber2',
    ]);
    expect(encounter.identifier?.[0]?.type?.coding?.[0]?.code).toBe('VN');
    expect(encounter.subject).toEqual({ reference: 'urn:uuid:p' });
  });

  it('an invalid PV1-44 is left out with a warning naming the field', () => {
    const message = fragment('pv1pv2/PV1-to-Encounter-pv145-valued.hl7');
    message.set('PV1-44', '2024-08-01');
    const env = segmentMapEnv(message, mappingContext());
    const { encounter } = mapEncounter(env, 'A01', patient);
    expect(encounter.period).toEqual({ end: '2024-09-01T10:25:31-04:00' });
    expect(env.warnings).toContain('PV1-44 is not a valid DTM: left out');
  });
});
