/**
 * The C-FIND query over the DICOM index tables (migration 009), at one of the four Query/Retrieve
 * levels: one SQL statement joining the level's table with every level above it, so keys of higher
 * levels can be matched too (patient keys in a study-root STUDY query, for instance). Rows come back
 * keyed by DICOM keyword, with the related counts (NumberOfStudyRelatedInstances and the like) the
 * identifier asked for. The matching itself is query-match.ts's SqlConditions.
 */
import type { SqlQueryable } from '../../db/sql.ts';
import { SqlConditions, type DateMatch, type TextMatch, type UidMatch } from '../query-match.ts';

export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export const LEVEL_DEPTH: Readonly<Record<QueryLevel, number>> = {
  PATIENT: 0,
  STUDY: 1,
  SERIES: 2,
  IMAGE: 3,
};

type MatchKind = 'text' | 'person-name' | 'date' | 'uid' | 'integer' | 'modalities' | 'return-only';

interface KeyColumn {
  readonly level: QueryLevel;
  readonly sql: string;
  readonly match: MatchKind;
  /** How the value goes back into the response. */
  readonly output: 'text' | 'integer' | 'list';
}

/** The attributes the index holds as columns, by DICOM keyword. */
export const KEY_COLUMNS: Readonly<Record<string, KeyColumn>> = {
  PatientID: { level: 'PATIENT', sql: 'p.patient_id', match: 'text', output: 'text' },
  PatientName: { level: 'PATIENT', sql: 'p.patient_name', match: 'person-name', output: 'text' },
  PatientBirthDate: { level: 'PATIENT', sql: 'p.patient_birth_date', match: 'date', output: 'text' },
  PatientSex: { level: 'PATIENT', sql: 'p.patient_sex', match: 'text', output: 'text' },
  StudyInstanceUID: { level: 'STUDY', sql: 's.study_instance_uid', match: 'uid', output: 'text' },
  StudyDate: { level: 'STUDY', sql: 's.study_date', match: 'date', output: 'text' },
  StudyTime: { level: 'STUDY', sql: 's.study_time', match: 'return-only', output: 'text' },
  AccessionNumber: { level: 'STUDY', sql: 's.accession_number', match: 'text', output: 'text' },
  StudyID: { level: 'STUDY', sql: 's.study_id', match: 'text', output: 'text' },
  StudyDescription: { level: 'STUDY', sql: 's.study_description', match: 'text', output: 'text' },
  ReferringPhysicianName: {
    level: 'STUDY',
    sql: 's.referring_physician_name',
    match: 'person-name',
    output: 'text',
  },
  ModalitiesInStudy: { level: 'STUDY', sql: 's.modalities_in_study', match: 'modalities', output: 'list' },
  SeriesInstanceUID: { level: 'SERIES', sql: 'se.series_instance_uid', match: 'uid', output: 'text' },
  Modality: { level: 'SERIES', sql: 'se.modality', match: 'text', output: 'text' },
  SeriesNumber: { level: 'SERIES', sql: 'se.series_number', match: 'integer', output: 'integer' },
  SeriesDescription: { level: 'SERIES', sql: 'se.series_description', match: 'text', output: 'text' },
  SOPInstanceUID: { level: 'IMAGE', sql: 'i.sop_instance_uid', match: 'uid', output: 'text' },
  SOPClassUID: { level: 'IMAGE', sql: 'i.sop_class_uid', match: 'uid', output: 'text' },
  InstanceNumber: { level: 'IMAGE', sql: 'i.instance_number', match: 'integer', output: 'integer' },
};

/** Counts computed per match, with the lowest level they are defined at. */
export const COUNT_KEYS: Readonly<Record<string, { readonly level: QueryLevel; readonly sql: string }>> = {
  NumberOfPatientRelatedStudies: {
    level: 'PATIENT',
    sql: '(SELECT count(*) FROM dicom_studies x WHERE x.patient_id = p.patient_id)',
  },
  NumberOfPatientRelatedSeries: {
    level: 'PATIENT',
    sql: '(SELECT count(*) FROM dicom_series x JOIN dicom_studies y ON y.study_instance_uid = x.study_instance_uid WHERE y.patient_id = p.patient_id)',
  },
  NumberOfPatientRelatedInstances: {
    level: 'PATIENT',
    sql: '(SELECT count(*) FROM dicom_instances x JOIN dicom_studies y ON y.study_instance_uid = x.study_instance_uid WHERE y.patient_id = p.patient_id)',
  },
  NumberOfStudyRelatedSeries: {
    level: 'STUDY',
    sql: '(SELECT count(*) FROM dicom_series x WHERE x.study_instance_uid = s.study_instance_uid)',
  },
  NumberOfStudyRelatedInstances: {
    level: 'STUDY',
    sql: '(SELECT count(*) FROM dicom_instances x WHERE x.study_instance_uid = s.study_instance_uid)',
  },
  NumberOfSeriesRelatedInstances: {
    level: 'SERIES',
    sql: '(SELECT count(*) FROM dicom_instances x WHERE x.series_instance_uid = se.series_instance_uid)',
  },
};

