import { describe, expect, it } from 'vitest';
import { DateSearchError, dateConditionSql, parseDateValue } from './date-search.ts';

describe('parseDateValue', () => {
  it('turns each precision into the range it stands for (UTC)', () => {
    expect(parseDateValue('2024')).toEqual({
      prefix: 'eq',
      start: '2024-01-01T00:00:00.000Z',
      end: '2025-01-01T00:00:00.000Z',
    });
    expect(parseDateValue('ge2024-02')).toEqual({
      prefix: 'ge',
      start: '2024-02-01T00:00:00.000Z',
      end: '2024-03-01T00:00:00.000Z',
    });
    expect(parseDateValue('lt2024-12-31')).toMatchObject({
      start: '2024-12-31T00:00:00.000Z',
      end: '2025-01-01T00:00:00.000Z',
    });
    expect(parseDateValue('gt2024-05-01T10:30')).toMatchObject({
      start: '2024-05-01T10:30:00.000Z',
      end: '2024-05-01T10:31:00.000Z',
    });
    expect(parseDateValue('2024-05-01T10:30:15.25Z')).toMatchObject({
      start: '2024-05-01T10:30:15.250Z',
      end: '2024-05-01T10:30:15.260Z',
    });
    expect(parseDateValue('2024-05-01T10:30:15.123456Z')).toMatchObject({
      start: '2024-05-01T10:30:15.123Z',
      end: '2024-05-01T10:30:15.124Z',
    });
  });

  it('applies a time zone offset', () => {
    expect(parseDateValue('le2024-05-01T00:00:00+02:00')).toMatchObject({
      prefix: 'le',
      start: '2024-04-30T22:00:00.000Z',
      end: '2024-04-30T22:00:01.000Z',
    });
    expect(parseDateValue('2024-05-01T00:00:00-05:30').start).toBe('2024-05-01T05:30:00.000Z');
  });

  it('rejects impossible dates, unknown prefixes and ap', () => {
    for (const bad of [
      '2023-02-29',
      '2024-00',
      '2024-05-01T24:00',
      'xx2024',
      '24-05-01',
      '2024-05-01T10',
      'ap2024',
    ]) {
      expect(() => parseDateValue(bad), bad).toThrow(DateSearchError);
    }
    expect(parseDateValue('2024-02-29').end).toBe('2024-03-01T00:00:00.000Z');
  });
});

describe('dateConditionSql', () => {
  const sql = (value: string): { sql: string; bound: string[] } => {
    const bound: string[] = [];
    const text = dateConditionSql('t', parseDateValue(value), (v) => {
      bound.push(v);
      return `$${bound.length}`;
    });
    return { sql: text, bound };
  };

  it('binds only the bounds each prefix compares with', () => {
    expect(sql('eq2024')).toEqual({
      sql: '(t >= $1::timestamptz AND t < $2::timestamptz)',
      bound: ['2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    });
    expect(sql('gt2024')).toEqual({ sql: 't >= $1::timestamptz', bound: ['2025-01-01T00:00:00.000Z'] });
    expect(sql('ge2024')).toEqual({ sql: 't >= $1::timestamptz', bound: ['2024-01-01T00:00:00.000Z'] });
    expect(sql('lt2024')).toEqual({ sql: 't < $1::timestamptz', bound: ['2024-01-01T00:00:00.000Z'] });
    expect(sql('le2024')).toEqual({ sql: 't < $1::timestamptz', bound: ['2025-01-01T00:00:00.000Z'] });
    expect(sql('ne2024').sql).toBe('(t < $1::timestamptz OR t >= $2::timestamptz)');
    expect(sql('sa2024')).toEqual(sql('gt2024'));
    expect(sql('eb2024')).toEqual(sql('lt2024'));
  });
});
