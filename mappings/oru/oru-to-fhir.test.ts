import { describe, expect, it } from 'vitest';
import { readManifest } from '../../engine/hl7/testing/corpus.ts';
import { corpusMessage, mappingContext } from '../testing/fragments.ts';
import { validateBundle } from '../validation/validate-bundle.ts';
import { REPORT_KEY_SYSTEM } from './keys.ts';
import { oruToFhir } from './oru-to-fhir.ts';
import { MSH, OBR, PID, mapSegments, observationOf } from './testing.ts';

const V3_INTERP = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const V2_0078 = 'http://terminology.hl7.org/CodeSystem/v2-0078';
const obxWith = (status: string, flags = '', range = '') =>
  `OBX|1|NM|2093-3^Cholesterol^LN||185|mg/dL^^UCUM|${range}|${flags}|||${status}`;

describe('OBX-11 -> Observation.status (ObservationResultStatusCodesInterpretation)', () => {
  it.each([
    ['P', 'preliminary'],
    ['F', 'final'],
    ['C', 'corrected'],
    ['A', 'amended'],
    ['D', 'entered-in-error'],
    ['W', 'entered-in-error'],
    ['X', 'cancelled'],
    ['R', 'preliminary'],
    ['I', 'registered'],
    ['V', 'final'],
  ])('%s -> %s', (code, status) => {
    expect(observationOf(obxWith(code)).obs.status).toBe(status);
  });

  it('X keeps the v2 code as an alternate-codes extension and, without a value, says why it is absent', () => {
    const { obs } = observationOf('OBX|1|NM|2093-3^Cholesterol^LN||||||||X');
    expect(obs._status?.extension[0]?.valueCodeableConcept?.coding?.[0]).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v2-0085',
      code: 'X',
    });
    expect(obs.dataAbsentReason?.coding?.[0]?.code).toBe('not-performed');
  });

  it('an empty or unknown OBX-11 is "unknown" with a warning naming the path and code', () => {
    expect(observationOf(obxWith('')).warnings).toContain('OBX[1]-11 is empty: Observation.status "unknown"');
    const { obs, warnings } = observationOf(obxWith('Q'));
    expect(obs.status).toBe('unknown');
    expect(warnings).toContain('OBX[1]-11 code "Q" is not in table 0085: Observation.status "unknown"');
  });
});

