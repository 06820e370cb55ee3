import { describe, expect, it } from 'vitest';
import { PATIENT_IDS_PER_MESSAGE, patientIdKey, patientIdKeys, patientKeysParam } from './patient-ids.ts';

describe('patient identifier keys', () => {
  it('stores each ID alone and with its authority, and looks them up the same way', () => {
    expect(
      patientIdKeys([
        { id: '123', authority: 'MCM' },
        { id: 'X9', authority: '' },
      ]),
    ).toEqual(['123', '123\u001fMCM', 'X9']);
    expect(patientIdKey('123')).toBe('123');
    expect(patientIdKey('123', 'MCM')).toBe('123\u001fMCM');
  });

  it('trims, deduplicates, and drops what cannot be a key', () => {
    expect(
      patientIdKeys([
        { id: ' 123 ', authority: ' MCM ' },
        { id: '123', authority: 'MCM' },
        { id: '', authority: 'MCM' },
        { id: 'a\u0000b', authority: '' },
        { id: 'x'.repeat(201), authority: '' },
        { id: '7', authority: 'bad\u001eauth' },
      ]),
    ).toEqual(['123', '123\u001fMCM', '7']);
    expect(patientIdKey('')).toBeNull();
    expect(patientIdKey('1', '')).toBeNull();
    expect(patientIdKey('a\u001fb')).toBeNull();
  });

  it('bounds the keys of one message and joins them for the ingest statement', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ id: `ID${i}`, authority: 'A' }));
    expect(patientIdKeys(many)).toHaveLength(PATIENT_IDS_PER_MESSAGE * 2);
    expect(patientKeysParam(undefined)).toBeNull();
    expect(patientKeysParam([{ id: '', authority: '' }])).toBeNull();
    expect(patientKeysParam([{ id: '1', authority: 'A' }])).toBe('1\u001e1\u001fA');
  });
});
