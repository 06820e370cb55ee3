import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIMITERS, delimitersFrom } from './delimiters.ts';
import { escapeHl7, unescapeHl7 } from './escape.ts';

const d = DEFAULT_DELIMITERS;
const custom = delimitersFrom('#', '!@%*'); // rethinkhealth edge-custom-delimiters
const v27 = delimitersFrom('|', '^~\\&#');

describe('unescapeHl7', () => {
  it.each([
    ['a\\F\\b', 'a|b'],
    ['a\\S\\b', 'a^b'],
    ['a\\T\\b', 'a&b'],
    ['a\\R\\b', 'a~b'],
    ['a\\E\\b', 'a\\b'],
    ['\\H\\bold\\N\\ text', 'bold text'],
    ['line1\\.br\\line2', 'line1\nline2'],
    ['a\\.sp\\b\\.sp2\\c', 'a\nb\nc'],
    ['\\.ce\\title\\.fi\\\\.nf\\\\.in+4\\\\.ti-2\\\\.sk3\\x', '\ntitlex'],
    ['\\X41\\\\X4243\\', 'ABC'],
    ['CR LF:\\X0d0a\\.', 'CR LF:\r\n.'],
    ['caf\\XC3A9\\', 'café'],
    ['\\C2842\\plain\\M2442\\', 'plain'],
  ])('%j -> %j', (raw, decoded) => {
    expect(unescapeHl7(raw, d, 'utf8')).toBe(decoded);
  });

  it('decodes \\X..\\ with the message charset (Latin-1, or Latin-1 bytes that are not UTF-8)', () => {
    expect(unescapeHl7('caf\\XE9\\', d, 'latin1')).toBe('café');
    expect(unescapeHl7('caf\\XE9\\', d, 'utf8')).toBe('café');
    expect(unescapeHl7('\\XC3A9\\', d, 'latin1')).toBe('Ã©');
  });

  it('keeps unknown, malformed and unterminated sequences verbatim', () => {
    for (const raw of ['\\Zlocal\\', '\\Xzz\\', '\\X123\\', '\\.xx\\', '\\\\', 'C:\\temp', 'a\\F', '\\Q\\']) {
      expect(unescapeHl7(raw, d)).toBe(raw);
    }
  });

  it('maps \\P\\ to the v2.7 truncation character only when MSH-2 declares one', () => {
    expect(unescapeHl7('Apt \\P\\5', v27)).toBe('Apt #5');
    expect(unescapeHl7('Apt \\P\\5', d)).toBe('Apt \\P\\5');
  });

  it('uses the message delimiters, not the defaults', () => {
    expect(unescapeHl7('a%F%b%S%c%T%d%R%e%E%f', custom)).toBe('a#b!c*d@e%f');
    expect(unescapeHl7('a\\F\\b', custom)).toBe('a\\F\\b');
  });

  it('returns the same string when there is nothing to decode', () => {
    const s = 'plain text';
    expect(unescapeHl7(s, d)).toBe(s);
  });
});

describe('escapeHl7', () => {
  it('escapes every delimiter, the escape character first', () => {
    expect(escapeHl7('a|b^c&d~e\\f', d)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
    expect(escapeHl7('a#b!c*d@e%f', custom)).toBe('a%F%b%S%c%T%d%R%e%E%f');
    expect(escapeHl7('Apt #5', v27)).toBe('Apt \\P\\5');
    expect(escapeHl7('Apt #5', d)).toBe('Apt #5');
  });

  it('turns every kind of line break into \\.br\\ so a value cannot end a segment', () => {
    expect(escapeHl7('a\r\nb\nc\rd', d)).toBe('a\\.br\\b\\.br\\c\\.br\\d');
  });

  it('round-trips through unescapeHl7', () => {
    for (const s of ['', 'plain', '|^~\\&', 'x\\F\\y', 'Dürst & Söhne ^ Co | ~ 100%', 'a\nb']) {
      expect(unescapeHl7(escapeHl7(s, d), d)).toBe(s);
      expect(unescapeHl7(escapeHl7(s, custom), custom)).toBe(s);
      expect(unescapeHl7(escapeHl7(s, v27), v27)).toBe(s);
    }
  });
});
