import { isUtf8 } from 'node:buffer';
import type { Delimiters, Hl7Charset } from './types.ts';

/**
 * Escape sequences, HL7 v2.x chapter 2 ("Use of escape sequences in text fields", 2.7.x):
 * \F\ \S\ \T\ \R\ \E\ delimiters, \P\ truncation (v2.7+), \Xhh..\ hex data, \H\ \N\ highlighting,
 * \Cxxyy\ \Mxxyyzz\ character-set switches, \Zxx..\ locally defined, \.xx\ formatting (FT/TX).
 */

const HEX = /^(?:[0-9A-Fa-f]{2})+$/;
const CHARSET_SWITCH = /^(?:C[0-9A-Fa-f]{4}|M[0-9A-Fa-f]{4}(?:[0-9A-Fa-f]{2})?)$/;

/** Returns the replacement for the text between two escape characters, or null to keep it verbatim. */
function decodeSequence(body: string, d: Delimiters, charset: Hl7Charset): string | null {
  if (body.length === 1) {
    switch (body) {
      case 'F':
        return d.field;
      case 'S':
        return d.component;
      case 'T':
        return d.subcomponent;
      case 'R':
        return d.repetition;
      case 'E':
        return d.escape;
      case 'P':
        return d.truncation ?? null;
      case 'H':
      case 'N':
        // Highlighting on/off carries no text; plain-text consumers drop it.
        return '';
      default:
        return null;
    }
  }
  const kind = body.charCodeAt(0);
  if (kind === 88 /* X */) return decodeHex(body.slice(1), charset);
  if (CHARSET_SWITCH.test(body)) return '';
  if (kind === 46 /* . */) return formatting(body.slice(1));
  return null;
}

/** \Xhh..\ is bytes in the message's character set; a UTF-8 message holding non-UTF-8 bytes is read as Latin-1. */
function decodeHex(hex: string, charset: Hl7Charset): string | null {
  if (!HEX.test(hex)) return null;
  const bytes = Buffer.from(hex, 'hex');
  if (charset === 'utf8' && isUtf8(bytes)) return bytes.toString('utf8');
  return bytes.toString('latin1');
}

/** FT formatting commands: line-producing ones become '\n', layout-only ones are dropped. */
function formatting(command: string): string | null {
  if (command === 'br' || command === 'ce' || /^sp\d*$/.test(command)) return '\n';
  if (
    command === 'fi' ||
    command === 'nf' ||
    /^(?:in|ti)[+-]?\d+$/.test(command) ||
    /^sk\d+$/.test(command)
  ) {
    return '';
  }
  return null;
}

export function unescapeHl7(text: string, delimiters: Delimiters, charset: Hl7Charset = 'utf8'): string {
  const e = delimiters.escape;
  let open = text.indexOf(e);
  if (open === -1) return text;
  let out = '';
  let last = 0;
  while (open !== -1) {
    const close = text.indexOf(e, open + 1);
    if (close === -1) break;
    const replacement = decodeSequence(text.slice(open + 1, close), delimiters, charset);
    if (replacement !== null) {
      out += text.slice(last, open) + replacement;
      last = close + 1;
    }
    // An unknown sequence is kept verbatim, closing escape included (as HAPI and node-hl7-client do).
    open = text.indexOf(e, close + 1);
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Escapes every delimiter in a value; line breaks become \.br\ (CR LF, CR and LF alike) so a value can never
 * end a segment.
 */
export function escapeHl7(text: string, delimiters: Delimiters): string {
  const { field, component, repetition, escape, subcomponent, truncation } = delimiters;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    let code: string;
    if (c === escape) code = 'E';
    else if (c === field) code = 'F';
    else if (c === component) code = 'S';
    else if (c === subcomponent) code = 'T';
    else if (c === repetition) code = 'R';
    else if (truncation !== undefined && c === truncation) code = 'P';
    else if (c === '\n' || c === '\r') code = '.br';
    else continue;
    out += `${text.slice(last, i)}${escape}${code}${escape}`;
    if (c === '\r' && text[i + 1] === '\n') i++;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}
