import { isUtf8 } from 'node:buffer';
import { DEFAULT_DELIMITERS, delimitersFrom, encodingCharsProblem } from './delimiters.ts';
import { headerFromFields } from './header.ts';
import type { Hl7Header } from './types.ts';

const MSH_LINE = /(?:^|[\r\n])[ \t\uFEFF]*(MSH[^\r\n]*)/;

/**
 * Used when input did not parse, so the NAK can still be addressed: a best-effort header from the first line
 * that starts with MSH (anywhere in the input), with the default delimiters where MSH-2 is unusable.
 * Null when there is no MSH line or no usable field separator. Never throws.
 */
export function salvageHeader(input: Buffer | string): Hl7Header | null {
  try {
    const text = typeof input === 'string' ? input : input.toString(isUtf8(input) ? 'utf8' : 'latin1');
    const line = MSH_LINE.exec(text)?.[1];
    if (line === undefined || line.length < 4) return null;
    const field = line[3] as string;
    if (!/^[!-/:-@[-`{-~]$/.test(field)) return null;
    const fields = line.split(field);
    const chars = fields[1] ?? '';
    const delimiters =
      encodingCharsProblem(field, chars) === null
        ? delimitersFrom(field, chars)
        : field === DEFAULT_DELIMITERS.field
          ? DEFAULT_DELIMITERS
          : delimitersFrom(field, '^~\\&');
    return headerFromFields(fields, delimiters);
  } catch {
    return null;
  }
}
