/**
 * A study of the DICOM index -> FHIR R4 ImagingStudy, pure. Keyed on the R4 convention for DICOM
 * UIDs (identifier system `urn:dicom:uid`, value `urn:oid:<StudyInstanceUID>`), so every update of
 * a study is one conditional PUT of one resource. series[].modality uses the DICOM code system
 * (DCM), instance[].sopClass the UID as `urn:oid:` in system urn:ietf:rfc:3986, as R4 asks.
 */
import { conditionalPut, transactionBundle, type ResourceKey } from '../../../mappings/bundle.ts';
import { dtmToDateTime } from '../../../mappings/datatypes/dtm.ts';
import type { FhirBundle, FhirResource, Identifier, Reference } from '../../fhir/types.ts';

export const DICOM_UID_SYSTEM = 'urn:dicom:uid';
export const DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
const URI_SYSTEM = 'urn:ietf:rfc:3986';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

export interface StudyForFhir {
  readonly studyInstanceUid: string;
  readonly patientId: string;
  readonly accessionNumber: string | null;
  readonly studyDate: string | null;
  readonly studyTime: string | null;
  readonly studyDescription: string | null;
  readonly series: readonly SeriesForFhir[];
}

export interface SeriesForFhir {
  readonly seriesInstanceUid: string;
  readonly modality: string | null;
  readonly seriesNumber: number | null;
  readonly seriesDescription: string | null;
  readonly instances: readonly {
    sopInstanceUid: string;
    sopClassUid: string;
    instanceNumber: number | null;
  }[];
}

export interface StudyLinks {
  /** `Patient/<id>` of the FHIR store, else the patient named by its DICOM PatientID. */
  readonly subject: Reference;
  /** `ServiceRequest/<id>` of the matched order, if any. */
  readonly basedOn: string | null;
  /** Offset assumed for StudyDate/StudyTime, which carry none ('Z' or +hh:mm). */
  readonly defaultTimezone: string;
}

export const imagingStudyKey = (studyInstanceUid: string): ResourceKey => ({
  system: DICOM_UID_SYSTEM,
  value: `urn:oid:${studyInstanceUid}`,
});

/** StudyDate + StudyTime (DA + TM, the same digits as an HL7 DTM) -> dateTime, or undefined. */
function started(study: StudyForFhir, tz: string): string | undefined {
  const date = study.studyDate?.trim() ?? '';
  if (!/^\d{8}$/.test(date)) return undefined;
  const time = (study.studyTime?.trim() ?? '').replace(/:/g, '');
  return dtmToDateTime(/^\d{2,6}(\.\d{1,6})?$/.test(time) ? date + time : date, tz)?.value;
}

/** The subject when the FHIR store holds no Patient for this study: the DICOM PatientID itself. */
export function patientByDicomId(patientId: string): Reference {
  return patientId.trim() === ''
    ? { type: 'Patient', display: 'DICOM PatientID empty' }
    : { type: 'Patient', identifier: { value: patientId.trim() } };
}

export function buildImagingStudy(study: StudyForFhir, links: StudyLinks): FhirResource {
  const key = imagingStudyKey(study.studyInstanceUid);
  const identifier: Identifier[] = [{ system: key.system, value: key.value }];
  if (study.accessionNumber?.trim()) {
    identifier.push({
      type: { coding: [{ system: V2_0203, code: 'ACSN' }] },
      value: study.accessionNumber.trim(),
    });
  }
  const modalities = [...new Set(study.series.map((s) => s.modality).filter((m) => m !== null && m !== ''))];
  const when = started(study, links.defaultTimezone);
  const series = study.series.map((s) => ({
    uid: s.seriesInstanceUid,
    ...(s.seriesNumber !== null && s.seriesNumber >= 0 && { number: s.seriesNumber }),
    // Modality is 1..1 on a series: OT (other) when the instances did not say.
    modality: { system: DCM_SYSTEM, code: s.modality || 'OT' },
    ...(s.seriesDescription && { description: s.seriesDescription }),
    numberOfInstances: s.instances.length,
    instance: s.instances.map((i) => ({
      uid: i.sopInstanceUid,
      sopClass: { system: URI_SYSTEM, code: `urn:oid:${i.sopClassUid}` },
      ...(i.instanceNumber !== null && i.instanceNumber >= 0 && { number: i.instanceNumber }),
    })),
  }));
  return {
    resourceType: 'ImagingStudy',
    identifier,
    status: 'available',
    ...(modalities.length > 0 && { modality: modalities.map((code) => ({ system: DCM_SYSTEM, code })) }),
    subject: links.subject,
    ...(links.basedOn && { basedOn: [{ reference: links.basedOn }] }),
    ...(when && { started: when }),
    numberOfSeries: series.length,
    numberOfInstances: series.reduce((n, s) => n + s.numberOfInstances, 0),
    ...(study.studyDescription && { description: study.studyDescription }),
    series,
  };
}

export function imagingStudyBundle(study: StudyForFhir, links: StudyLinks): FhirBundle {
  return transactionBundle([
    conditionalPut(buildImagingStudy(study, links), imagingStudyKey(study.studyInstanceUid)),
  ]);
}
