import { isUtf8 } from 'node:buffer';
import { SwitchboardError } from '../errors/catalogue.ts';
import { quote } from './delimiters.ts';

/**
 * HL7 batch files (chapter 2, "HL7 batch protocol"): [FHS] { [BHS] { MSH ... } [BTS] } [FTS], or messages
 * simply concatenated. Works on bytes so every message keeps its exact bytes and charset.
 */
export interface BatchSplit {
  /** Each message from its MSH up to the next MSH or batch segment, terminators included (Buffer slices). */
  messages: Buffer[];
  /** The first BHS line (without terminator), null when there is none. */
  batchHeader: string | null;
  /** The FHS line (without terminator), null when there is none. */
  fileHeader: string | null;
}

type LineKind = 'MSH' | 'FHS' | 'BHS' | 'BTS' | 'FTS' | 'blank' | 'other';

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

function lineKind(buf: Buffer, start: number, end: number): LineKind {
  let i = start;
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  if (i === end) return 'blank';
  if (end - start < 3 || (end - start > 3 && isAlnum(buf[start + 3] ?? 0))) return 'other';
  const id = buf.toString('latin1', start, start + 3);
  return id === 'MSH' || id === 'FHS' || id === 'BHS' || id === 'BTS' || id === 'FTS' ? id : 'other';
}

function lineText(buf: Buffer, start: number, end: number): string {
  const bytes = buf.subarray(start, end);
  return bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1');
}

/**
 * Text outside a message (other than FHS/BHS/BTS/FTS and blank lines) is an error, not skipped: dropping it
 * could silently lose part of a message.
 */
export function splitBatch(input: Buffer | string): BatchSplit {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const messages: Buffer[] = [];
  let batchHeader: string | null = null;
  let fileHeader: string | null = null;
  let messageStart = -1;
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let line = 1;

  const close = (at: number): void => {
    if (messageStart !== -1) messages.push(buf.subarray(messageStart, at));
    messageStart = -1;
  };

  while (pos < buf.length) {
    let end = pos;
    while (end < buf.length && buf[end] !== 13 && buf[end] !== 10) end++;
    let next = end;
    while (next < buf.length && (buf[next] === 13 || buf[next] === 10)) next++;
    const kind = lineKind(buf, pos, end);
    if (kind === 'MSH') {
      close(pos);
      messageStart = pos;
    } else if (kind === 'FHS' || kind === 'BHS' || kind === 'BTS' || kind === 'FTS') {
      close(pos);
      if (kind === 'FHS' && fileHeader === null) fileHeader = lineText(buf, pos, end);
      if (kind === 'BHS' && batchHeader === null) batchHeader = lineText(buf, pos, end);
    } else if (kind === 'other' && messageStart === -1) {
      throw new SwitchboardError(
        'HL7_NOT_PARSEABLE',
        `batch line ${line} is outside any message (expected MSH, FHS, BHS, BTS or FTS), found ` +
          quote(lineText(buf, pos, Math.min(end, pos + 64))),
        null,
      );
    }
    for (let i = end; i < next; i++) if (buf[i] === 10 || (buf[i] === 13 && buf[i + 1] !== 10)) line++;
    pos = next;
  }
  close(buf.length);
  return { messages, batchHeader, fileHeader };
}