describe('OBX-8 -> interpretation (InterpretationCodes), OBX-7 -> referenceRange', () => {
  it('maps flags to v3 ObservationInterpretation first and keeps the v2-0078 coding', () => {
    const { obs } = observationOf(obxWith('F', 'H~LL'));
    expect(obs.interpretation).toEqual([
      {
        coding: [
          { system: V3_INTERP, code: 'H', display: 'High' },
          { system: V2_0078, code: 'H' },
        ],
      },
      {
        coding: [
          { system: V3_INTERP, code: 'LL', display: 'Critical low' },
          { system: V2_0078, code: 'LL' },
        ],
      },
    ]);
  });

  it('a code the concept map leaves unmapped keeps only its v2-0078 coding', () => {
    expect(observationOf(obxWith('F', 'AC')).obs.interpretation).toEqual([
      { coding: [{ system: V2_0078, code: 'AC' }] },
    ]);
  });

  it('a parseable range gets low/high in OBX-6 units, and the text always', () => {
    expect(observationOf(obxWith('F', '', '100-199')).obs.referenceRange).toEqual([
      {
        low: { value: 100, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
        high: { value: 199, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
        text: '100-199',
      },
    ]);
    expect(observationOf(obxWith('F', '', '<200')).obs.referenceRange?.[0]).toMatchObject({
      high: { value: 200 },
      text: '<200',
    });
    expect(observationOf(obxWith('F', '', 'negative')).obs.referenceRange).toEqual([{ text: 'negative' }]);
  });

  it('NTE after an OBX -> Observation.note (escapes decoded); OBX-14 -> effectiveDateTime; OBX-16 -> performer', () => {
    const { obs } = observationOf(
      'OBX|1|NM|2093-3^Cholesterol^LN||185||||||F|||20240301093000-0500||1234^SMITH^ANN^^^DR^^^NPI&2.16.840.1.113883.4.6&ISO',
      ['NTE|1|L|Fasting \\T\\ hydrated\\.br\\second line'],
    );
    expect(obs.note).toEqual([{ text: 'Fasting & hydrated\nsecond line' }]);
    expect(obs.effectiveDateTime).toBe('2024-03-01T09:30:00-05:00');
    expect(obs.performer?.[0]).toMatchObject({
      type: 'Practitioner',
      identifier: { system: 'urn:oid:2.16.840.1.113883.4.6', value: '1234' },
      display: 'DR ANN SMITH',
    });
  });
});

describe('OBR -> DiagnosticReport', () => {
  it.each([
    ['P', 'preliminary'],
    ['F', 'final'],
    ['C', 'corrected'],
    ['R', 'partial'],
    ['X', 'cancelled'],
    ['I', 'registered'],
    ['A', 'partial'],
  ])('OBR-25 %s -> status %s', (code, status) => {
    expect(mapSegments([MSH, PID, OBR(code)]).reports[0]?.status).toBe(status);
  });

  it('identifiers, basedOn by placer number, code, effective, issued, subject, results', () => {
    const { reports, observations, bundle } = mapSegments([
      MSH,
      PID,
      'ORC|RE|PLC1^EHR|FIL1^ACME LAB',
      OBR('F'),
      'NTE|1|L|Report comment',
      obxWith('F'),
    ]);
    const report = reports[0]!;
    expect(report.identifier?.slice(0, 2)).toEqual([
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PLAC' }] },
        system: 'urn:switchboard:id:EHR',
        value: 'PLC1',
      },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'FILL' }] },
        system: 'urn:switchboard:id:ACME%20LAB',
        value: 'FIL1',
      },
    ]);
    expect(report.basedOn).toEqual([
      { type: 'ServiceRequest', identifier: { system: 'urn:switchboard:id:EHR', value: 'PLC1' } },
    ]);
    expect(report.code.coding?.[0]).toEqual({
      system: 'http://loinc.org',
      code: '24331-1',
      display: 'Lipid panel',
    });
    expect(report.effectiveDateTime).toBe('2024-03-01T10:00:00-05:00');
    expect(report.issued).toBe('2024-03-01T11:00:00-05:00');
    expect(report.extension?.[0]?.valueAnnotation?.text).toBe('Report comment');
    const urls = new Map(bundle.entry?.map((e) => [e.resource, e.fullUrl]));
    expect(report.subject?.reference).toBe(bundle.entry?.[0]?.fullUrl);
    expect(report.result).toEqual([{ reference: urls.get(observations[0]!) }]);
    expect(bundle.entry?.[0]?.request).toMatchObject({ method: 'POST', url: 'Patient' });
  });

  it('several OBR groups sharing one filler number get distinct keys; OBX keys differ per group', () => {
    const { reports, observations, bundle } = mapSegments([
      MSH,
      PID,
      OBR('F', { code: '24331-1^Lipid^LN' }),
      obxWith('F'),
      OBR('F', { code: '57021-8^CBC^LN' }),
      obxWith('F'),
      OBR('F', { code: '57021-8^CBC^LN' }),
    ]);
    expect(reports).toHaveLength(3);
    const keys = reports.map((r) => r.identifier?.find((i) => i.system === REPORT_KEY_SYSTEM)?.value);
    expect(new Set(keys).size).toBe(3);
    expect(observations).toHaveLength(2);
    expect(new Set(bundle.entry?.map((e) => e.request?.url)).size).toBe(bundle.entry?.length);
  });

  it('SPM -> Specimen keyed on SPM-2, referenced by the report and its observations', () => {
    const { specimens, reports, observations, bundle } = mapSegments([
      MSH,
      PID,
      OBR('F'),
      obxWith('F'),
      'SPM|1|SP1&EHR^SF1&ACME LAB||119297000^Blood specimen^SCT|||||||||||||20240301080000-0500|20240301090000-0500',
    ]);
    const specimen = specimens[0]!;
    expect(specimen.type?.coding?.[0]).toEqual({
      system: 'http://snomed.info/sct',
      code: '119297000',
      display: 'Blood specimen',
    });
    expect(specimen.collection?.collectedDateTime).toBe('2024-03-01T08:00:00-05:00');
    expect(specimen.receivedTime).toBe('2024-03-01T09:00:00-05:00');
    const entry = bundle.entry?.find((e) => e.resource === specimen);
    expect(entry?.request?.url).toBe('Specimen?identifier=urn%3Aswitchboard%3Aid%3AACME%2520LAB|SF1');
    expect(reports[0]?.specimen).toEqual([{ reference: entry?.fullUrl }]);
    expect(observations[0]?.specimen).toEqual({ reference: entry?.fullUrl });
  });

  it('ignores other message types with a warning', () => {
    const { bundle, warnings } = mapSegments([MSH.replace('ORU^R01^ORU_R01', 'ORM^O01'), PID]);
    expect(bundle.entry).toEqual([]);
    expect(warnings).toEqual(['ORM^O01 is not ORU^R01: empty transaction']);
  });
});

const RESULTS = readManifest('hl7').filter((row) => row.msh9.startsWith('ORU^R01'));

describe('oru-to-fhir on every ORU^R01 of the corpus: zero validation errors', () => {
  it('finds the corpus messages', () => {
    expect(RESULTS.length).toBeGreaterThanOrEqual(49);
  });

  for (const row of RESULTS) {
    it(row.path, () => {
      const message = corpusMessage(`hl7/${row.path}`);
      const { bundle } = oruToFhir.map(message, mappingContext());
      const errors = validateBundle(bundle).filter((i) => i.severity === 'error');
      expect(errors).toEqual([]);
      const types = (bundle.entry ?? []).map((e) => e.resource?.resourceType);
      expect(types.filter((t) => t === 'DiagnosticReport')).toHaveLength(message.segmentCount('OBR'));
      expect(types.filter((t) => t === 'Patient')).toHaveLength(1);
      // No two entries write the same resource (the store would refuse the transaction).
      const urls = (bundle.entry ?? []).map((e) => e.fullUrl);
      expect(new Set(urls).size).toBe(urls.length);
      const again = oruToFhir.map(corpusMessage(`hl7/${row.path}`), mappingContext());
      expect(JSON.stringify(again.bundle)).toBe(JSON.stringify(bundle));
    });
  }

  it('maps the ED base64 documents of the newborn-screening files to attachments', () => {
    const { bundle } = oruToFhir.map(
      corpusMessage('hl7/cdc-trusted-intermediary/002_Natus_ORU_R01_NBS.hl7'),
      mappingContext(),
    );
    const attachments = (bundle.entry ?? []).flatMap((e) =>
      (
        (e.resource?.extension as
          { valueAttachment?: { data?: string; contentType?: string } }[] | undefined) ?? []
      ).flatMap((x) => x.valueAttachment ?? []),
    );
    expect(attachments.length).toBeGreaterThan(0);
    // ^TEXT^html^Base64^...: the reports are HTML documents.
    expect(attachments[0]!.contentType).toBe('text/html');
    expect(Buffer.from(attachments[0]!.data!, 'base64').subarray(0, 6).toString('latin1')).toBe('<html>');
  });
});
