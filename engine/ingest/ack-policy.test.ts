import { describe, expect, it } from 'vitest';
import type { Hl7Header } from '../hl7/types.ts';
import { planAcks } from './ack-policy.ts';

const header = (acceptAckType: string, applicationAckType: string): Hl7Header =>
  ({ acceptAckType, applicationAckType }) as Hl7Header;

describe('planAcks (HL7 v2.5 ch. 2.9.3, table 0155)', () => {
  it('uses original mode when MSH-15 and MSH-16 are empty or blank', () => {
    expect(planAcks(header('', ''), 'AA')).toEqual({ commit: null, application: 'AA' });
    expect(planAcks(header(' ', ''), 'AE')).toEqual({ commit: null, application: 'AE' });
    expect(planAcks(null, 'AR')).toEqual({ commit: null, application: 'AR' });
  });

  it('sends commit and application ACKs as MSH-15 and MSH-16 ask', () => {
    expect(planAcks(header('AL', 'AL'), 'AA')).toEqual({ commit: 'CA', application: 'AA' });
    expect(planAcks(header('AL', 'NE'), 'AA')).toEqual({ commit: 'CA', application: null });
    expect(planAcks(header('NE', 'NE'), 'AA')).toEqual({ commit: null, application: null });
    expect(planAcks(header('NE', 'AL'), 'AE')).toEqual({ commit: null, application: 'AE' });
    expect(planAcks(header('AL', ''), 'AR')).toEqual({ commit: 'CR', application: null });
  });

  it('honours ER (errors only) and SU (success only)', () => {
    expect(planAcks(header('ER', 'ER'), 'AA')).toEqual({ commit: null, application: null });
    expect(planAcks(header('ER', 'ER'), 'AE')).toEqual({ commit: 'CE', application: 'AE' });
    expect(planAcks(header('SU', 'SU'), 'AA')).toEqual({ commit: 'CA', application: 'AA' });
    expect(planAcks(header('SU', 'SU'), 'AR')).toEqual({ commit: null, application: null });
  });

  it('always answers one AA/AE/AR in original mode, whatever MSH-15/16 say', () => {
    expect(planAcks(header('NE', 'NE'), 'AA', 'original')).toEqual({ commit: null, application: 'AA' });
    expect(planAcks(header('AL', 'AL'), 'AE', 'original')).toEqual({ commit: null, application: 'AE' });
  });
});
