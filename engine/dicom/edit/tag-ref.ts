/**
 * Tag references in configuration (`PatientName`, `00100010`, `(0010,0010)`, `0010,0010`) and the
 * string values `tagEdits.set` gives them, checked against the VR's rules (PS3.5 6.2) so a bad value
 * fails at config load, not on the first object.
 */
import { keywordLike, tagByKeyword, tagInfo } from './dcmjs-codec.ts';

export const TAG_REF_EXPECTED = 'a DICOM keyword (e.g. PatientName) or a tag as ggggeeee / (gggg,eeee)';

export type TagRefResult = { readonly tag: string } | { readonly problem: string };

export function parseTagRef(text: string): TagRefResult {
  const hex = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(text.trim());
  if (hex) return { tag: `${hex[1]}${hex[2]}`.toUpperCase() };
  const entry = tagByKeyword(text);
  if (entry) return { tag: entry.tag };
  const near = keywordLike(text);
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return { problem: `expected ${TAG_REF_EXPECTED}, got unknown keyword ${JSON.stringify(text)}${hint}` };
}

/** `(0010,0010) PatientName` for messages. */
export function tagLabel(tag: string): string {
  const name = tagInfo(tag)?.keyword;
  return `(${tag.slice(0, 4)},${tag.slice(4)})${name ? ` ${name}` : ''}`;
}

export const isPrivateTag = (tag: string): boolean => parseInt(tag.slice(0, 4), 16) % 2 === 1;

/** Tags `tagEdits` may touch: not the file meta (rewritten from the dataset), not pixel data and after. */
export function editableTagProblem(tag: string): string | null {
  const group = parseInt(tag.slice(0, 4), 16);
  if (group === 0x0002)
    return `${tagLabel(tag)} is file meta information: it follows the dataset, edit that instead`;
  if (group < 0x0008) return `${tagLabel(tag)} is not a dataset element (groups 0000-0007 are not stored)`;
  if (group >= 0x7fe0) return `${tagLabel(tag)} is pixel data or after it: never edited`;
  return null;
}

const NUMBER_VRS = new Set(['US', 'UL', 'SS', 'SL', 'FL', 'FD', 'UV', 'SV']);
const SINGLE_VALUE_VRS = new Set(['LT', 'ST', 'UT', 'UR']);
const MAX_LENGTH: Readonly<Record<string, number>> = {
  AE: 16,
  AS: 4,
  CS: 16,
  DA: 8,
  DS: 16,
  DT: 26,
  IS: 12,
  LO: 64,
  LT: 10240,
  PN: 324,
  SH: 16,
  ST: 1024,
  TM: 14,
  UI: 64,
};
const PATTERN: Readonly<Record<string, readonly [RegExp, string]>> = {
  AS: [/^\d{3}[DWMY]$/, 'an age like 045Y'],
  CS: [/^[A-Z0-9 _]*$/, 'upper-case letters, digits, space or _'],
  DA: [/^\d{8}$/, 'a date YYYYMMDD'],
  DS: [/^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$/, 'a decimal number'],
  DT: [
    /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/,
    'a date-time YYYYMMDDHHMMSS.FFFFFF&ZZXX',
  ],
  IS: [/^ *[+-]?\d+ *$/, 'an integer'],
  TM: [/^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/, 'a time HHMMSS.FFFFFF'],
  UI: [/^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/, 'a UID of digits and dots'],
};

/** The VR `set` uses for a tag, or a problem: private and binary/sequence VRs cannot be set from text. */
export function settableVr(tag: string): { readonly vr: string } | { readonly problem: string } {
  const info = tagInfo(tag);
  if (!info) {
    return {
      problem: `${tagLabel(tag)} is not in the DICOM dictionary (private or unknown): it can be removed, not set`,
    };
  }
  const vr = info.vr === 'xs' ? 'US' : info.vr === 'up' ? 'UL' : info.vr;
  if (!/^[A-Z]{2}$/.test(vr) || ['SQ', 'OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN', 'AT'].includes(vr)) {
    return { problem: `${tagLabel(tag)} has VR ${info.vr}: only text and number values can be set` };
  }
  return { vr };
}

/** Checks `text` (values separated by `\`) against `vr`; returns the whole message when invalid. */
export function valueProblem(vr: string, text: string): string | null {
  if (text === '') return null;
  const values = SINGLE_VALUE_VRS.has(vr) ? [text] : text.split('\\');
  for (const v of values) {
    if (/[\r\n]/.test(v) && !['LT', 'ST', 'UT'].includes(vr))
      return `a ${vr} value cannot contain line breaks`;
    if (NUMBER_VRS.has(vr)) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()))
        return `expected numbers for VR ${vr}, got ${JSON.stringify(v)}`;
      continue;
    }
    const rule = PATTERN[vr];
    if (rule && !rule[0].test(v)) return `expected ${rule[1]} (VR ${vr}), got ${JSON.stringify(v)}`;
    const max = MAX_LENGTH[vr];
    if (max !== undefined && v.length > max)
      return `a ${vr} value is at most ${max} characters, got ${v.length}`;
  }
  return null;
}

/** dcmjs's in-memory form of a checked text value: PN as `{ Alphabetic }`, numbers as numbers. */
export function elementValues(vr: string, text: string): unknown[] {
  if (text === '') return [];
  const values = SINGLE_VALUE_VRS.has(vr) ? [text] : text.split('\\');
  if (vr === 'PN') return values.map((v) => ({ Alphabetic: v }));
  if (NUMBER_VRS.has(vr)) return values.map((v) => Number(v.trim()));
  return values;
}
