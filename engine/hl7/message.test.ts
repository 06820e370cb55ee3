import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../errors/catalogue.ts';
import { Hl7Message } from './message.ts';
import { parseHl7Path } from './path.ts';
import { corpusRoot } from './testing/corpus.ts';

const corpusFile = (rel: string): Buffer => readFileSync(path.join(corpusRoot, 'hl7', rel));

const ADT = [
  'MSH|^~\\&|APP|FAC^1.2.3^ISO|RCV|RFAC|20240101120000||ADT^A01^ADT_A01|CTRL-1|P|2.5.1|||AL|NE||UNICODE UTF-8',
  'EVN|A01|20240101120000',
  'PID|1||123^^^HOSP&1.2.840&ISO^MR~456^^^SSA^SS||Doe\\S\\Smith^John^Q||19700101|M|||1 Main St^^Town^ST^12345',
  'PV1|1|I|WARD^101^A',
  'OBX|1|TX|NOTE||first\\.br\\line',
  'OBX|2|ST|CODE||two',
  'ZPD|1|custom^data',
  'NTE',
  '',
].join('\r');

const parse = (text: string): Hl7Message => Hl7Message.parse(text);

describe('Hl7Message paths', () => {
  const m = parse(ADT);

  it('numbers MSH fields the standard way (MSH-1 is the field separator)', () => {
    expect(m.get('MSH-1')).toBe('|');
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.getRaw('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-2.2')).toBe('');
    expect(m.getAll('MSH-2')).toEqual(['^~\\&']);
    expect(m.get('MSH-3')).toBe('APP');
    expect(m.get('MSH-4')).toBe('FAC^1.2.3^ISO');
    expect(m.get('MSH-4.2')).toBe('1.2.3');
    expect(m.get('MSH-9.1')).toBe('ADT');
    expect(m.get('MSH-9.2')).toBe('A01');
    expect(m.get('MSH-10')).toBe('CTRL-1');
    expect(m.get('MSH-12')).toBe('2.5.1');
  });

  it('returns the raw first repetition for a field and the decoded leaf for a component', () => {
    expect(m.get('PID-5')).toBe('Doe\\S\\Smith^John^Q');
    expect(m.get('PID-5.1')).toBe('Doe^Smith');
    expect(m.getRaw('PID-5.1')).toBe('Doe\\S\\Smith');
    expect(m.get('PID-3')).toBe('123^^^HOSP&1.2.840&ISO^MR');
    expect(m.get('PID-3[2]')).toBe('456^^^SSA^SS');
    expect(m.get('PID-3[2].5')).toBe('SS');
    expect(m.get('OBX-5')).toBe('first\\.br\\line');
    expect(m.get('OBX-5.1')).toBe('first\nline');
  });

  it('reads subcomponent 1 when a component has subcomponents; getRaw returns the whole component', () => {
    expect(m.get('PID-3.4')).toBe('HOSP');
    expect(m.get('PID-3.4.2')).toBe('1.2.840');
    expect(m.get('PID-3.4.3')).toBe('ISO');
    expect(m.getRaw('PID-3.4')).toBe('HOSP&1.2.840&ISO');
  });

  it('addresses segment occurrences and returns empty strings for anything absent', () => {
    expect(m.get('OBX-5.1')).toBe('first\nline');
    expect(m.get('OBX[2]-5')).toBe('two');
    expect(m.get('OBX[3]-5')).toBe('');
    expect(m.get('AL1-3')).toBe('');
    expect(m.get('PID-99')).toBe('');
    expect(m.get('PID-5.9')).toBe('');
    expect(m.get('PID-5.1.9')).toBe('');
    expect(m.get('PID-3[9]')).toBe('');
    expect(m.get('NTE-1')).toBe('');
  });

  it('getAll returns every repetition, decoded when a component is addressed', () => {
    expect(m.getAll('PID-3')).toEqual(['123^^^HOSP&1.2.840&ISO^MR', '456^^^SSA^SS']);
    expect(m.getAll('PID-3.1')).toEqual(['123', '456']);
    expect(m.getAll('PID-3.4')).toEqual(['HOSP', 'SSA']);
    expect(m.getAll('PID-3[2].1')).toEqual(['456']);
    expect(m.getAll('PID-3[3]')).toEqual([]);
    expect(m.getAll('PID-4')).toEqual([]);
    expect(m.getAll('XXX-1')).toEqual([]);
  });

  it('has() is true for present, non-empty elements', () => {
    expect(m.has('PID-3')).toBe(true);
    expect(m.has('PID-3.2')).toBe(false);
    expect(m.has('PID-4')).toBe(false);
    expect(m.has('NTE-1')).toBe(false);
    expect(m.has('AL1-1')).toBe(false);
  });

  it('accepts parsed paths', () => {
    expect(m.get(parseHl7Path('PID-5.2'))).toBe('John');
  });

  it('lists and counts segments, Z-segments and field-less segments included', () => {
    expect(m.segmentNames()).toEqual(['MSH', 'EVN', 'PID', 'PV1', 'OBX', 'OBX', 'ZPD', 'NTE']);
    expect(m.segmentCount()).toBe(8);
    expect(m.segmentCount('OBX')).toBe(2);
    expect(m.segmentCount('ZPD')).toBe(1);
    expect(m.segmentCount('AL1')).toBe(0);
    expect(m.get('ZPD-2.2')).toBe('data');
  });

  it('fills the header from MSH', () => {
    expect(m.header).toEqual({
      delimiters: m.delimiters,
      sendingApplication: 'APP',
      sendingFacility: 'FAC^1.2.3^ISO',
      receivingApplication: 'RCV',
      receivingFacility: 'RFAC',
      messageType: 'ADT',
      triggerEvent: 'A01',
      messageStructure: 'ADT_A01',
      controlId: 'CTRL-1',
      processingId: 'P',
      version: '2.5.1',
      acceptAckType: 'AL',
      applicationAckType: 'NE',
      charset: 'UNICODE UTF-8',
    });
  });
});

