/**
 * DICOM JSON (PS3.18 F.2) for DICOMweb answers: QIDO-RS results at study, series and instance level
 * from the index's records, WADO-RS metadata with BulkDataURIs made absolute, and the STOW-RS
 * response dataset (ReferencedSOPSequence / FailedSOPSequence). Tags are 8 upper-case hex digits.
 */
import type { DicomJsonDataset, DicomJsonElement, DicomJsonValue } from '../dicom-json.ts';
import type { InstanceRecord, SeriesRecord, StudyRecord } from '../dicom-index.ts';

/** Where this server's DICOMweb service is, as the client addressed it: `http://host:port/dicomweb`. */
export interface DicomWebUrls {
  readonly base: string;
}

export const studyUrl = (u: DicomWebUrls, study: string): string => `${u.base}/studies/${study}`;
export const seriesUrl = (u: DicomWebUrls, study: string, series: string): string =>
  `${studyUrl(u, study)}/series/${series}`;
export const instanceUrl = (u: DicomWebUrls, study: string, series: string, sop: string): string =>
  `${seriesUrl(u, study, series)}/instances/${sop}`;

function el(vr: string, value: DicomJsonValue | null | undefined): DicomJsonElement {
  return value === null || value === undefined || value === '' ? { vr } : { vr, Value: [value] };
}

const pn = (name: string | null): DicomJsonElement => el('PN', name ? { Alphabetic: name } : null);

const UTF8 = { '00080005': { vr: 'CS', Value: ['ISO_IR 192'] } };

export function studyJson(u: DicomWebUrls, s: StudyRecord): DicomJsonDataset {
  return {
    ...UTF8,
    '00080020': el('DA', s.studyDate),
    '00080030': el('TM', s.studyTime),
    '00080050': el('SH', s.accessionNumber),
    '00080056': el('CS', 'ONLINE'),
    '00080061': s.modalitiesInStudy.length > 0 ? { vr: 'CS', Value: [...s.modalitiesInStudy] } : { vr: 'CS' },
    '00080090': pn(s.referringPhysicianName),
    '00081030': el('LO', s.studyDescription),
    '00081190': el('UR', studyUrl(u, s.studyInstanceUid)),
    '00100010': pn(s.patientName),
    '00100020': el('LO', s.patientId),
    '00100030': el('DA', s.patientBirthDate),
    '00100040': el('CS', s.patientSex),
    '0020000D': el('UI', s.studyInstanceUid),
    '00200010': el('SH', s.studyId),
    '00201206': el('IS', s.numberOfStudyRelatedSeries),
    '00201208': el('IS', s.numberOfStudyRelatedInstances),
  };
}

export function seriesJson(u: DicomWebUrls, s: SeriesRecord): DicomJsonDataset {
  return {
    ...UTF8,
    '00080056': el('CS', 'ONLINE'),
    '00080060': el('CS', s.modality),
    '0008103E': el('LO', s.seriesDescription),
    '00081190': el('UR', seriesUrl(u, s.studyInstanceUid, s.seriesInstanceUid)),
    '0020000D': el('UI', s.studyInstanceUid),
    '0020000E': el('UI', s.seriesInstanceUid),
    '00200011': el('IS', s.seriesNumber),
    '00201209': el('IS', s.numberOfSeriesRelatedInstances),
  };
}

/**
 * An instance-level result; `stored` (the instance's indexed DICOM JSON) supplies attributes asked
 * for with includefield ('all': every attribute; bulk data URIs made absolute).
 */
