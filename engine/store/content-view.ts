/**
 * Stored bytes as an API shows them: HL7 text decoded the way the parser would decode it, a simple
 * parsed view (segments and their fields), and delivery payloads as text or base64. Exact bytes are
 * always available as base64 too; these views are for reading, never for re-sending.
 */
import { isUtf8 } from 'node:buffer';
import { bufferCharset } from '../hl7/input.ts';
import { Hl7Message } from '../hl7/message.ts';
import type { Hl7Charset } from '../hl7/types.ts';

export interface DecodedText {
  readonly text: string;
  /** UTF-8 unless MSH-18 declares ISO 8859 or the bytes are not valid UTF-8 (then Latin-1). */
  readonly charset: Hl7Charset;
}

export function decodeHl7Bytes(bytes: Buffer): DecodedText {
  const charset = bufferCharset(bytes);
  return { text: bytes.toString(charset), charset };
}

export interface ParsedSegment {
  readonly name: string;
  /**
   * fields[n] is field n as on the wire (escapes kept, repetitions and components not split), so the
   * numbering is HL7's: fields[0] is the segment name, PID-3 is fields[3]. For MSH, fields[1] is the
   * field separator (MSH-1) and fields[2] the encoding characters (MSH-2).
   */
  readonly fields: readonly string[];
}

export type ParsedView =
  | { readonly ok: true; readonly segments: readonly ParsedSegment[] }
  | { readonly ok: false; readonly error: string };

/** Segments of the message as Hl7Message finds them; ok false (with the parser's reason) when it cannot. */
export function parsedView(raw: Buffer): ParsedView {
  let message: Hl7Message;
  let names: string[];
  try {
    message = Hl7Message.parse(raw);
    names = message.segmentNames();
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const sep = message.delimiters.field;
  // The parser's segmentation: a run of line breaks (and blank lines) ends a segment.
  const lines = message
    .toString()
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '');
  const segments = lines.map((line, i) => {
    const text = i === 0 ? line.trimStart() : line;
    const name = names[i] ?? text.slice(0, 3);
    const fields = name === 'MSH' ? ['MSH', sep, ...text.slice(4).split(sep)] : text.split(sep);
    return { name, fields };
  });
  return { ok: true, segments };
}

/** Content types whose bytes are text when they are valid UTF-8. */
const TEXTUAL = /^text\/|json|xml|hl7|er7|yaml|csv|x-www-form-urlencoded/i;

export type PayloadView =
  | { readonly encoding: 'utf8'; readonly data: string }
  | { readonly encoding: 'base64'; readonly data: string };

export function payloadView(payload: Buffer, contentType: string): PayloadView {
  if (TEXTUAL.test(contentType) && isUtf8(payload))
    return { encoding: 'utf8', data: payload.toString('utf8') };
  return { encoding: 'base64', data: payload.toString('base64') };
}