describe('Hl7Message corpus edge cases', () => {
  it('reads custom delimiters (MSH#!@%*#)', () => {
    const m = Hl7Message.parse(corpusFile('rethinkhealth-hl7v2/edge-custom-delimiters.hl7'));
    expect(m.delimiters).toEqual({
      field: '#',
      component: '!',
      repetition: '@',
      escape: '%',
      subcomponent: '*',
    });
    expect(m.get('MSH-2')).toBe('!@%*');
    expect(m.header.messageType).toBe('ADT');
    expect(m.header.triggerEvent).toBe('A01');
    expect(m.get('PID-3.1')).toBe('12345');
    expect(m.get('PID-3.4')).toBe('MRN');
    expect(m.get('PID-5.2')).toBe('JOHN');
    m.set('PID-5.3', 'B#C');
    expect(m.getRaw('PID-5')).toBe('DOE!JOHN!B%F%C');
    expect(m.encode()).toContain('PID#1##12345!!!MRN##DOE!JOHN!B%F%C##19800101#M');
  });

  it('decodes every delimiter escape', () => {
    const m = Hl7Message.parse(corpusFile('rethinkhealth-hl7v2/edge-escaped-delimiters.hl7'));
    expect(m.get('PID-5.1')).toBe('DOE&SMITH');
    expect(m.get('PID-5.2')).toBe('JOHN^JANE');
    expect(m.get('OBX-5.1')).toBe(
      'Result contains pipe | and ampersand & and caret ^ and tilde ~ and backslash \\ chars',
    );
  });

  it('reads 12 repetitions and field-less trailing separators', () => {
    const m = Hl7Message.parse(corpusFile('rethinkhealth-hl7v2/edge-field-repetitions.hl7'));
    expect(m.getAll('PID-13')).toHaveLength(12);
    expect(m.get('PID-13[12]')).toBe('555-0012');
    const e = Hl7Message.parse(corpusFile('rethinkhealth-hl7v2/edge-empty-segments.hl7'));
    expect(e.get('OBX-13')).toBe('F');
    expect(e.get('OBX-12')).toBe('');
    expect(e.has('PV1-2')).toBe(false);
  });

  it('reads UTF-8 names', () => {
    const m = Hl7Message.parse(corpusFile('rethinkhealth-hl7v2/edge-non-ascii.hl7'));
    expect(m.charset).toBe('utf8');
    expect(m.get('PID-5.1')).toBe('MÜLLER');
    expect(m.get('PID-11.3')).toBe('München');
  });
});

