/**
 * Reads a received DICOM Part-10 object into what the index needs: the file meta information, the
 * usual query keys as plain values (names as UTF-8 text, whatever SpecificCharacterSet the sender
 * used) and the dataset as DICOM JSON without bulk data. The bytes themselves are stored as received
 * elsewhere (object store); this never changes them.
 */
import { PIXEL_DATA_TAG, readPart10, type DcmjsDataset, type DcmjsFile } from './dcmjs-reader.ts';
import { checkDatasetStructure, readMetaSpan } from './part10-structure.ts';
import { bulkDataUri, toDicomJson, type DicomJsonDataset } from './dicom-json.ts';
import { readPart10Fast } from './fast-part10-reader.ts';

export interface Part10Meta {
  readonly transferSyntaxUid: string;
  readonly mediaStorageSopClassUid: string | null;
  readonly mediaStorageSopInstanceUid: string | null;
  readonly implementationClassUid: string | null;
  readonly sourceApplicationEntityTitle: string | null;
}

/** The query keys (PS3.4 C.6 / QIDO-RS) kept as columns. Empty DICOM values are null. */
export interface DicomQueryKeys {
  readonly patientId: string;
  readonly patientName: string | null;
  readonly patientBirthDate: string | null;
  readonly patientSex: string | null;
  readonly studyInstanceUid: string;
  readonly studyDate: string | null;
  readonly studyTime: string | null;
  readonly accessionNumber: string | null;
  readonly studyId: string | null;
  readonly studyDescription: string | null;
  readonly referringPhysicianName: string | null;
  readonly seriesInstanceUid: string;
  readonly modality: string | null;
  readonly seriesNumber: number | null;
  readonly seriesDescription: string | null;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly instanceNumber: number | null;
}

export interface ParsedInstance {
  readonly meta: Part10Meta;
  readonly keys: DicomQueryKeys;
  /** The dataset (not the file meta) as DICOM JSON, bulk data replaced by BulkDataURI placeholders. */
  readonly json: DicomJsonDataset;
  /** Size of the Part-10 object in bytes, as received. */
  readonly size: number;
}

export type DicomParseReason = 'not-part10' | 'unreadable' | 'truncated' | 'missing-uid';

/** The object cannot be indexed. The C-STORE handler answers with a failure status, never success. */
export class DicomParseError extends Error {
  constructor(
    readonly reason: DicomParseReason,
    message: string,
  ) {
    super(message);
    this.name = 'DicomParseError';
  }
}

const TAG = {
  TransferSyntaxUID: '00020010',
  MediaStorageSOPClassUID: '00020002',
  MediaStorageSOPInstanceUID: '00020003',
  ImplementationClassUID: '00020012',
  SourceApplicationEntityTitle: '00020016',
  PatientID: '00100020',
  PatientName: '00100010',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  StudyInstanceUID: '0020000D',
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  StudyID: '00200010',
  StudyDescription: '00081030',
  ReferringPhysicianName: '00080090',
  SeriesInstanceUID: '0020000E',
  Modality: '00080060',
  SeriesNumber: '00200011',
  SeriesDescription: '0008103E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  InstanceNumber: '00200013',
  BitsAllocated: '00280100',
} as const;

/** The dataset elements assembleInstance reads (the fast reader keeps only these as dcmjs-shaped values). */
export const DATASET_KEY_TAGS: readonly string[] = Object.values(TAG).filter((t) => !t.startsWith('0002'));

const ENCAPSULATED_NOT = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
]);

/**
 * Tries the single-pass reader (fast-part10-reader.ts) first; anything it does not handle exactly
 * like dcmjs (big endian, deflate, other character sets, unusual encodings) goes through dcmjs.
 */
export function parsePart10(bytes: Uint8Array): ParsedInstance {
  return readPart10Fast(bytes) ?? parsePart10WithDcmjs(bytes);
}

/** Throws 'not-part10' unless the bytes have the 128-byte preamble and "DICM". */
export function assertPart10Prefix(bytes: Uint8Array): void {
  if (bytes.byteLength < 132 || Buffer.from(bytes.buffer, bytes.byteOffset + 128, 4).toString() !== 'DICM') {
    throw new DicomParseError('not-part10', 'not a DICOM Part-10 object (no DICM prefix at offset 128)');
  }
}

/** The dcmjs path: the reference the fast reader must match, and its fallback. */
export function parsePart10WithDcmjs(bytes: Uint8Array): ParsedInstance {
  assertPart10Prefix(bytes);
  // Before dcmjs: it stops at Pixel Data and reads a cut value without complaint.
  const span = readMetaSpan(bytes);
  if (span.transferSyntaxUid) {
    const problem = checkDatasetStructure(bytes, span.datasetOffset, span.transferSyntaxUid);
    if (problem) throw new DicomParseError('truncated', `DICOM dataset is not whole: ${problem.message}`);
  }
  let file: DcmjsFile;
  try {
    file = readPart10(bytes);
  } catch (err) {
    throw new DicomParseError('unreadable', `DICOM dataset could not be read: ${(err as Error).message}`);
  }
  return assembleInstance(file.meta, file.dict, PIXEL_DATA_TAG in file.dict, bytes.byteLength);
}

