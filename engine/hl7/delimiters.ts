import { SwitchboardError } from '../errors/catalogue.ts';
import type { Delimiters } from './types.ts';

export const DEFAULT_DELIMITERS: Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

const BOM = 0xfeff;

const isLeadingSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;

/** Index just past a UTF-8 BOM and leading whitespace (blank lines), where MSH must start. */
export function skipLeading(text: string): number {
  let i = text.charCodeAt(0) === BOM ? 1 : 0;
  while (i < text.length && isLeadingSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * A delimiter may be any printable ASCII character other than a letter, digit or space (chapter 2, "Message
 * delimiters"); all five must differ, or the message cannot be split unambiguously.
 */
function isDelimiterChar(c: number): boolean {
  if (c <= 32 || c >= 127) return false;
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return false;
  return true;
}

/** Quoted for an error message, line breaks and control characters made visible. */
export function quote(text: string, max = 24): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  let out = '';
  for (const ch of cut) {
    const c = ch.charCodeAt(0);
    if (c >= 32) out += ch;
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `'${out}'`;
}

const preview = (text: string, at: number): string => quote(text.slice(at));

export interface MshStart {
  /** Index of the 'M' of MSH. */
  readonly start: number;
  readonly delimiters: Delimiters;
}

/** Finds MSH at the start of `text` and reads MSH-1 and MSH-2; throws HL7_NOT_PARSEABLE like parse() does. */
export function readMshStart(text: string): MshStart {
  const start = skipLeading(text);
  if (start >= text.length) {
    throw new SwitchboardError('HL7_NOT_PARSEABLE', 'the message is empty', null);
  }
  if (!text.startsWith('MSH', start)) {
    throw new SwitchboardError(
      'HL7_NOT_PARSEABLE',
      `the message must start with an MSH segment, found ${preview(text, start)}`,
      null,
    );
  }
  const fieldAt = start + 3;
  const field = text[fieldAt];
  if (field === undefined || !isDelimiterChar(field.charCodeAt(0))) {
    throw new SwitchboardError(
      'HL7_NOT_PARSEABLE',
      `MSH-1 (field separator) must be a printable ASCII character other than a letter, digit or space, found ${preview(text, fieldAt)}`,
      'MSH-1',
    );
  }
  let end = fieldAt + 1;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (text[end] === field || c === 13 || c === 10) break;
    end++;
  }
  const chars = text.slice(fieldAt + 1, end);
  const known = KNOWN.get(field + chars);
  if (known !== undefined) return { start, delimiters: known };
  const problem = encodingCharsProblem(field, chars);
  if (problem !== null) {
    throw new SwitchboardError(
      'HL7_NOT_PARSEABLE',
      chars === ''
        ? 'MSH-2 (encoding characters) is empty'
        : `MSH-2 (encoding characters) ${quote(chars)} ${problem}`,
      'MSH-2',
    );
  }
  return { start, delimiters: delimitersFrom(field, chars) };
}

/** Null when MSH-1 + MSH-2 make a usable delimiter set, else why not. */
export function encodingCharsProblem(field: string, chars: string): string | null {
  if (chars === '') return 'is empty';
  if (chars.length < 4 || chars.length > 5) {
    return 'must be 4 characters (component, repetition, escape, subcomponent), or 5 with the v2.7 truncation character';
  }
  const all = field + chars;
  for (let i = 1; i < all.length; i++) {
    const ch = all[i] as string;
    if (!isDelimiterChar(ch.charCodeAt(0))) return `contains ${quote(ch)}, which cannot be a delimiter`;
    if (all.lastIndexOf(ch, i - 1) !== -1) return `uses ${quote(ch)} for two delimiters`;
  }
  return null;
}

export function delimitersFrom(field: string, chars: string): Delimiters {
  const [component = '^', repetition = '~', escape = '\\', subcomponent = '&', truncation] = chars;
  const d: { -readonly [K in keyof Delimiters]: Delimiters[K] } = {
    field,
    component,
    repetition,
    escape,
    subcomponent,
  };
  if (truncation !== undefined) d.truncation = truncation;
  return Object.freeze(d);
}

/** The common delimiter sets, shared instead of re-validated and re-allocated for every message. */
const KNOWN = new Map<string, Delimiters>([
  ['|^~\\&', DEFAULT_DELIMITERS],
  ['|^~\\&#', delimitersFrom('|', '^~\\&#')],
]);

/** MSH-2 as it appears on the wire for a delimiter set. */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}
