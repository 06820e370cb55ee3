/**
 * QIDO-RS query parameters (PS3.18 8.3.4) -> DicomIndex filters. Attributes are given by keyword
 * (PatientID) or tag (00100020); matching is the index's (exact, `*`/`?` wildcards, date ranges, UID
 * lists separated by `,` or `\`). An attribute the level cannot match on is a 400: silently dropping
 * it would answer more patients than asked for. Parameters that are not attributes and not ours
 * (fuzzymatching, ...) are ignored and named in a Warning header.
 */
import type { InstanceFilter, SeriesFilter, StudyFilter } from '../dicom-index.ts';

export type QidoLevel = 'study' | 'series' | 'instance';

export class QidoQueryError extends Error {
  override readonly name = 'QidoQueryError';
}

/** Keyword -> tag of every attribute a query may match on, at any level. */
const MATCH_TAGS = {
  PatientID: '00100020',
  PatientName: '00100010',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  StudyInstanceUID: '0020000D',
  StudyDate: '00080020',
  AccessionNumber: '00080050',
  StudyID: '00200010',
  StudyDescription: '00081030',
  ReferringPhysicianName: '00080090',
  ModalitiesInStudy: '00080061',
  SeriesInstanceUID: '0020000E',
  Modality: '00080060',
  SeriesNumber: '00200011',
  SeriesDescription: '0008103E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  InstanceNumber: '00200013',
} as const;

type Keyword = keyof typeof MATCH_TAGS;
const KEYWORD_BY_TAG = new Map<string, Keyword>(
  Object.entries(MATCH_TAGS).map(([k, t]) => [t, k as Keyword] as const),
);

/** Keywords each level matches on. */
const LEVEL_KEYS: Record<QidoLevel, ReadonlySet<Keyword>> = {
  study: new Set<Keyword>([
    'PatientID',
    'PatientName',
    'PatientBirthDate',
    'PatientSex',
    'StudyInstanceUID',
    'StudyDate',
    'AccessionNumber',
    'StudyID',
    'StudyDescription',
    'ReferringPhysicianName',
    'ModalitiesInStudy',
  ]),
  series: new Set<Keyword>([
    'StudyInstanceUID',
    'SeriesInstanceUID',
    'Modality',
    'SeriesNumber',
    'SeriesDescription',
  ]),
  instance: new Set<Keyword>([
    'StudyInstanceUID',
    'SeriesInstanceUID',
    'SOPInstanceUID',
    'SOPClassUID',
    'InstanceNumber',
  ]),
};

const MAX_LIMIT = 1000;

export interface QidoQuery<F> {
  readonly filter: F;
  /** Tags asked for with includefield (8 hex digits, upper case), or 'all'. */
  readonly includeFields: readonly string[] | 'all';
  /** Parameter names as given (for the audit: names, never values). */
  readonly names: readonly string[];
  /** Parameters we do not act on. */
  readonly ignored: readonly string[];
}

/** Resolves a keyword or 8-hex tag to a keyword we match on, or null. */
function matchKeyword(name: string): Keyword | null {
  if (name in MATCH_TAGS) return name as Keyword;
  return KEYWORD_BY_TAG.get(name.toUpperCase()) ?? null;
}

function intParam(name: string, value: string, max: number): number {
  if (!/^\d{1,9}$/.test(value)) throw new QidoQueryError(`${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
}

const uidList = (value: string): string | string[] => {
  const list = value.split(/[,\\]/).filter((u) => u !== '');
  return list.length === 1 ? list[0]! : list;
};

/**
 * Parses `pairs` (the query string, in order) for `level`. `fixed` are the UIDs from the path
 * (/studies/{study}/series), which a query parameter may not contradict.
 */
export function parseQidoQuery(
  level: QidoLevel,
  pairs: readonly (readonly [string, string])[],
  fixed: { readonly studyInstanceUid?: string; readonly seriesInstanceUid?: string } = {},
): QidoQuery<StudyFilter & SeriesFilter & InstanceFilter> {
  const values = new Map<Keyword, string>();
  const includeFields: string[] = [];
  let includeAll = false;
  let limit: number | undefined;
  let offset: number | undefined;
  const names: string[] = [];
  const ignored: string[] = [];
  for (const [name, value] of pairs) {
    names.push(name);
    if (name === 'limit') limit = intParam(name, value, MAX_LIMIT);
    else if (name === 'offset') offset = intParam(name, value, 1_000_000_000);
    else if (name === 'includefield') {
      for (const field of value.split(',')) {
        const f = field.trim();
        if (f === 'all') includeAll = true;
        else if (/^[0-9A-Fa-f]{8}$/.test(f)) includeFields.push(f.toUpperCase());
        else if (f !== '') {
          const k = matchKeyword(f);
          if (k === null)
            throw new QidoQueryError(`includefield ${f.slice(0, 64)} is not a tag or known keyword`);
          includeFields.push(MATCH_TAGS[k]);
        }
      }
    } else {
      const keyword = matchKeyword(name);
      if (keyword === null) {
        ignored.push(name);
        continue;
      }
      if (!LEVEL_KEYS[level].has(keyword)) {
        throw new QidoQueryError(`${keyword} is not a matching key of a ${level}-level query`);
      }
      if (values.has(keyword)) throw new QidoQueryError(`${keyword} is given more than once`);
      values.set(keyword, value);
    }
  }
  for (const [keyword, uid] of [
    ['StudyInstanceUID', fixed.studyInstanceUid],
    ['SeriesInstanceUID', fixed.seriesInstanceUid],
  ] as const) {
    if (uid === undefined) continue;
    const given = values.get(keyword);
    if (given !== undefined && given !== uid) throw new QidoQueryError(`${keyword} contradicts the path`);
    values.set(keyword, uid);
  }
  const v = (k: Keyword): string | undefined => {
    const s = values.get(k);
    return s === undefined || s === '' ? undefined : s;
  };
  const uid = (k: Keyword): string | string[] | undefined => {
    const s = v(k);
    return s === undefined ? undefined : uidList(s);
  };
  const int = (k: Keyword): number | undefined => {
    const s = v(k);
    if (s === undefined) return undefined;
    if (!/^-?\d{1,9}$/.test(s)) throw new QidoQueryError(`${k} must be an integer`);
    return Number(s);
  };
  const filter = stripUndefined({
    patientId: v('PatientID'),
    patientName: v('PatientName'),
    patientBirthDate: v('PatientBirthDate'),
    patientSex: v('PatientSex'),
    studyInstanceUid: uid('StudyInstanceUID'),
    studyDate: v('StudyDate'),
    accessionNumber: v('AccessionNumber'),
    studyId: v('StudyID'),
    studyDescription: v('StudyDescription'),
    referringPhysicianName: v('ReferringPhysicianName'),
    modalitiesInStudy: v('ModalitiesInStudy')
      ?.split(/[,\\]/)
      .filter((m) => m !== ''),
    seriesInstanceUid: uid('SeriesInstanceUID'),
    modality: v('Modality'),
    seriesNumber: int('SeriesNumber'),
    seriesDescription: v('SeriesDescription'),
    sopInstanceUid: uid('SOPInstanceUID'),
    sopClassUid: uid('SOPClassUID'),
    instanceNumber: int('InstanceNumber'),
    limit: limit ?? MAX_LIMIT,
    offset,
  });
  return { filter, includeFields: includeAll ? 'all' : includeFields, names, ignored };
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}