/**
 * Meta, keys and DICOM JSON from dcmjs-shaped datasets (file meta and dataset up to Pixel Data);
 * `hasPixelData` when the dataset reached (7FE0,0010). `dicomJson`: toDicomJson(d) when the
 * caller already has it (the fast reader builds it while reading).
 */
export function assembleInstance(
  m: DcmjsDataset,
  d: DcmjsDataset,
  hasPixelData: boolean,
  size: number,
  dicomJson?: DicomJsonDataset,
): ParsedInstance {
  const transferSyntaxUid = str(m, TAG.TransferSyntaxUID);
  if (!transferSyntaxUid) throw new DicomParseError('unreadable', 'file meta has no TransferSyntaxUID');

  const keys: DicomQueryKeys = {
    patientId: str(d, TAG.PatientID) ?? '',
    patientName: personName(d, TAG.PatientName),
    patientBirthDate: str(d, TAG.PatientBirthDate),
    patientSex: str(d, TAG.PatientSex),
    studyInstanceUid: requiredUid(d, TAG.StudyInstanceUID, 'StudyInstanceUID'),
    studyDate: str(d, TAG.StudyDate),
    studyTime: str(d, TAG.StudyTime),
    accessionNumber: str(d, TAG.AccessionNumber),
    studyId: str(d, TAG.StudyID),
    studyDescription: str(d, TAG.StudyDescription),
    referringPhysicianName: personName(d, TAG.ReferringPhysicianName),
    seriesInstanceUid: requiredUid(d, TAG.SeriesInstanceUID, 'SeriesInstanceUID'),
    modality: str(d, TAG.Modality),
    seriesNumber: int(d, TAG.SeriesNumber),
    seriesDescription: str(d, TAG.SeriesDescription),
    sopInstanceUid: requiredUid(d, TAG.SOPInstanceUID, 'SOPInstanceUID'),
    sopClassUid: requiredUid(d, TAG.SOPClassUID, 'SOPClassUID'),
    instanceNumber: int(d, TAG.InstanceNumber),
  };

  const json = dicomJson ?? toDicomJson(d);
  if (hasPixelData) {
    // Not read (see dcmjs-reader): the VR is the conventional one, the bytes stay in the object.
    const vr =
      !ENCAPSULATED_NOT.has(transferSyntaxUid) || (int(d, TAG.BitsAllocated) ?? 16) <= 8 ? 'OB' : 'OW';
    json[PIXEL_DATA_TAG] = { vr, BulkDataURI: bulkDataUri([PIXEL_DATA_TAG]) };
  }

  return {
    meta: {
      transferSyntaxUid,
      mediaStorageSopClassUid: str(m, TAG.MediaStorageSOPClassUID),
      mediaStorageSopInstanceUid: str(m, TAG.MediaStorageSOPInstanceUID),
      implementationClassUid: str(m, TAG.ImplementationClassUID),
      sourceApplicationEntityTitle: str(m, TAG.SourceApplicationEntityTitle),
    },
    keys,
    json,
    size,
  };
}

/** First value as trimmed text without NULs, or null when absent or empty. */
function str(ds: DcmjsDataset, tag: string): string | null {
  const v = ds[tag]?.Value?.[0];
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const s = v.replace(/\0/g, '').trim();
  return s === '' ? null : s;
}

function int(ds: DcmjsDataset, tag: string): number | null {
  const v = ds[tag]?.Value?.[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 31 - 1 ? n : null;
}

/** A PN value as its DICOM string form: Alphabetic=Ideographic=Phonetic, trailing empty groups dropped. */
function personName(ds: DcmjsDataset, tag: string): string | null {
  const v = ds[tag]?.Value?.[0];
  if (typeof v === 'string') return v.replace(/\0/g, '').trim() || null;
  if (typeof v !== 'object' || v === null) return null;
  const pn = v as Record<string, unknown>;
  const groups = ['Alphabetic', 'Ideographic', 'Phonetic'].map((g) => {
    const part = pn[g];
    return typeof part === 'string' ? part.replace(/\0/g, '').trim() : '';
  });
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
  return groups.length > 0 ? groups.join('=') : null;
}

function requiredUid(ds: DcmjsDataset, tag: string, name: string): string {
  const uid = str(ds, tag);
  if (!uid) throw new DicomParseError('missing-uid', `dataset has no ${name}`);
  return uid;
}