/** One matching key: a column keyword and the C-FIND match value (already split into values). */
export interface KeyMatch {
  readonly keyword: string;
  readonly values: readonly string[];
}

export interface FindQuery {
  readonly level: QueryLevel;
  readonly matches: readonly KeyMatch[];
  /** Keywords to return: columns and counts; unknown ones are ignored here. */
  readonly returnKeys: readonly string[];
  readonly limit: number;
}

/** A match, keyed by DICOM keyword; values are text, integers, string lists, or null when unknown. */
export type FindRow = Readonly<Record<string, string | number | readonly string[] | null>>;

const FROM: Readonly<Record<QueryLevel, string>> = {
  PATIENT: 'FROM dicom_patients p',
  STUDY: 'FROM dicom_studies s JOIN dicom_patients p ON p.patient_id = s.patient_id',
  SERIES:
    'FROM dicom_series se JOIN dicom_studies s ON s.study_instance_uid = se.study_instance_uid ' +
    'JOIN dicom_patients p ON p.patient_id = s.patient_id',
  IMAGE:
    'FROM dicom_instances i JOIN dicom_series se ON se.series_instance_uid = i.series_instance_uid ' +
    'JOIN dicom_studies s ON s.study_instance_uid = se.study_instance_uid ' +
    'JOIN dicom_patients p ON p.patient_id = s.patient_id',
};

const ORDER: Readonly<Record<QueryLevel, string>> = {
  PATIENT: 'ORDER BY p.patient_id',
  STUDY: 'ORDER BY s.study_date NULLS LAST, s.study_time NULLS LAST, s.study_instance_uid',
  SERIES: 'ORDER BY s.study_instance_uid, se.series_number NULLS LAST, se.series_instance_uid',
  IMAGE: 'ORDER BY i.series_instance_uid, i.instance_number NULLS LAST, i.sop_instance_uid',
};

/** A key's column can be used at a level when it is defined at that level or above. */
export function availableAt(keyLevel: QueryLevel, level: QueryLevel): boolean {
  return LEVEL_DEPTH[keyLevel] <= LEVEL_DEPTH[level];
}

function addMatch(c: SqlConditions, column: KeyColumn, values: readonly string[]): void {
  if (values.length === 0) return;
  const single = values.length === 1 ? values[0] : undefined;
  switch (column.match) {
    case 'uid':
      c.uid(column.sql, (single ?? values) satisfies UidMatch);
      return;
    case 'date':
      if (single !== undefined) c.date(column.sql, single satisfies DateMatch);
      else c.uid(column.sql, values);
      return;
    case 'integer': {
      const numbers = values.map(Number);
      if (numbers.some((n) => !Number.isInteger(n))) throw new FindKeyError(`not an integer: ${column.sql}`);
      c.add(`${column.sql} = ANY(${c.param(numbers)}::integer[])`);
      return;
    }
    case 'modalities':
      c.add(`${column.sql} && ${c.param([...values])}::text[]`);
      return;
    case 'person-name':
      if (single !== undefined) c.personName(column.sql, single satisfies TextMatch);
      else c.add(`lower(${column.sql}) = ANY(${c.param(values.map((v) => v.toLowerCase()))}::text[])`);
      return;
    case 'text':
      if (single !== undefined) c.text(column.sql, single satisfies TextMatch);
      else c.uid(column.sql, values);
      return;
    case 'return-only':
      return;
  }
}

/** A match value the index cannot use (the identifier is then refused with 0xA900). */
export class FindKeyError extends Error {
  override readonly name = 'FindKeyError';
}

/** Runs one C-FIND query. Returns at most `limit` rows. */
export async function runFindQuery(db: SqlQueryable, query: FindQuery): Promise<FindRow[]> {
  const c = new SqlConditions();
  for (const { keyword, values } of query.matches) {
    const column = KEY_COLUMNS[keyword];
    if (column !== undefined && availableAt(column.level, query.level)) addMatch(c, column, values);
  }
  const select: string[] = [];
  for (const keyword of new Set(query.returnKeys)) {
    const column = KEY_COLUMNS[keyword];
    const count = COUNT_KEYS[keyword];
    if (column !== undefined && availableAt(column.level, query.level)) {
      select.push(`${column.sql} AS "${keyword}"`);
    } else if (count !== undefined && availableAt(count.level, query.level)) {
      select.push(`${count.sql}::integer AS "${keyword}"`);
    }
  }
  if (select.length === 0) select.push('1 AS "_"');
  const limit = c.param(Math.max(0, Math.min(query.limit, 1_000_000)));
  const sql = `SELECT ${select.join(', ')} ${FROM[query.level]} ${c.where()} ${ORDER[query.level]} LIMIT ${limit}::integer`;
  const result = await db.query<Record<string, string | number | string[] | null>>(sql, c.params);
  return result.rows.map((row) => {
    const { _: _ignored, ...rest } = row;
    return rest;
  });
}
