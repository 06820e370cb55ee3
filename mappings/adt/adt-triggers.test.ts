import { describe, expect, it } from 'vitest';
import type { BundleEntry, Encounter, FhirBundle, Patient } from '../../engine/fhir/types.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { readManifest } from '../../engine/hl7/testing/corpus.ts';
import { corpusMessage, mappingContext } from '../testing/fragments.ts';
import { validateFhirResource } from '../validation/validate-resource.ts';
import { EVENT_ENCOUNTER_STATUS } from '../vocabulary/tables.ts';
import { adtToFhir } from './adt-to-fhir.ts';
import { ADT_TRIGGER_TABLE, ADT_TRIGGERS } from './adt-triggers.ts';
import type { LinkedPatient } from './mrg-merge.ts';
import { MODE_OF_ARRIVAL_URL, PLANNED_END_URL, PLANNED_START_URL } from './pv2-encounter.ts';

interface VisitOptions {
  readonly patientClass?: string;
  readonly assigned?: string;
  readonly prior?: string;
  readonly temporary?: string;
  readonly pending?: string;
  readonly discharged?: string;
  readonly extra?: readonly string[];
}

/** ADT^<trigger> with a PV1 whose location fields are set as given (PV1-19 visit V1). */
function adt(trigger: string, o: VisitOptions = {}): Hl7Message {
  const pv1 = Array.from({ length: 46 }, () => '');
  pv1[0] = 'PV1';
  pv1[1] = '1';
  pv1[2] = o.patientClass ?? 'I';
  pv1[3] = o.assigned ?? 'W4^401^1^MCM';
  pv1[6] = o.prior ?? '';
  pv1[11] = o.temporary ?? '';
  pv1[19] = 'V1^^^MCM^VN';
  pv1[42] = o.pending ?? '';
  pv1[44] = '20260401080000+0000';
  pv1[45] = o.discharged ?? '';
  return Hl7Message.parse(
    [
      `MSH|^~\\&|REG|MCM|SB|HOSP|20260401090000||ADT^${trigger}|C-${trigger}|P|2.5.1`,
      `EVN|${trigger}|20260401090000`,
      'PID|1||100001^^^MCM^MR||DOE^JANE||19800101|F',
      pv1.join('|').replace(/\|+$/, ''),
      ...(o.extra ?? []),
    ].join('\r'),
  );
}

function mapped(message: Hl7Message) {
  const { bundle, warnings } = adtToFhir.map(message, mappingContext());
  const entries = bundle.entry ?? [];
  const encounter = entries.find((e) => e.resource?.resourceType === 'Encounter')?.resource as
    Encounter | undefined;
  const patients = entries.filter((e) => e.resource?.resourceType === 'Patient');
  return { bundle, warnings, entries, encounter, patient: patients[0]?.resource as LinkedPatient, patients };
}

const locations = (e: Encounter | undefined) =>
  e?.location?.map((l) => `${l.location.display}:${l.status ?? '-'}`);

const W4 = 'Facility MCM, Point of care W4, Room 401, Bed 1';
const W3 = 'Facility MCM, Point of care W3, Room 301, Bed 2';

describe('Encounter.status per trigger', () => {
  const expected: Record<string, string> = {
    A01: 'in-progress',
    A02: 'in-progress',
    A03: 'finished',
    A04: 'planned',
    A05: 'planned',
    A06: 'in-progress',
    A07: 'in-progress',
    A08: 'in-progress', // PV1-2 I, via PatientClass[EncounterStatus]
    A09: 'in-progress',
    A10: 'in-progress',
    A11: 'cancelled',
    A12: 'in-progress',
    A13: 'in-progress',
    A14: 'planned',
    A15: 'in-progress',
    A16: 'in-progress',
    A25: 'in-progress',
    A26: 'in-progress',
    A27: 'cancelled',
    A41: 'in-progress',
    A45: 'in-progress',
    A60: 'in-progress',
  };
  for (const [trigger, status] of Object.entries(expected)) {
    it(`${trigger} -> ${status}`, () => {
      expect(mapped(adt(trigger)).encounter?.status).toBe(status);
    });
  }

  it('covers every visit trigger of the table', () => {
    const visits = [...ADT_TRIGGER_TABLE].filter(([, t]) => t.kind === 'visit').map(([k]) => k);
    expect(visits.sort()).toEqual(Object.keys(expected).sort());
  });

  it('agrees with the IG Event[EncounterStatus] rows (A08 "unknown" aside)', () => {
    for (const [trigger, coding] of EVENT_ENCOUNTER_STATUS.targets) {
      if (trigger === 'A08') continue;
      expect(ADT_TRIGGER_TABLE.get(trigger)?.status, trigger).toBe(coding.code);
    }
  });

  it('A08 keeps PV1-2: P planned; PV1-45 makes A01/A08 finished', () => {
    expect(mapped(adt('A08', { patientClass: 'P' })).encounter?.status).toBe('planned');
    expect(mapped(adt('A08', { discharged: '20260402100000+0000' })).encounter?.status).toBe('finished');
    expect(mapped(adt('A01', { discharged: '20260402100000+0000' })).encounter?.status).toBe('finished');
  });

  it('A13 cancel discharge: in-progress even with PV1-45, and no period.end', () => {
    const { encounter, warnings } = mapped(adt('A13', { discharged: '20260402100000+0000' }));
    expect(encounter?.status).toBe('in-progress');
    expect(encounter?.period).toEqual({ start: '2026-04-01T08:00:00+00:00' });
    expect(warnings).toContain('PV1-45 is valued on ADT^A13 (cancel discharge): period.end left out');
  });

  it('A11 cancel admit: cancelled even with PV1-45; the location keeps no status', () => {
    const { encounter } = mapped(adt('A11', { discharged: '20260402100000+0000' }));
    expect(encounter?.status).toBe('cancelled');
    expect(locations(encounter)).toEqual([`${W4}:-`]);
  });
});