describe('Hl7Message.set', () => {
  it('replaces fields, repetitions, components and subcomponents, escaping the value', () => {
    const m = parse(ADT);
    m.set('PID-5.1', 'O|Brien^Jr');
    expect(m.getRaw('PID-5')).toBe('O\\F\\Brien\\S\\Jr^John^Q');
    expect(m.get('PID-5.1')).toBe('O|Brien^Jr');
    m.set('PID-3[2].4', 'NEW');
    expect(m.getAll('PID-3')).toEqual(['123^^^HOSP&1.2.840&ISO^MR', '456^^^NEW^SS']);
    m.set('PID-3.4.2', '9.9');
    expect(m.getRaw('PID-3.4')).toBe('HOSP&9.9&ISO');
    m.set('PID-3.4', 'ONLY');
    expect(m.getRaw('PID-3[1]')).toBe('123^^^ONLY^MR');
    m.set('PID-3[4].1', 'X');
    expect(m.getRaw('PID-3[3]')).toBe('');
    expect(m.getAll('PID-3.1')).toEqual(['123', '456', '', 'X']);
    m.set('PID-7', '19800101');
    expect(m.get('PID-7')).toBe('19800101');
  });

  it('creates missing fields and components and rebuilds the text with the input terminators', () => {
    const m = parse(ADT.replaceAll('\r', '\n'));
    m.set('PV1-10.2', 'a&b');
    expect(m.toString()).toContain('\nPV1|1|I|WARD^101^A|||||||^a\\T\\b\nOBX|');
    expect(m.toString()).toBe(m.encode());
    expect(m.toString().endsWith('NTE\n')).toBe(true);
    expect(m.toString().includes('\r')).toBe(false);
  });

  it('updates the header after setting an MSH field', () => {
    const m = parse(ADT);
    expect(m.header.controlId).toBe('CTRL-1');
    m.set('MSH-10', 'CTRL-2');
    expect(m.header.controlId).toBe('CTRL-2');
    expect(Hl7Message.parse(m.toString()).get('MSH-10')).toBe('CTRL-2');
  });

  it('ignores an empty value for an absent element, and can clear a present one', () => {
    const m = parse(ADT);
    m.set('PID-30', '');
    expect(m.toString()).toBe(ADT);
    m.set('PID-7', '');
    expect(m.get('PID-7')).toBe('');
    expect(m.get('PID-8')).toBe('M');
  });

  it('refuses to create segments, change the delimiters, or store what the charset cannot hold', () => {
    const m = parse(ADT);
    expect(() => m.set('AL1-3', 'x')).toThrow(/no AL1 segment/);
    expect(() => m.set('OBX[3]-5', 'x')).toThrow(/no OBX segment occurrence 3/);
    expect(() => m.set('MSH-1', '#')).toThrow(/cannot be set/);
    expect(() => m.set('MSH-2', '!@%*')).toThrow(/cannot be set/);
    const latin = Hl7Message.parse(Buffer.from(ADT.replace('UNICODE UTF-8', '8859/1'), 'latin1'));
    expect(latin.charset).toBe('latin1');
    latin.set('PID-5.1', 'Müller');
    expect(latin.toBuffer().includes(Buffer.from('M\xfcller', 'latin1'))).toBe(true);
    expect(() => latin.set('PID-5.1', '€uro')).toThrow(/Latin-1/);
  });
});

describe('Hl7Message text, terminators and errors', () => {
  const segments = ['MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.3', 'PID|1||42', 'OBX|1|ST|X||v'];

  it.each([
    ['CR', segments.join('\r') + '\r'],
    ['LF', segments.join('\n') + '\n'],
    ['CRLF', segments.join('\r\n') + '\r\n'],
    ['mixed', `${segments[0]}\r\n${segments[1]}\r${segments[2]}\n`],
    ['no final terminator', segments.join('\r')],
    ['blank lines', `${segments[0]}\r\n\r\n${segments[1]}\n  \n${segments[2]}\r\r`],
    ['leading whitespace', `\r\n  ${segments.join('\r')}`],
  ])('%s: same values, exact toString/encode/toBuffer', (_name, text) => {
    const m = Hl7Message.parse(Buffer.from(text));
    expect(m.segmentNames()).toEqual(['MSH', 'PID', 'OBX']);
    expect(m.get('PID-3')).toBe('42');
    expect(m.get('OBX-5')).toBe('v');
    expect(m.toString()).toBe(text);
    expect(m.encode()).toBe(text);
    expect(m.toBuffer().equals(Buffer.from(text))).toBe(true);
  });

  it('accepts a UTF-8 BOM in a Buffer or a string and keeps it out of the text', () => {
    const text = segments.join('\r');
    const fromBuffer = Hl7Message.parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const fromString = Hl7Message.parse(`\uFEFF${text}`);
    for (const m of [fromBuffer, fromString]) {
      expect(m.toString()).toBe(text);
      expect(m.encode()).toBe(text);
      expect(m.get('MSH-3')).toBe('A');
    }
    expect(fromBuffer.toBuffer().equals(Buffer.from(text))).toBe(true);
  });

  it.each([
    ['empty input', '', null, /empty/],
    ['only whitespace', '\r\n \r\n', null, /empty/],
    ['no MSH', 'PID|1||42\r', null, /must start with an MSH segment, found 'PID\|1\|\|42\\r'/],
    ['MSH-1 a letter', 'MSHX^~\\&|A\r', 'MSH-1', /MSH-1 \(field separator\)/],
    ['MSH-1 missing', 'MSH', 'MSH-1', /MSH-1/],
    ['MSH-2 empty', 'MSH||A|B\r', 'MSH-2', /MSH-2 \(encoding characters\) is empty/],
    ['MSH-2 too short', 'MSH|^~|A\r', 'MSH-2', /must be 4 characters/],
    ['MSH-2 too long', 'MSH|^~\\&#!|A\r', 'MSH-2', /must be 4 characters/],
    ['MSH-2 duplicate', 'MSH|&&&&|A\r', 'MSH-2', /'&&&&' uses '&' for two delimiters/],
    ['MSH-2 with field separator twice', 'MSH|^~\\^|A\r', 'MSH-2', /uses '\^'/],
    ['MSH-2 with a letter', 'MSH|^~\\A|A\r', 'MSH-2', /'A', which cannot be a delimiter/],
    ['4-letter segment id', 'MSH|^~\\&|A\rPIDX|1\r', null, /line 2 is not a segment.*'PIDX\|1'/],
    ['2-letter segment id', 'MSH|^~\\&|A\nPV|1\n', null, /line 2 is not a segment/],
    ['lower-case segment id', 'MSH|^~\\&|A\r\nPID|1\r\npanel text\r\n', null, /line 3 is not a segment/],
    ['indented segment', 'MSH|^~\\&|A\r  PID|1\r', null, /line 2 is not a segment/],
  ])('%s throws HL7_NOT_PARSEABLE', (_name, text, location, message) => {
    let error: unknown;
    try {
      Hl7Message.parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SwitchboardError);
    const e = error as SwitchboardError;
    expect(e.definition.code).toBe('HL7_NOT_PARSEABLE');
    expect(e.definition.hl7Code).toBe('100');
    expect(e.location).toBe(location);
    expect(e.message).toMatch(message);
  });

  it.each(['2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.2'])(
    'reads version %s',
    (version) => {
      const chars = version.startsWith('2.7') || version.startsWith('2.8') ? '^~\\&#' : '^~\\&';
      const text = `MSH|${chars}|A|B|C|D|20240101||ADT^A04|7|P|${version}\rEVN|A04\rPID|1||42\r`;
      const m = parse(text);
      expect(m.header.version).toBe(version);
      expect(m.get('MSH-12')).toBe(version);
      expect(m.delimiters.truncation).toBe(chars.length === 5 ? '#' : undefined);
      expect(m.encode()).toBe(text);
    },
  );
});

