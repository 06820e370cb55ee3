import { isUtf8 } from 'node:buffer';
import { SwitchboardError } from '../errors/catalogue.ts';
import type { Hl7Charset } from './types.ts';

/**
 * Bytes to text without losing anything: both decodings used here are reversible for the bytes they accept
 * (UTF-8 only when the bytes are valid UTF-8, Latin-1 always), so toBuffer() gives back the input bytes.
 */

export interface DecodedInput {
  readonly text: string;
  readonly charset: Hl7Charset;
  /** The input bytes after the BOM, when the input was a Buffer. */
  readonly bytes: Buffer | null;
}

const hasUtf8Bom = (b: Buffer): boolean => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/** MSH-18 values of HL7 table 0211 that name a single-byte ISO 8859 part. */
const ISO_8859 = /^8859\/\d{1,2}$/;

export function decodeInput(input: Buffer | string, forced?: Hl7Charset): DecodedInput {
  if (typeof input === 'string') {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    return { text, charset: forced ?? stringCharset(text), bytes: null };
  }
  const bytes = hasUtf8Bom(input) ? input.subarray(3) : input;
  const charset = bufferCharset(bytes, forced);
  return { text: bytes.toString(charset), charset, bytes };
}

/** The charset parse() would pick for these bytes (BOM already removed). */
export function bufferCharset(bytes: Buffer, forced?: Hl7Charset): Hl7Charset {
  if (forced === 'latin1') return 'latin1';
  if (forced === 'utf8') {
    if (!isUtf8(bytes)) {
      throw new SwitchboardError(
        'HL7_NOT_PARSEABLE',
        'the message is configured as UTF-8 but its bytes are not valid UTF-8',
        null,
      );
    }
    return 'utf8';
  }
  if (ISO_8859.test(declaredCharset(firstLineLatin1(bytes)))) return 'latin1';
  return isUtf8(bytes) ? 'utf8' : 'latin1';
}

/** A string has no bytes to keep: declared 8859 is honoured only when every character fits in Latin-1. */
function stringCharset(text: string): Hl7Charset {
  if (!ISO_8859.test(declaredCharset(firstLine(text)))) return 'utf8';
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return 'utf8';
  return 'latin1';
}

/** Start and end of the first non-blank line of the bytes (the MSH line when there is one). */
export function firstLineBounds(bytes: Buffer): { start: number; end: number } {
  let start = 0;
  while (start < bytes.length) {
    const c = bytes[start];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    start++;
  }
  let end = start;
  while (end < bytes.length && bytes[end] !== 13 && bytes[end] !== 10) end++;
  return { start, end };
}

function firstLineLatin1(bytes: Buffer): string {
  const { start, end } = firstLineBounds(bytes);
  return bytes.toString('latin1', start, end);
}

function firstLine(text: string): string {
  const start = text.search(/[^ \t\r\n]/);
  if (start === -1) return '';
  const rest = text.slice(start);
  const end = rest.search(/[\r\n]/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** MSH-18 (first repetition, trimmed) of an MSH line, '' when there is none or the line is not MSH. */
function declaredCharset(line: string): string {
  if (!line.startsWith('MSH') || line.length < 8) return '';
  const sep = line[3] as string;
  // The separator at index 3 starts MSH-2; MSH-18 starts after the 17th separator.
  let at = 3;
  for (let i = 2; i < 18; i++) {
    at = line.indexOf(sep, at + 1);
    if (at === -1) return '';
  }
  const end = line.indexOf(sep, at + 1);
  const msh18 = end === -1 ? line.slice(at + 1) : line.slice(at + 1, end);
  const repetition = line[5];
  const cut = repetition === undefined ? -1 : msh18.indexOf(repetition);
  return (cut === -1 ? msh18 : msh18.slice(0, cut)).trim();
}
