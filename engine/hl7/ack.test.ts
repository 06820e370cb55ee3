import { describe, expect, it } from 'vitest';
import { buildAck, salvageHeader } from './ack.ts';
import { Hl7Message, readHeader } from './message.ts';

const original = (version: string, chars = '^~\\&'): string =>
  `MSH|${chars}|LAB|HOSP^1.2.3^ISO|SWB|ENGINE|20240101120000||ORU^R01^ORU_R01|MSG\\F\\42|P|${version}\rPID|1||42\r`;
const opts = { controlId: 'ACK-1', timestamp: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) };

describe('buildAck', () => {
  it('builds an AA for v2.5.1: swapped sender/receiver, ACK^trigger^ACK, MSA-2 = MSH-10 verbatim', () => {
    const ack = buildAck(readHeader(original('2.5.1')), 'AA', opts);
    expect(ack).toBe(
      'MSH|^~\\&|SWB|ENGINE|LAB|HOSP^1.2.3^ISO|20240102030405+0000||ACK^R01^ACK|ACK-1|P|2.5.1\r' +
        'MSA|AA|MSG\\F\\42\r',
    );
    const parsed = Hl7Message.parse(ack);
    expect(parsed.get('MSA-2')).toBe('MSG\\F\\42');
    expect(parsed.get('MSA-2.1')).toBe('MSG|42');
    expect(parsed.header.messageType).toBe('ACK');
  });

  it('uses the configured sending application and facility, escaped', () => {
    const ack = buildAck(readHeader(original('2.5')), 'CA', {
      ...opts,
      sendingApplication: 'SWITCH|BOARD',
      sendingFacility: 'SITE^A',
    });
    const m = Hl7Message.parse(ack);
    expect(m.get('MSH-3.1')).toBe('SWITCH|BOARD');
    expect(m.get('MSH-4.1')).toBe('SITE^A');
    expect(m.get('MSA-1')).toBe('CA');
  });

  it('v2.5+ errors: ERR-2 location, ERR-3 HL70357 code, ERR-4 severity, ERR-8 detail; no MSA-3', () => {
    const ack = buildAck(readHeader(original('2.5.1')), 'AE', opts, {
      code: 'HL7_MISSING_REQUIRED_FIELD',
      detail: 'PID-3 is empty | nothing to match',
      location: 'PID-3',
    });
    const m = Hl7Message.parse(ack);
    expect(m.segmentNames()).toEqual(['MSH', 'MSA', 'ERR']);
    expect(m.getRaw('MSA-3')).toBe('');
    expect(m.get('ERR-2')).toBe('PID^1^3');
    expect(m.get('ERR-3')).toBe('101^Required field missing^HL70357');
    expect(m.get('ERR-4')).toBe('E');
    expect(m.get('ERR-8.1')).toBe('PID-3 is empty | nothing to match');
    expect(ack.endsWith('\r')).toBe(true);
    expect(ack.split('\r')).toHaveLength(4);
  });

  it('v2.5+ error locations carry occurrence, repetition and component', () => {
    const ack = buildAck(readHeader(original('2.6')), 'AE', opts, {
      code: 'HL7_DATA_TYPE_ERROR',
      detail: 'bad value',
      location: 'OBX[2]-5.1',
    });
    expect(Hl7Message.parse(ack).get('ERR-2')).toBe('OBX^2^5^1^1');
  });

  it('pre-2.5 errors: ERR-1 as SEG^1^field^code&text&HL70357 and MSA-3 text', () => {
    const ack = buildAck(readHeader(original('2.3')), 'AR', opts, {
      code: 'HL7_UNSUPPORTED_VERSION',
      detail: 'version 2.3 & older not accepted',
      location: 'MSH-12',
    });
    const m = Hl7Message.parse(ack);
    expect(m.get('MSH-9')).toBe('ACK^R01');
    expect(m.get('MSA-1')).toBe('AR');
    expect(m.get('MSA-2')).toBe('MSG\\F\\42');
    expect(m.get('MSA-3.1')).toBe('version 2.3 & older not accepted');
    expect(m.get('ERR-1')).toBe('MSH^1^12^203&Unsupported version id&HL70357');
    expect(m.get('ERR-1.4.2')).toBe('Unsupported version id');
  });

  it('v2.1-2.2 use plain ACK as MSH-9; 2.3.1 has the structure', () => {
    expect(Hl7Message.parse(buildAck(readHeader(original('2.1')), 'AA', opts)).get('MSH-9')).toBe('ACK');
    expect(Hl7Message.parse(buildAck(readHeader(original('2.3.1')), 'AA', opts)).get('MSH-9')).toBe(
      'ACK^R01^ACK',
    );
  });

  it('keeps the original delimiters (truncation character included)', () => {
    const ack = buildAck(readHeader(original('2.7', '^~\\&#')), 'AE', opts, {
      code: 'HL7_DATA_TYPE_ERROR',
      detail: 'Apt #5',
      location: null,
    });
    const m = Hl7Message.parse(ack);
    expect(m.get('MSH-2')).toBe('^~\\&#');
    expect(m.get('ERR-8')).toBe('Apt \\P\\5');
    expect(m.get('ERR-8.1')).toBe('Apt #5');
    expect(m.getRaw('ERR-2')).toBe('');
  });

  it('without an original header: defaults (2.5, SWITCHBOARD, P) and an empty MSA-2', () => {
    const ack = buildAck(null, 'AR', opts, { code: 'HL7_NOT_PARSEABLE', detail: 'no MSH', location: null });
    const m = Hl7Message.parse(ack);
    expect(m.get('MSH-3')).toBe('SWITCHBOARD');
    expect(m.get('MSH-9')).toBe('ACK^^ACK');
    expect(m.get('MSH-11')).toBe('P');
    expect(m.get('MSH-12')).toBe('2.5');
    expect(m.get('MSA-2')).toBe('');
    expect(m.get('ERR-3.1')).toBe('100');
  });
});