export function instanceJson(
  u: DicomWebUrls,
  i: InstanceRecord,
  include: readonly string[] | 'all' = [],
  stored: DicomJsonDataset | null = null,
): DicomJsonDataset {
  const url = instanceUrl(u, i.studyInstanceUid, i.seriesInstanceUid, i.sopInstanceUid);
  const extra: DicomJsonDataset = {};
  if (stored) {
    const absolute = withAbsoluteBulkData(stored, url);
    if (include === 'all') Object.assign(extra, absolute);
    else for (const tag of include) if (absolute[tag]) extra[tag] = absolute[tag];
  }
  return sortTags({
    ...extra,
    ...UTF8,
    '00080016': el('UI', i.sopClassUid),
    '00080018': el('UI', i.sopInstanceUid),
    '00080056': el('CS', 'ONLINE'),
    '00081190': el('UR', url),
    '00083002': el('UI', i.transferSyntaxUid),
    '0020000D': el('UI', i.studyInstanceUid),
    '0020000E': el('UI', i.seriesInstanceUid),
    '00200013': el('IS', i.instanceNumber),
  });
}

/** A copy of `dataset` whose relative BulkDataURIs (`bulkdata/...`) are resolved against `instance`. */
export function withAbsoluteBulkData(dataset: DicomJsonDataset, instance: string): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const [tag, element] of Object.entries(dataset)) {
    let copy: DicomJsonElement = element;
    if (element.BulkDataURI !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(element.BulkDataURI)) {
      copy = { ...element, BulkDataURI: `${instance}/${element.BulkDataURI}` };
    } else if (element.vr === 'SQ' && element.Value) {
      copy = {
        ...element,
        Value: element.Value.map((item) => (isDataset(item) ? withAbsoluteBulkData(item, instance) : item)),
      };
    }
    out[tag] = copy;
  }
  return out;
}

function isDataset(v: DicomJsonValue): v is DicomJsonDataset {
  return typeof v === 'object' && v !== null && !('Alphabetic' in v || 'Ideographic' in v || 'Phonetic' in v);
}

function sortTags(d: DicomJsonDataset): DicomJsonDataset {
  return Object.fromEntries(Object.entries(d).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** PS3.4 C-STORE failure reasons used in FailedSOPSequence (0008,1197). */
export const STOW_FAILURE = {
  /** Processing failure: we could not store it. */
  processing: 0x0110,
  /** Cannot understand: not a readable Part-10 object, or a part that is not application/dicom. */
  cannotUnderstand: 0xc000,
  /** The instance is not of the study named in the request URL. */
  studyMismatch: 0xa900,
} as const;

export interface StowOutcome {
  readonly sopClassUid: string | null;
  readonly sopInstanceUid: string | null;
  readonly studyInstanceUid: string | null;
  readonly seriesInstanceUid: string | null;
  /** null = stored. */
  readonly failure: number | null;
}

/** The Store Instances Response Module as DICOM JSON (one dataset). */
export function stowResponseJson(u: DicomWebUrls, outcomes: readonly StowOutcome[]): DicomJsonDataset {
  const stored = outcomes.filter((o) => o.failure === null);
  const failed = outcomes.filter((o) => o.failure !== null);
  const studies = new Set(stored.map((o) => o.studyInstanceUid));
  const out: DicomJsonDataset = {};
  const onlyStudy = studies.size === 1 ? [...studies][0] : undefined;
  if (onlyStudy) out['00081190'] = el('UR', studyUrl(u, onlyStudy));
  if (failed.length > 0) {
    out['00081198'] = {
      vr: 'SQ',
      Value: failed.map((o) => ({
        '00081150': el('UI', o.sopClassUid),
        '00081155': el('UI', o.sopInstanceUid),
        '00081197': el('US', o.failure),
      })),
    };
  }
  if (stored.length > 0) {
    out['00081199'] = {
      vr: 'SQ',
      Value: stored.map((o) => ({
        '00081150': el('UI', o.sopClassUid),
        '00081155': el('UI', o.sopInstanceUid),
        '00081190': el(
          'UR',
          instanceUrl(u, o.studyInstanceUid ?? '', o.seriesInstanceUid ?? '', o.sopInstanceUid ?? ''),
        ),
      })),
    };
  }
  return out;
}
