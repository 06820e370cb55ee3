import { SwitchboardError } from '../errors/catalogue.ts';
import { quote } from './delimiters.ts';

/**
 * One segment of a parsed message. Field boundaries are found on first read (most messages are routed on a
 * few MSH and PID fields and never need the rest); fields are split into strings only for set() and encode(),
 * and after set() the fields array is the segment's truth.
 */
export class Segment {
  fields: string[] | null = null;
  /** Positions of the field separators in the message text. */
  separators: number[] | null = null;

  constructor(
    readonly name: string,
    readonly start: number,
    readonly end: number,
    /** Exactly what followed the segment in the input: \r, \n, \r\n, blank lines, or '' at the end. */
    readonly terminator: string,
  ) {}
}

/** Field separator positions of text[start, end). */
export function findSeparators(text: string, start: number, end: number, separator: string): number[] {
  const out: number[] = [];
  let at = text.indexOf(separator, start);
  while (at !== -1 && at < end) {
    out.push(at);
    at = text.indexOf(separator, at + 1);
  }
  return out;
}

const isIdChar = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 48 && c <= 57);

/**
 * Splits text into segments at \r, \n or \r\n (mixed too). A run of line breaks, including lines holding only
 * spaces or tabs, is one terminator and kept verbatim, so the text can be rebuilt byte for byte.
 */
export function scanSegments(text: string, start: number, fieldSeparator: string): Segment[] {
  const segments: Segment[] = [];
  const n = text.length;
  let nextCr = text.indexOf('\r', start);
  let nextLf = text.indexOf('\n', start);
  let pos = start;
  let line = 1;
  while (pos < n) {
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
    let end: number;
    if (nextCr === -1) end = nextLf === -1 ? n : nextLf;
    else end = nextLf === -1 || nextCr < nextLf ? nextCr : nextLf;

    const name = segmentId(text, pos, end, fieldSeparator, line);
    const after = terminatorEnd(text, end);
    segments.push(new Segment(name, pos, end, text.slice(end, after)));
    line += countBreaks(text, end, after);
    pos = after;
  }
  return segments;
}

function segmentId(text: string, pos: number, end: number, fieldSeparator: string, line: number): string {
  const ok =
    end - pos >= 3 &&
    isIdChar(text.charCodeAt(pos)) &&
    isIdChar(text.charCodeAt(pos + 1)) &&
    isIdChar(text.charCodeAt(pos + 2)) &&
    (end - pos === 3 || text[pos + 3] === fieldSeparator);
  if (ok) return text.slice(pos, pos + 3);
  throw new SwitchboardError(
    'HL7_NOT_PARSEABLE',
    `line ${line} is not a segment: a segment starts with a 3-character id of A-Z and 0-9 followed by ` +
      `'${fieldSeparator}', found ${quote(text.slice(pos, end))}`,
    null,
  );
}

/** End of the line-break run starting at `end`, blank and whitespace-only lines included. */
function terminatorEnd(text: string, end: number): number {
  const n = text.length;
  let t = end;
  while (t < n) {
    const c = text.charCodeAt(t);
    if (c === 13 || c === 10) {
      t++;
      continue;
    }
    if (c !== 32 && c !== 9) break;
    let u = t + 1;
    while (u < n && (text.charCodeAt(u) === 32 || text.charCodeAt(u) === 9)) u++;
    if (u < n && text.charCodeAt(u) !== 13 && text.charCodeAt(u) !== 10) break;
    t = u;
  }
  return t;
}

function countBreaks(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lines++;
  }
  return lines;
}
