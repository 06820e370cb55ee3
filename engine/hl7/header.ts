import { readMshStart } from './delimiters.ts';
import { bufferCharset, firstLineBounds } from './input.ts';
import { piece } from './pieces.ts';
import type { Delimiters, Hl7Header } from './types.ts';

/**
 * Header values are raw (as on the wire, escapes kept): they are compared, stored and echoed back in ACKs
 * (MSA-2 must repeat MSH-10 exactly), never displayed as text.
 * `fields` is the MSH line split at the field separator: fields[0] = 'MSH', fields[1] = MSH-2, fields[n-1] = MSH-n.
 */
export function headerFromFields(fields: readonly string[], d: Delimiters): Hl7Header {
  const field = (n: number): string => fields[n - 1] ?? '';
  const component = (n: number, c: number): string => piece(piece(field(n), d.repetition, 1), d.component, c);
  return Object.freeze({
    delimiters: d,
    sendingApplication: field(3),
    sendingFacility: field(4),
    receivingApplication: field(5),
    receivingFacility: field(6),
    messageType: component(9, 1),
    triggerEvent: component(9, 2),
    messageStructure: component(9, 3),
    controlId: field(10),
    processingId: component(11, 1),
    version: component(12, 1),
    acceptAckType: field(15),
    applicationAckType: field(16),
    charset: piece(field(18), d.repetition, 1),
  });
}

/**
 * Fast path for listeners and stores: reads only the MSH line (the charset decision still looks at all bytes,
 * so it matches what parse() decides). Throws the same HL7_NOT_PARSEABLE errors as parse() for MSH problems.
 */
export function readHeader(input: Buffer | string): Hl7Header {
  let line: string;
  if (typeof input === 'string') {
    line = input;
  } else {
    const bytes =
      input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf
        ? input.subarray(3)
        : input;
    const { start, end } = firstLineBounds(bytes);
    line = bytes.toString(bufferCharset(bytes), start, end);
  }
  const { start, delimiters } = readMshStart(line);
  let end = start;
  while (end < line.length && line.charCodeAt(end) !== 13 && line.charCodeAt(end) !== 10) end++;
  return headerFromFields(line.slice(start, end).split(delimiters.field), delimiters);
}
