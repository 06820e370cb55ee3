import { describe, expect, it } from 'vitest';
import type { BundleEntry, Encounter, FhirBundle, Patient } from '../../engine/fhir/types.ts';
import { readManifest } from '../../engine/hl7/testing/corpus.ts';
import { corpusMessage, mappingContext } from '../testing/fragments.ts';
import { adtToFhir } from './adt-to-fhir.ts';

const map = (rel: string, options: Record<string, unknown> = {}) =>
  adtToFhir.map(corpusMessage(`hl7/${rel}`), mappingContext(options));

function resources(bundle: FhirBundle): { patient: Patient; encounter?: Encounter; entries: BundleEntry[] } {
  const entries = bundle.entry ?? [];
  const patient = entries.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
  const encounter = entries.find((e) => e.resource?.resourceType === 'Encounter')?.resource as
    Encounter | undefined;
  return { patient, entries, ...(encounter && { encounter }) };
}

const ABSENT = {
  extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }],
};
const ADMISSIONS = readManifest('hl7').filter((row) => /^ADT\^A0[148]/.test(row.msh9));

describe('adt-to-fhir on every ADT^A01/A04/A08 of the corpus', () => {
  it('finds the corpus messages', () => {
    expect(ADMISSIONS.length).toBeGreaterThanOrEqual(30);
  });

  for (const row of ADMISSIONS) {
    it(row.path, () => {
      const message = corpusMessage(`hl7/${row.path}`);
      const { bundle, warnings } = adtToFhir.map(message, mappingContext());
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'transaction' });
      const { patient, encounter, entries } = resources(bundle);
      const patientEntry = entries[0]!;
      expect(patient.identifier?.length).toBeGreaterThan(0);
      expect(patient.identifier?.[0]).toMatchObject({
        system: expect.any(String),
        value: expect.any(String),
      });
      expect(patientEntry.request?.method).toBe('PUT');
      expect(patientEntry.request?.url).toMatch(/^Patient\?identifier=[^|]+\|.+$/);
      expect(patientEntry.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      if (message.segmentCount('PV1') > 0) {
        expect(encounter?.subject?.reference).toBe(patientEntry.fullUrl);
        expect(entries[1]?.request?.url).toMatch(/^Encounter\?identifier=[^|]+\|.+$/);
        expect(encounter?.class).toBeDefined();
      } else {
        // Several rethinkhealth edge-case files are MSH+PID only: no visit to map, and it says so.
        expect(encounter).toBeUndefined();
        expect(warnings).toContain(`ADT^${message.header.triggerEvent} has no PV1 segment: no Encounter`);
      }
      // Deterministic: the same message gives byte-identical Bundles.
      const again = adtToFhir.map(corpusMessage(`hl7/${row.path}`), mappingContext());
      expect(JSON.stringify(again.bundle)).toBe(JSON.stringify(bundle));
    });
  }
});