describe('Encounter.location history per trigger', () => {
  it('A02 transfer: PV1-3 active, PV1-6 completed', () => {
    const { encounter } = mapped(adt('A02', { assigned: 'W4^401^1^MCM', prior: 'W3^301^2^MCM' }));
    expect(locations(encounter)).toEqual([`${W4}:active`, `${W3}:completed`]);
  });

  it('A12 cancel transfer: PV1-3 (the location restored) active; PV1-6 (the cancelled one) left out', () => {
    const { encounter } = mapped(adt('A12', { assigned: 'W3^301^2^MCM', prior: 'W4^401^1^MCM' }));
    expect(encounter?.status).toBe('in-progress');
    expect(locations(encounter)).toEqual([`${W3}:active`]);
  });

  it('A03 discharge: every location completed', () => {
    const { encounter } = mapped(adt('A03', { prior: 'W3^301^2^MCM', discharged: '20260402100000+0000' }));
    expect(locations(encounter)).toEqual([`${W4}:completed`, `${W3}:completed`]);
    expect(encounter?.period?.end).toBe('2026-04-02T10:00:00+00:00');
  });

  it('A05 pre-admit: planned; A09 departing: PV1-11 temporary location active', () => {
    expect(locations(mapped(adt('A05')).encounter)).toEqual([`${W4}:planned`]);
    const a09 = mapped(adt('A09', { temporary: 'XRAY^1^^MCM' })).encounter;
    expect(locations(a09)).toEqual([`${W4}:active`, 'Facility MCM, Point of care XRAY, Room 1:active']);
  });

  it('A15 pending transfer: PV1-42 reserved; A26 cancel pending transfer leaves it out', () => {
    const a15 = mapped(adt('A15', { pending: 'W3^301^2^MCM' })).encounter;
    expect(locations(a15)).toEqual([`${W4}:active`, `${W3}:reserved`]);
    const a26 = mapped(adt('A26', { pending: 'W3^301^2^MCM' })).encounter;
    expect(locations(a26)).toEqual([`${W4}:active`]);
  });
});

describe('person and merge triggers', () => {
  it('A28/A31: Patient only, PV1 not mapped (said in a warning)', () => {
    for (const trigger of ['A28', 'A31']) {
      const { entries, warnings } = mapped(adt(trigger));
      expect(entries.map((e) => e.resource?.resourceType)).toEqual(['Patient']);
      expect(warnings).toContain(`ADT^${trigger} is a person event: PV1 not mapped`);
    }
  });

  it('A29 delete person information: the Patient is marked inactive', () => {
    expect(mapped(adt('A29')).patient.active).toBe(false);
    expect(mapped(adt('A28')).patient.active).toBeUndefined();
  });

  it('A40 (fhir-converter/ADT-A40-01): survivor replaces merged; merged inactive, replaced-by survivor', () => {
    const { patients, warnings } = mapped(corpusMessage('hl7/fhir-converter/ADT-A40-01.hl7'));
    expect(warnings).toEqual([]);
    const [survivor, merged] = patients as [BundleEntry, BundleEntry];
    expect(survivor.request?.url).toBe('Patient?identifier=urn%3Aswitchboard%3Aid%3ABCBS|12345');
    expect(merged.request).toEqual({
      method: 'PUT',
      url: 'Patient?identifier=urn%3Aswitchboard%3Aid%3ABCBS|56789',
    });
    const s = survivor.resource as LinkedPatient;
    const m = merged.resource as LinkedPatient;
    expect(s.link).toEqual([{ other: { reference: merged.fullUrl, type: 'Patient' }, type: 'replaces' }]);
    expect(s.active).toBeUndefined();
    expect(s.name?.[0]?.family).toBe('Test'); // the survivor keeps its PID demographics
    expect(m).toMatchObject({
      active: false,
      identifier: [{ system: 'urn:switchboard:id:BCBS', value: '56789' }],
      link: [{ other: { reference: survivor.fullUrl, type: 'Patient' }, type: 'replaced-by' }],
    });
  });

  it('A40 with two PATIENT groups (ADT-A40-02): two merges, four entries, each pair linked', () => {
    const { patients } = mapped(corpusMessage('hl7/fhir-converter/ADT-A40-02.hl7'));
    const byValue = (p: BundleEntry) => (p.resource as Patient).identifier?.[0]?.value;
    expect(patients.map(byValue)).toEqual(['12345', '56789', '145', '569']);
    const [, , s2, m2] = patients as BundleEntry[];
    expect((s2!.resource as LinkedPatient).link?.[0]?.other.reference).toBe(m2!.fullUrl);
    expect((m2!.resource as LinkedPatient).link?.[0]?.other.reference).toBe(s2!.fullUrl);
  });

  it('A40 whose MRG names the survivor itself, or no MRG: survivor only, with a warning', () => {
    const self = mapped(adt('A40', { extra: ['MRG|100001^^^MCM^MR'] }));
    expect(self.patients).toHaveLength(1);
    expect(self.warnings).toContain('MRG-1 names the surviving patient (PID-3): nothing merged');
    const none = mapped(adt('A40'));
    expect(none.patients).toHaveLength(1);
    expect(none.warnings).toContain('ADT^A40 PID has no MRG after it: nothing merged');
  });
});

