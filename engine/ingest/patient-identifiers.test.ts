import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../hl7/message.ts';
import { patientIdentifiersOf } from './patient-identifiers.ts';

const msh = 'MSH|^~\\&|A|B|C|D|20260101||ADT^A17|1|P|2.5';

describe('patientIdentifiersOf', () => {
  it('takes every PID-3 repetition of every PID, decoded, with its authority', () => {
    const message = Hl7Message.parse(
      `${msh}\rPID|1||123^^^MCM&1.2.3&ISO^MR~X\\T\\9^^^SSA^SS~^^^EMPTY\rPV1|1\rPID|2||777\r`,
    );
    expect(patientIdentifiersOf(message)).toEqual([
      { id: '123', authority: 'MCM' },
      { id: 'X&9', authority: 'SSA' },
      { id: '777', authority: '' },
    ]);
  });

  it('is empty without PID-3', () => {
    expect(patientIdentifiersOf(Hl7Message.parse(`${msh}\rPID|1\r`))).toEqual([]);
    expect(patientIdentifiersOf(Hl7Message.parse(`${msh}\rEVN|A17\r`))).toEqual([]);
  });
});
