import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { lostElements } from './lost-data.ts';
import { contentUnits } from './message-content.ts';
import { ReadLog } from './read-log.ts';
import { recordingMessage } from './recording-message.ts';

const TEXT = [
  'MSH|^~\\&|APP|FAC|||20240101120000||ADT^A01^ADT_A01|CTRL1|P|2.5',
  'PID|1||123^^^HOSP&1.2.3&ISO^MR~456^^^SSA^SS||Doe^John^Q||19700101|M|||||||||||999-99-9999',
  'PV1|1|I|ICU^1^A',
  'ZPI|1|local thing|""',
].join('\r');

function lostAfter(read: (m: Hl7Message) => void): string[] {
  const message = Hl7Message.parse(TEXT);
  const log = new ReadLog();
  read(recordingMessage(message, log));
  return lostElements(contentUnits(message), log).map((l) => `${l.kind}:${l.path}`);
}

describe('recordingMessage', () => {
  it('returns what the message returns, and is still an Hl7Message', () => {
    const message = Hl7Message.parse(TEXT);
    const recorded = recordingMessage(message, new ReadLog());
    expect(recorded).toBeInstanceOf(Hl7Message);
    expect(recorded.get('PID-5.2')).toBe('John');
    expect(recorded.getAll('PID-3.1')).toEqual(['123', '456']);
    expect(recorded.getRaw('PID-3.4')).toBe('HOSP&1.2.3&ISO');
    expect(recorded.has('PID-19')).toBe(true);
    expect(recorded.header.triggerEvent).toBe('A01');
    expect(recorded.segmentCount('PID')).toBe(1);
    expect(recorded.toString()).toBe(TEXT);
  });

  it('reports unread segments, unread fields of read segments, and unread pieces of read fields', () => {
    const lost = lostAfter((m) => {
      void m.header.messageType;
      m.get('PID-5.1');
      m.get('PID-3.1');
      m.get('PV1-2');
    });
    // ZPI and its data were never looked at; the HL7 null "" is no data.
    expect(lost).toContain('segment:ZPI');
    expect(lost).not.toContain('field:ZPI-3');
    // Read segments: unread fields by field, partly read fields by piece.
    expect(lost).toEqual(
      expect.arrayContaining(['field:PID-1', 'field:PID-7', 'field:PID-19', 'field:PV1-3']),
    );
    expect(lost).toEqual(expect.arrayContaining(['component:PID-5.2', 'component:PID-5.3']));
    expect(lost).toEqual(
      expect.arrayContaining(['component:PID-3.4.1', 'component:PID-3.4.2', 'component:PID-3.5']),
    );
    expect(lost).toContain('component:PID-3[2].1');
    // Header properties read MSH-9.1 only: MSH-9.2 and MSH-9.3 are pieces not read.
    expect(lost).toEqual(expect.arrayContaining(['component:MSH-9.2', 'component:MSH-9.3', 'field:MSH-10']));
    expect(lost).not.toContain('component:MSH-9.1');
    expect(lost).not.toContain('component:PID-5.1');
    expect(lost).not.toContain('field:PV1-2');
  });

  it('getAll of a component covers every repetition; of a whole field it only counts them', () => {
    const counted = lostAfter((m) => m.getAll('PID-3'));
    expect(counted).toEqual(expect.arrayContaining(['field:PID-3', 'field:PID-5']));
    expect(counted).not.toContain('segment:PID');
    const read = lostAfter((m) => m.getAll('PID-3.1'));
    expect(read).not.toContain('component:PID-3.1');
    expect(read).not.toContain('component:PID-3[2].1');
    expect(read).toContain('component:PID-3[2].4');
  });

  it('a whole-field get or getRaw covers everything below the repetition it reads', () => {
    const lost = lostAfter((m) => {
      m.get('PID-3');
      m.getRaw('PID-5');
    });
    expect(lost.filter((l) => l.startsWith('component:PID-3.') || l.startsWith('component:PID-5'))).toEqual(
      [],
    );
    expect(lost).toContain('component:PID-3[2].1');
  });
});