describe('PV2 -> Encounter (fhir-converter/ADT-A04-01.hl7)', () => {
  it('maps PV2-3, 8, 9, 11, 12, 13, 25, 38', () => {
    const encounter = mapped(corpusMessage('hl7/fhir-converter/ADT-A04-01.hl7')).encounter as Encounter &
      Record<string, unknown>;
    expect(encounter.reasonCode).toEqual([
      { coding: [{ system: 'http://snomed.info/sct', code: '140004', display: 'Chronic pharyngitis' }] },
    ]);
    expect(encounter.extension).toEqual([
      { url: PLANNED_START_URL, valueDateTime: '2015-02-08T11:34:19+01:10' },
      { url: PLANNED_END_URL, valueDateTime: '2015-02-09T11:34:19+01:10' },
      {
        url: MODE_OF_ARRIVAL_URL,
        valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v2-0430', code: 'C', display: 'Car' },
      },
    ]);
    expect(encounter.length).toEqual({
      value: 2,
      unit: 'days',
      system: 'http://unitsofmeasure.org',
      code: 'd',
    });
    expect(encounter.text).toEqual({
      status: 'generated',
      div: '<div xmlns="http://www.w3.org/1999/xhtml">Health Checkup</div>',
    });
    expect((encounter.priority as { coding: unknown[] }).coding[0]).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActPriority',
      code: 'UR',
      display: 'urgent',
    });
    // PV2-13 comes right after PV1's participants; ROL participants (adt-segments.ts) follow it.
    const codes = encounter.participant?.map((p) => p.type?.[0]?.coding?.[0]?.code);
    expect(codes?.filter((c) => c === 'REF').length).toBeGreaterThanOrEqual(1);
    expect(codes?.lastIndexOf('REF')).toBeGreaterThan(codes?.indexOf('ATND') ?? -1);
  });

  it('escapes PV2-12 for the narrative and rejects a non-positive PV2-11', () => {
    const message = adt('A01', { extra: ['PV2|||||||||||-3|A <b> \\T\\ c'] });
    const { encounter, warnings } = mapped(message);
    expect((encounter as Record<string, unknown> | undefined)?.text).toEqual({
      status: 'generated',
      div: '<div xmlns="http://www.w3.org/1999/xhtml">A &lt;b&gt; &amp; c</div>',
    });
    expect((encounter as Record<string, unknown> | undefined)?.length).toBeUndefined();
    expect(warnings).toContain('PV2-11 is not a positive number: length left out');
  });
});

const ADT_FILES = readManifest('hl7').filter((row) => row.msh9.startsWith('ADT^'));

describe('every ADT message of the corpus: mapped, zero FHIR validation errors', () => {
  it('finds them, and every trigger among them is mapped', () => {
    expect(ADT_FILES.length).toBeGreaterThanOrEqual(75);
    const triggers = new Set(ADT_FILES.map((r) => r.msh9.split('^')[1]!));
    expect([...triggers].filter((t) => !ADT_TRIGGERS.has(t))).toEqual([]);
  });

  for (const row of ADT_FILES) {
    it(row.path, () => {
      const { bundle }: { bundle: FhirBundle } = adtToFhir.map(
        corpusMessage(`hl7/${row.path}`),
        mappingContext(),
      );
      const entries = bundle.entry ?? [];
      expect(entries.length).toBeGreaterThan(0);
      expect(entries[0]?.resource?.resourceType).toBe('Patient');
      const errors = entries.flatMap((e, i) =>
        validateFhirResource(e.resource!)
          .filter((issue) => issue.severity === 'error')
          .map((issue) => `entry[${i}] ${issue.path}: ${issue.message}`),
      );
      expect(errors).toEqual([]);
    });
  }
});