describe('golden: hand-reviewed corpus messages', () => {
  it('fhir-converter/ADT-A01-01.hl7 (v2.8, every PID field)', () => {
    const { bundle, warnings } = map('fhir-converter/ADT-A01-01.hl7');
    const { patient, encounter, entries } = resources(bundle);
    expect(warnings).toEqual([]);
    // PID-3[1] PATID1234^5^M11^test1&2.16.1&HCD^MR: CX.4.3 HCD is not ISO, so the namespace names the system
    expect(entries[0]?.request?.url).toBe('Patient?identifier=urn%3Aswitchboard%3Aid%3Atest1|PATID1234');
    expect(patient.identifier?.map((i) => `${i.system}|${i.value}`)).toEqual([
      'urn:switchboard:id:test|1234567', // PID-2
      'urn:switchboard:id:test1|PATID1234', // PID-3[1]
      'urn:switchboard:id:USSSA|123456789', // PID-3[2]
      'urn:switchboard:id:test2|PATID567', // PID-4
    ]);
    expect(patient.name?.[0]).toMatchObject({
      use: 'usual',
      family: 'EVERYMAN',
      given: ['ADAM', 'A'],
      prefix: ['Dr.'],
    });
    expect(patient.birthDate).toBe('1988-08-18');
    expect(patient._birthDate?.extension?.[0]?.valueDateTime).toBe('1988-08-18T11:26:00+02:15');
    expect(patient.gender).toBe('male');
    expect(patient.deceasedDateTime).toBe('2008-08-25T11:16:30+01:15');
    expect(patient.multipleBirthInteger).toBe(2);
    expect(patient.maritalStatus?.coding?.[0]).toMatchObject({
      code: 'M',
      system: expect.stringContaining('v3-MaritalStatus'),
    });
    expect(patient.address?.[0]).toMatchObject({
      city: 'Ann Arbor',
      state: 'MI',
      postalCode: '99999',
      type: 'postal',
    });
    expect(encounter?.class).toMatchObject({
      code: 'PRENC',
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
    });
    expect(encounter?.status).toBe('in-progress'); // Event[EncounterStatus] A01
    expect(encounter?.identifier?.[0]).toMatchObject({
      system: 'urn:switchboard:id:AccMng',
      value: '40007716',
    });
    expect(encounter?.period).toEqual({ start: '2015-02-08T11:34:19+01:10' });
    expect(encounter?.participant?.map((p) => p.type?.[0]?.coding?.[0]?.code)).toEqual([
      'ATND',
      'REF',
      'CON',
      'ADM',
      'REF', // PV2-13 referral source
      '446050000', // ROL after PV1 (role PP, SNOMED primary care physician): adt-segments.ts
    ]);
    expect(encounter?.participant?.[0]?.individual?.display).toBe('Dr. Mohammed Mahi Alaz JR MD');
    expect(encounter?.location?.[0]?.status).toBe('planned'); // PV1-2 P
  });

  it('google-hdh/adt_a01_ex2.hl7 (v2.3, identifierSystems option, default time zone option)', () => {
    const { bundle, warnings } = map('google-hdh/adt_a01_ex2.hl7', {
      identifierSystems: { 'SIMULATOR MRN': 'https://sim.example/mrn' },
      defaultTimezone: '+01:00',
    });
    const { patient, encounter, entries } = resources(bundle);
    expect(entries[0]?.request?.url).toBe('Patient?identifier=https%3A%2F%2Fsim.example%2Fmrn|2590157853');
    expect(patient.identifier?.[0]).toMatchObject({ system: 'https://sim.example/mrn', value: '2590157853' });
    expect(patient.identifier).toHaveLength(2); // PID-2 repeats PID-3[1]: kept once
    expect(patient.name).toEqual([{ family: 'Esterkin', given: ['AKI Scenario 6'], prefix: ['Miss'] }]);
    expect(patient.birthDate).toBe('1989-01-18');
    expect(patient._birthDate?.extension?.[0]?.valueDateTime).toBe('1989-01-18T00:00:00+01:00');
    expect(patient.gender).toBe('female');
    // XTN.2 "HOME" is not a table 0201 code and XTN.3 is empty: no use, and a data-absent system
    expect(patient.telecom).toEqual([{ _system: ABSENT, value: '020 5368 1665' }]);
    expect(encounter?.class.code).toBe('IMP');
    expect(encounter?.identifier?.[0]).toMatchObject({
      system: 'urn:switchboard:id:SFAC/visitid',
      value: '6145914547062969032',
    });
    expect(encounter?.period?.start).toBe('2020-05-08T13:06:43+01:00');
    expect(warnings).toEqual([
      'PID-7 has no time zone: birth time read as +01:00',
      'PV1-44/PV1-45 have no time zone: read as +01:00',
    ]);
  });

  it('google-hdh/adt_a04_ex1.hl7 (v2.1): A04 is "planned" per Event[EncounterStatus], class EMER', () => {
    const { patient, encounter } = resources(map('google-hdh/adt_a04_ex1.hl7').bundle);
    expect(patient.identifier?.[0]).toEqual({
      system: 'urn:switchboard:id:UNV',
      value: '19050114293307.1082',
    });
    // BUNNY^BUGS^RABBIT^^^MS: MS sits in XPN.6 (degree) -> suffix[2]
    expect(patient.name?.[0]).toEqual({ family: 'BUNNY', given: ['BUGS', 'RABBIT'], suffix: ['MS'] });
    expect(patient.birthDate).toBe('1983-02-15');
    expect(encounter?.status).toBe('planned');
    expect(encounter?.class.code).toBe('EMER');
    // PV1-19 is empty: the key is derived from the patient and PV1-44
    expect(encounter?.identifier?.[0]).toMatchObject({
      use: 'secondary',
      system: 'urn:switchboard:id:derived-visit',
    });
  });
});

describe('status and unsupported triggers', () => {
  it('an A08 keeps the PV1-2 status instead of the table\'s "unknown"; PV1-45 makes it finished', () => {
    const a08 = resources(map('fhir-converter/ADT-A08-02.hl7').bundle).encounter;
    expect(a08?.status).toBe('planned'); // PV1-2 P -> PatientClass[EncounterStatus] planned
    const message = corpusMessage('hl7/rethinkhealth-hl7v2/adt-a01-full.hl7');
    message.set('PV1-45', '20260402120000');
    const discharged = resources(adtToFhir.map(message, mappingContext()).bundle).encounter;
    expect(discharged?.status).toBe('finished');
    expect(discharged?.period?.end).toBe('2026-04-02T12:00:00Z');
  });

  it('other ADT events give an empty transaction and a warning', () => {
    const message = corpusMessage('hl7/fhir-converter/ADT-A40-01.hl7');
    message.set('MSH-9.2', 'A17'); // swap patients: two PID/PV1 groups, not mapped
    const { bundle, warnings } = adtToFhir.map(message, mappingContext());
    expect(bundle).toEqual({ resourceType: 'Bundle', type: 'transaction', entry: [] });
    expect(warnings).toEqual(['ADT^A17 not mapped yet: empty transaction']);
  });

  it('a PID without identifiers gets a temporary, message-derived one and a warning', () => {
    const { bundle, warnings } = map('rethinkhealth-hl7v2/edge-empty-segments.hl7');
    const { patient, encounter } = resources(bundle);
    expect(patient.identifier).toEqual([
      { use: 'temp', system: 'urn:switchboard:id:message-patient', value: 'SENDER^FAC^MSG005' },
    ]);
    expect(encounter?.class).toEqual(ABSENT);
    expect(warnings[0]).toMatch(/PID-2, PID-3 and PID-4 hold no identifier/);
  });
});
