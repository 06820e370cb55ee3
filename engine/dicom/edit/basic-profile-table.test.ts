import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../hl7/testing/corpus.ts';
import { BASIC_PROFILE_ROWS, resolveAction } from './basic-profile-table.ts';
import { tagByKeyword } from './dcmjs-codec.ts';
import { remapUid, patientHash } from './uid-remap.ts';

const doc = readFileSync(path.join(repoRoot, 'docs/deidentification.md'), 'utf8');

describe('basic profile table', () => {
  it('names each tag by its dictionary keyword, once', () => {
    for (const row of BASIC_PROFILE_ROWS) expect(tagByKeyword(row.keyword)?.tag, row.keyword).toBe(row.tag);
    expect(new Set(BASIC_PROFILE_ROWS.map((r) => r.tag)).size).toBe(BASIC_PROFILE_ROWS.length);
  });

  it('is listed in docs/deidentification.md row by row, with its table action', () => {
    const cells = new Map(
      doc
        .split('\n')
        .filter((l) => l.startsWith('| ('))
        .map((l) => l.split('|').map((c) => c.trim()))
        .map((c) => [c[1]!, c.slice(2, 6)]),
    );
    for (const row of BASIC_PROFILE_ROWS) {
      const tag = `(${row.tag.slice(0, 4)},${row.tag.slice(4)})`;
      expect(cells.get(tag), `${tag} ${row.keyword} missing from the doc`).toEqual([
        row.keyword,
        row.table,
        resolveAction(row, false),
        resolveAction(row, true),
      ]);
    }
    expect(cells.size).toBe(BASIC_PROFILE_ROWS.length);
  });

  it('resolves combined actions to the one valid for any IOD, and dates to K under keepDates', () => {
    const row = (keyword: string) => BASIC_PROFILE_ROWS.find((r) => r.keyword === keyword)!;
    expect(resolveAction(row('AcquisitionDate'), false)).toBe('Z'); // X/Z
    expect(resolveAction(row('ContentDate'), false)).toBe('D'); // Z/D
    expect(resolveAction(row('InstitutionName'), false)).toBe('D'); // X/Z/D
    expect(resolveAction(row('ReferencedImageSequence'), false)).toBe('K'); // X/Z/U*
    expect(resolveAction(row('ContentSequence'), false)).toBe('X'); // D, applied stricter
    expect(resolveAction(row('StudyDate'), true)).toBe('K');
    expect(resolveAction(row('PatientBirthDate'), true)).toBe('Z');
  });
});

describe('uid remapping', () => {
  it('is deterministic per secret, a valid 2.25 UID of at most 64 characters, and keyed', () => {
    const uid = '1.2.826.0.1.3680043.2.1125.1.1';
    const a = remapUid('secret-one-0123456', uid);
    expect(remapUid('secret-one-0123456', uid)).toBe(a);
    expect(a).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(remapUid('secret-two-0123456', uid)).not.toBe(a);
    expect(remapUid('secret-one-0123456', `${uid}.2`)).not.toBe(a);
    // UUIDv8 bits: version nibble 8, variant 10.
    const hex = BigInt(a.slice(5)).toString(16).padStart(32, '0');
    expect(hex[12]).toBe('8');
    expect(['8', '9', 'a', 'b']).toContain(hex[16]);
    expect(patientHash('secret-one-0123456', 'P1')).toMatch(/^[0-9A-F]{16}$/);
    expect(patientHash('secret-one-0123456', 'P1')).not.toBe(patientHash('secret-one-0123456', 'P2'));
  });
});
