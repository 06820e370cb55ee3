/** Key layout and validation shared by every ObjectStore adapter. */
import { describe, expect, it } from 'vitest';
import { dicomObjectKey, ObjectKeyError, validateObjectKey } from './object-store.ts';

describe('dicomObjectKey', () => {
  it('lays an instance out by study, series and SOP instance UID', () => {
    expect(dicomObjectKey('1.2.840.113619.2.1', '1.2.840.113619.2.1.1', '1.2.840.113619.2.1.1.5')).toBe(
      'dicom/1.2.840.113619.2.1/1.2.840.113619.2.1.1/1.2.840.113619.2.1.1.5.dcm',
    );
  });

  it('accepts a UID of exactly 64 characters', () => {
    const uid = `1.${'2'.repeat(62)}`;
    expect(uid).toHaveLength(64);
    expect(validateObjectKey(dicomObjectKey(uid, uid, uid))).toContain(uid);
  });

  it.each([
    ['empty', ''],
    ['65 characters', `1.${'2'.repeat(63)}`],
    ['parent folder', '..'],
    ['slash', '1.2/../3'],
    ['leading dot', '.1.2'],
    ['trailing dot', '1.2.'],
    ['double dot', '1..2'],
    ['letters', '1.2.abc'],
    ['padding space', '1.2.3 '],
    ['NUL padding', '1.2.3\0'],
  ])('refuses a UID that is not one (%s), naming which UID', (_what, bad) => {
    expect(() => dicomObjectKey(bad, '1.2', '1.2.3')).toThrow(ObjectKeyError);
    expect(() => dicomObjectKey('1.2', bad, '1.2.3')).toThrow(/SeriesInstanceUID/);
    expect(() => dicomObjectKey('1.2', '1.2', bad)).toThrow(/SOPInstanceUID/);
  });
});

describe('validateObjectKey', () => {
  it('accepts relative keys of plain segments', () => {
    expect(validateObjectKey('dicom/1.2/3_4-5/x.dcm')).toBe('dicom/1.2/3_4-5/x.dcm');
  });

  it('refuses keys over 1024 characters', () => {
    expect(validateObjectKey('a'.repeat(1024))).toHaveLength(1024);
    expect(() => validateObjectKey('a'.repeat(1025))).toThrow(/longer than 1024/);
  });
});