describe('salvageHeader', () => {
  it('reads MSH-3..12 from text that does not parse', () => {
    const h = salvageHeader('MSH|&&&&|APP|FAC|R|RF|20240101||ORU^R01|C1|P|2.5.1\rPID|1\r');
    expect(h).not.toBeNull();
    expect(h?.sendingApplication).toBe('APP');
    expect(h?.controlId).toBe('C1');
    expect(h?.messageType).toBe('ORU');
    expect(h?.triggerEvent).toBe('R01');
    expect(h?.version).toBe('2.5.1');
    expect(h?.delimiters.component).toBe('^');
  });

  it('finds an MSH line after other lines, in a Buffer, and keeps valid custom delimiters', () => {
    const h = salvageHeader(Buffer.from('garbage\nMSH#!@%*#A#B#C#D#1##ADT!A01#X9#P#2.5\nPIDX|1'));
    expect(h?.delimiters.field).toBe('#');
    expect(h?.triggerEvent).toBe('A01');
    expect(h?.controlId).toBe('X9');
  });

  it('returns null when there is no MSH line or no usable separator', () => {
    expect(salvageHeader('')).toBeNull();
    expect(salvageHeader('PID|1||42\r')).toBeNull();
    expect(salvageHeader('MSHA^~\\&|x')).toBeNull();
  });

  it('lets a NAK echo the control id of an unparseable message', () => {
    const raw = 'MSH|^~\\&|LAB|H|SWB|E|20240101||ADT^A01|C77|P|2.4\rPIDX|broken\r';
    expect(() => Hl7Message.parse(raw)).toThrow();
    const ack = buildAck(salvageHeader(raw), 'AR', opts, {
      code: 'HL7_NOT_PARSEABLE',
      detail: 'x',
      location: null,
    });
    expect(Hl7Message.parse(ack).get('MSA-2')).toBe('C77');
  });
});
