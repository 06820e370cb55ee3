import { describe, expect, it } from 'vitest';
import { bundleErrors, validateBundle } from '../../../mappings/validation/validate-bundle.ts';
import {
  buildImagingStudy,
  imagingStudyBundle,
  patientByDicomId,
  type StudyForFhir,
} from './imaging-study.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';

const study = (over: Partial<StudyForFhir> = {}): StudyForFhir => ({
  studyInstanceUid: '2.25.1',
  patientId: 'P1',
  accessionNumber: 'ACC1',
  studyDate: '20240501',
  studyTime: '101530.25',
  studyDescription: 'CT head',
  series: [
    {
      seriesInstanceUid: '2.25.1.1',
      modality: 'CT',
      seriesNumber: 1,
      seriesDescription: null,
      instances: [
        { sopInstanceUid: '2.25.1.1.1', sopClassUid: CT, instanceNumber: 1 },
        { sopInstanceUid: '2.25.1.1.2', sopClassUid: CT, instanceNumber: 2 },
      ],
    },
    {
      seriesInstanceUid: '2.25.1.2',
      modality: null,
      seriesNumber: null,
      seriesDescription: null,
      instances: [{ sopInstanceUid: '2.25.1.2.1', sopClassUid: CT, instanceNumber: null }],
    },
  ],
  ...over,
});

const links = {
  subject: { reference: 'Patient/p-1' },
  basedOn: 'ServiceRequest/sr-1',
  defaultTimezone: '+01:00',
};

describe('ImagingStudy from the DICOM index', () => {
  it('keys on urn:dicom:uid, counts series and instances, links order and patient, and is valid R4', () => {
    const bundle = imagingStudyBundle(study(), links);
    expect(bundleErrors(validateBundle(bundle))).toEqual([]);
    expect(bundle.entry?.[0]?.request?.url).toBe(
      'ImagingStudy?identifier=urn%3Adicom%3Auid|urn%3Aoid%3A2.25.1',
    );
    const r = buildImagingStudy(study(), links);
    expect(r).toMatchObject({
      identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:2.25.1' }, { value: 'ACC1' }],
      status: 'available',
      subject: { reference: 'Patient/p-1' },
      basedOn: [{ reference: 'ServiceRequest/sr-1' }],
      started: '2024-05-01T10:15:30.25+01:00',
      numberOfSeries: 2,
      numberOfInstances: 3,
      modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
    });
    const series = r['series'] as {
      modality: { code: string };
      instance: { sopClass: { code: string } }[];
    }[];
    expect(series.map((s) => s.modality.code)).toEqual(['CT', 'OT']);
    expect(series[0]!.instance[0]!.sopClass.code).toBe(`urn:oid:${CT}`);
  });

  it('without an order or a stored Patient: no basedOn, subject by PatientID; bad dates are left out', () => {
    const r = buildImagingStudy(study({ studyDate: '2024', accessionNumber: null }), {
      ...links,
      subject: patientByDicomId(' P1 '),
      basedOn: null,
    });
    expect(r['basedOn']).toBeUndefined();
    expect(r['started']).toBeUndefined();
    expect(r['subject']).toEqual({ type: 'Patient', identifier: { value: 'P1' } });
    expect(
      bundleErrors(
        validateBundle(
          imagingStudyBundle(study({ patientId: '' }), { ...links, subject: patientByDicomId('') }),
        ),
      ),
    ).toEqual([]);
  });
});