describe('Hl7Message charsets', () => {
  const latin1Text = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1||42||Müller^José\r';

  it('detects Latin-1 bytes that are not valid UTF-8 and round-trips them exactly', () => {
    const bytes = Buffer.from(latin1Text, 'latin1');
    const m = Hl7Message.parse(bytes);
    expect(m.charset).toBe('latin1');
    expect(m.get('PID-5.1')).toBe('Müller');
    expect(m.get('PID-5.2')).toBe('José');
    expect(m.toBuffer().equals(bytes)).toBe(true);
    expect(Buffer.from(m.encode(), m.charset).equals(bytes)).toBe(true);
  });

  it('decodes as Latin-1 when MSH-18 says 8859/1, even if the bytes are valid UTF-8 (still lossless)', () => {
    const text = latin1Text.replace('|2.5\r', '|2.5||||||8859/1\r');
    const bytes = Buffer.from(text, 'utf8');
    const m = Hl7Message.parse(bytes);
    expect(m.charset).toBe('latin1');
    expect(m.get('PID-5.1')).toBe('MÃ¼ller');
    expect(m.toBuffer().equals(bytes)).toBe(true);
    expect(Buffer.from(m.encode(), 'latin1').equals(bytes)).toBe(true);
  });

  it('uses UTF-8 for valid UTF-8 bytes and honours a forced charset', () => {
    const bytes = Buffer.from(latin1Text, 'utf8');
    expect(Hl7Message.parse(bytes).charset).toBe('utf8');
    expect(Hl7Message.parse(bytes, { charset: 'latin1' }).get('PID-5.1')).toBe('MÃ¼ller');
    expect(() => Hl7Message.parse(Buffer.from(latin1Text, 'latin1'), { charset: 'utf8' })).toThrow(
      /not valid UTF-8/,
    );
  });

  it('picks a charset for string input: UTF-8 unless MSH-18 declares 8859 and every character fits', () => {
    expect(parse(latin1Text).charset).toBe('utf8');
    const declared = latin1Text.replace('|2.5\r', '|2.5||||||8859/1\r');
    expect(parse(declared).charset).toBe('latin1');
    expect(parse(declared.replace('Müller', 'Mü€ller')).charset).toBe('utf8');
    expect(
      Hl7Message.parse(latin1Text, { charset: 'latin1' })
        .toBuffer()
        .equals(Buffer.from(latin1Text, 'latin1')),
    ).toBe(true);
  });
});
