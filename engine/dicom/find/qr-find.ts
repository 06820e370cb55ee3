/**
 * Query/Retrieve C-FIND (PS3.4 C.4.1), patient root and study root: reads the request identifier
 * (QueryRetrieveLevel, matching keys, return keys), runs it over the DICOM index and builds one
 * response identifier per match holding the requested keys only, plus SpecificCharacterSet (our
 * text is UTF-8) and QueryRetrieveLevel. Matching is lenient rather than strictly hierarchical:
 * keys of the query level and every level above it are matched; keys below the level are ignored.
 * Keys we do not hold are returned zero-length, as the standard allows for unsupported keys.
 */
import type { SqlQueryable } from '../../db/sql.ts';
import { attributeKeys, isSequence, textValue, textValues, type Identifier } from './identifier.ts';
import {
  COUNT_KEYS,
  FindKeyError,
  KEY_COLUMNS,
  LEVEL_DEPTH,
  runFindQuery,
  type FindQuery,
  type FindRow,
  type KeyMatch,
  type QueryLevel,
} from './find-query.ts';

export const FindSopClass = {
  PatientRoot: '1.2.840.10008.5.1.4.1.2.1.1',
  StudyRoot: '1.2.840.10008.5.1.4.1.2.2.1',
  ModalityWorklist: '1.2.840.10008.5.1.4.31',
} as const;

export type QrModel = 'patient-root' | 'study-root';

/** C-FIND statuses (PS3.4 C.4.1.1.4). */
export const FindStatus = {
  Success: 0x0000,
  Pending: 0xff00,
  Cancel: 0xfe00,
  OutOfResources: 0xa700,
  IdentifierDoesNotMatchSopClass: 0xa900,
  UnableToProcess: 0xc000,
  SopClassNotSupported: 0x0122,
} as const;

export type FindOutcome =
  | { readonly ok: true; readonly matches: readonly Identifier[] }
  | { readonly ok: false; readonly status: number; readonly comment: string };

/** The character set of every response: the index keeps text as UTF-8. */
export const RESPONSE_CHARSET = 'ISO_IR 192';

const LEVELS: Readonly<Record<QrModel, readonly QueryLevel[]>> = {
  'patient-root': ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
  'study-root': ['STUDY', 'SERIES', 'IMAGE'],
};

/** Never returned as a key of ours, never matched: the request's own bookkeeping. */
const CONTROL_KEYS = new Set(['QueryRetrieveLevel', 'SpecificCharacterSet', 'RetrieveAETitle']);

export interface QrFindOptions {
  /** Our AE title, returned in RetrieveAETitle when asked for. */
  readonly aeTitle: string;
  /** Most matches returned for one request. */
  readonly maxMatches: number;
}

function refused(status: number, comment: string): FindOutcome {
  return { ok: false, status, comment };
}

/** Reads the identifier into a FindQuery, or says why it cannot be processed. */
export function parseQrIdentifier(
  model: QrModel,
  identifier: Identifier,
  maxMatches: number,
): FindQuery | { readonly status: number; readonly comment: string } {
  const levelText = textValue(identifier.QueryRetrieveLevel).toUpperCase();
  const level = LEVELS[model].find((l) => l === levelText);
  if (level === undefined) {
    return {
      status: FindStatus.IdentifierDoesNotMatchSopClass,
      comment:
        levelText === '' ? 'QueryRetrieveLevel missing' : `QueryRetrieveLevel ${levelText} not valid here`,
    };
  }
  const matches: KeyMatch[] = [];
  const returnKeys: string[] = [];
  for (const keyword of attributeKeys(identifier)) {
    if (CONTROL_KEYS.has(keyword)) continue;
    const value = identifier[keyword];
    const column = KEY_COLUMNS[keyword];
    const count = COUNT_KEYS[keyword];
    const keyLevel = column?.level ?? count?.level;
    if (keyLevel !== undefined && LEVEL_DEPTH[keyLevel] > LEVEL_DEPTH[level]) continue;
    returnKeys.push(keyword);
    if (column !== undefined && !isSequence(value)) {
      const values = textValues(value);
      if (values.length > 0) matches.push({ keyword, values });
    }
  }
  return { level, matches, returnKeys, limit: maxMatches };
}

function responseValue(value: FindRow[string] | undefined, keyword: string): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return [...(value as readonly string[])];
  if (KEY_COLUMNS[keyword]?.output === 'integer' || COUNT_KEYS[keyword] !== undefined) return Number(value);
  return value;
}

/** The response identifier for one match: the requested keys, in the order asked. */
export function responseIdentifier(
  query: FindQuery,
  row: FindRow,
  requested: Identifier,
  options: Pick<QrFindOptions, 'aeTitle'>,
): Identifier {
  const out: Record<string, unknown> = { SpecificCharacterSet: RESPONSE_CHARSET };
  for (const keyword of query.returnKeys) {
    const column = KEY_COLUMNS[keyword];
    const count = COUNT_KEYS[keyword];
    if (column !== undefined || count !== undefined) out[keyword] = responseValue(row[keyword], keyword);
    else out[keyword] = isSequence(requested[keyword]) || Array.isArray(requested[keyword]) ? [] : '';
  }
  if ('RetrieveAETitle' in requested) out.RetrieveAETitle = options.aeTitle;
  out.QueryRetrieveLevel = query.level;
  return out;
}

/** Runs one Q/R C-FIND: every match as a response identifier, or a failure status. */
export async function qrFind(
  db: SqlQueryable,
  model: QrModel,
  identifier: Identifier,
  options: QrFindOptions,
): Promise<FindOutcome> {
  const query = parseQrIdentifier(model, identifier, options.maxMatches);
  if (!('level' in query)) return refused(query.status, query.comment);
  let rows: FindRow[];
  try {
    rows = await runFindQuery(db, query);
  } catch (error) {
    if (error instanceof FindKeyError)
      return refused(FindStatus.IdentifierDoesNotMatchSopClass, error.message);
    throw error;
  }
  return { ok: true, matches: rows.map((row) => responseIdentifier(query, row, identifier, options)) };
}
