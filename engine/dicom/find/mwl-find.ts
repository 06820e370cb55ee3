/**
 * Modality Worklist C-FIND (PS3.4 K.6): the request identifier becomes a WorklistFilter for the
 * worklist store (patient, accession number, and the Scheduled Procedure Step's modality, station AE
 * and start date or date range); each item found is checked again against every key of the
 * identifier it holds (wildcards, date ranges, keys inside the step sequence) and cut down to the
 * requested keys, sequences included, plus SpecificCharacterSet.
 */
import {
  attributeKeys,
  isSequence,
  sequenceItems,
  textValue,
  textValues,
  type Identifier,
} from './identifier.ts';
import { parseDateMatch } from '../query-match.ts';
import { FindStatus, RESPONSE_CHARSET, type FindOutcome } from './qr-find.ts';
import type { WorklistFilter } from '../worklist/worklist-query.ts';

export type { WorklistFilter };

/** Finds worklist items: naturalized datasets with ScheduledProcedureStepSequence and the rest. */
export type WorklistSource = (filter: WorklistFilter) => Promise<readonly Identifier[]>;

const SPS = 'ScheduledProcedureStepSequence';

/** The store filter for an identifier: only the keys the store can narrow on. */
export function worklistFilter(identifier: Identifier): WorklistFilter {
  const filter: WorklistFilter = {};
  const put = (key: 'patientId' | 'patientName' | 'accessionNumber', value: unknown): void => {
    const text = textValue(value);
    if (text !== '' && text !== '*') filter[key] = text;
  };
  put('patientId', identifier.PatientID);
  put('patientName', identifier.PatientName);
  put('accessionNumber', identifier.AccessionNumber);
  const step = sequenceItems(identifier[SPS])[0];
  if (step !== undefined) {
    const modality = textValue(step.Modality);
    if (modality !== '' && modality !== '*') filter.modality = modality;
    const station = textValue(step.ScheduledStationAETitle);
    if (station !== '' && station !== '*') filter.scheduledStationAeTitle = station;
    const date = textValue(step.ScheduledProcedureStepStartDate);
    if (date !== '') {
      const range = parseDateMatch(date);
      filter.scheduledDate = typeof range === 'string' ? { from: range, to: range } : { ...range };
    }
  }
  return filter;
}

function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

function valueMatches(keyword: string, wanted: readonly string[], held: unknown): boolean {
  const have = textValues(held);
  if (keyword.endsWith('Time')) return true;
  if (keyword.endsWith('Date') && wanted.length === 1 && wanted[0]!.includes('-')) {
    const range = parseDateMatch(wanted[0]!);
    if (typeof range === 'string') return have.includes(range);
    return have.some((d) => (!range.from || d >= range.from) && (!range.to || d <= range.to));
  }
  const personName = keyword.endsWith('Name');
  return wanted.some((w) => {
    const re = wildcardRegExp(w, personName);
    return have.some((h) => re.test(h));
  });
}

/**
 * Whether an item matches every non-empty key of the template that the item holds. Keys the item
 * does not hold at all are left to the store (it may keep them elsewhere).
 */
export function itemMatches(item: Identifier, template: Identifier): boolean {
  for (const keyword of attributeKeys(template)) {
    if (keyword === 'SpecificCharacterSet' || !(keyword in item)) continue;
    const wanted = template[keyword];
    if (isSequence(wanted)) {
      const sub = sequenceItems(wanted)[0]!;
      if (!sequenceItems(item[keyword]).some((held) => itemMatches(held, sub))) return false;
      continue;
    }
    if (Array.isArray(wanted) && wanted.length === 0) continue;
    const values = textValues(wanted);
    if (values.length === 0 || values.every((v) => v === '*')) continue;
    if (!valueMatches(keyword, values, item[keyword])) return false;
  }
  return true;
}

/** The item cut down to the template's keys; a key the item lacks comes back zero-length. */
export function projectItem(item: Identifier, template: Identifier): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const keyword of attributeKeys(template)) {
    if (keyword === 'SpecificCharacterSet') continue;
    const wanted = template[keyword];
    const held = item[keyword];
    if (isSequence(wanted)) {
      const sub = sequenceItems(wanted)[0]!;
      out[keyword] = sequenceItems(held).map((h) => projectItem(h, sub));
    } else if (Array.isArray(wanted) && wanted.length === 0 && Array.isArray(held)) {
      out[keyword] = held;
    } else {
      out[keyword] = held ?? '';
    }
  }
  return out;
}

/** Runs one worklist C-FIND against the worklist store. */
export async function worklistFind(
  source: WorklistSource,
  identifier: Identifier,
  maxMatches: number,
): Promise<FindOutcome> {
  if ('QueryRetrieveLevel' in identifier && textValue(identifier.QueryRetrieveLevel) !== '') {
    return {
      ok: false,
      status: FindStatus.IdentifierDoesNotMatchSopClass,
      comment: 'QueryRetrieveLevel in a worklist query',
    };
  }
  const items = await source(worklistFilter(identifier));
  const matches = items
    .filter((item) => itemMatches(item, identifier))
    .slice(0, maxMatches)
    .map((item) => ({ SpecificCharacterSet: RESPONSE_CHARSET, ...projectItem(item, identifier) }));
  return { ok: true, matches };
}
