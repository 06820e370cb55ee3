import { describe, expect, it } from 'vitest';
import { decodeHl7Bytes, parsedView, payloadView } from './content-view.ts';

describe('content views', () => {
  it('decodes as UTF-8, or Latin-1 when MSH-18 says 8859 or the bytes are not UTF-8', () => {
    const utf8 = Buffer.from('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|||1||MÜLLER\r', 'utf8');
    expect(decodeHl7Bytes(utf8)).toEqual({ text: utf8.toString('utf8'), charset: 'utf8' });
    const declared = Buffer.from(
      'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5||||||8859/1\rPID|||1||MÜLLER\r',
      'latin1',
    );
    expect(decodeHl7Bytes(declared)).toMatchObject({ charset: 'latin1' });
    expect(decodeHl7Bytes(declared).text).toContain('MÜLLER');
    expect(decodeHl7Bytes(Buffer.from([0x41, 0xff, 0x42]))).toEqual({ text: 'A\u00ffB', charset: 'latin1' });
  });

  it('splits segments into fields numbered as HL7 numbers them', () => {
    const view = parsedView(Buffer.from('MSH|^~\\&|APP|FAC\r\nPID|1||123^^^MCM~456\n\nOBX|1|NM\r'));
    expect(view).toEqual({
      ok: true,
      segments: [
        { name: 'MSH', fields: ['MSH', '|', '^~\\&', 'APP', 'FAC'] },
        { name: 'PID', fields: ['PID', '1', '', '123^^^MCM~456'] },
        { name: 'OBX', fields: ['OBX', '1', 'NM'] },
      ],
    });
    const custom = parsedView(Buffer.from('MSH#^~\\&#APP\rPID#1##9\r'));
    expect(custom).toMatchObject({
      ok: true,
      segments: [{ fields: ['MSH', '#', '^~\\&', 'APP'] }, { fields: ['PID', '1', '', '9'] }],
    });
  });

  it('says why a message does not parse', () => {
    const view = parsedView(Buffer.from('not hl7 at all'));
    expect(view.ok).toBe(false);
    expect(view.ok ? '' : view.error).not.toBe('');
  });

  it('shows textual UTF-8 payloads as text and everything else as base64', () => {
    expect(payloadView(Buffer.from('{"a":"ü"}'), 'application/fhir+json')).toEqual({
      encoding: 'utf8',
      data: '{"a":"ü"}',
    });
    expect(payloadView(Buffer.from('MSH|'), 'x-application/hl7-v2+er7')).toEqual({
      encoding: 'utf8',
      data: 'MSH|',
    });
    expect(payloadView(Buffer.from([0xff, 0x00]), 'text/plain')).toEqual({
      encoding: 'base64',
      data: '/wA=',
    });
    expect(payloadView(Buffer.from('abc'), 'application/octet-stream')).toEqual({
      encoding: 'base64',
      data: 'YWJj',
    });
  });
});
