import { describe, expect, it } from 'vitest';
import { fragment } from '../testing/fragments.ts';
import { dtmToDate, dtmToDateTime, parseDtm } from './dtm.ts';
import { fieldPath, fieldValue } from './field.ts';

const PID_29 = fieldPath('PID-29');
const fromFragment = (name: string): string =>
  fieldValue(fragment(`dtm/dateTime/${name}.hl7`), PID_29).get(1);

describe('DTM -> FHIR dateTime (IG DTM[dateTime] DTM.1), every precision of the dtm/dateTime fragments', () => {
  const cases: [string, string, string][] = [
    ['dtm-year-precision-to-dateTime', '2023', 'year'],
    ['dtm-month-precision-to-dateTime', '2023-11', 'month'],
    ['dtm-day-precision-to-dateTime', '2023-11-02', 'day'],
    ['dtm-hour-precision-to-dateTime', '2023-11-02T11:00:00Z', 'hour'],
    ['dtm-minute-precision-to-dateTime', '2023-11-02T11:04:00Z', 'minute'],
    ['dtm-second-precision-to-dateTime', '2023-11-02T11:04:05Z', 'second'],
    ['dtm-dsec-precision-to-dateTime', '2023-11-02T11:04:05.6Z', 'fraction'],
    ['dtm-csec-precision-to-dateTime', '2023-11-02T11:04:05.67Z', 'fraction'],
    ['dtm-msec-precision-to-dateTime', '2023-11-02T11:04:05.678Z', 'fraction'],
    ['dtm-mmsec-precision-to-dateTime', '2023-11-02T11:04:05.6789Z', 'fraction'],
  ];
  for (const [name, expected, precision] of cases) {
    it(name, () => {
      const result = dtmToDateTime(fromFragment(name));
      expect(result?.value).toBe(expected);
      expect(result?.precision).toBe(precision);
      expect(result?.offsetAssumed).toBe(
        precision !== 'year' && precision !== 'month' && precision !== 'day',
      );
    });
  }

  it('rejects year 0000 (dtm-zero-year), which FHIR dateTime cannot hold', () => {
    expect(fromFragment('dtm-zero-year-to-dateTime')).toBe('0000');
    expect(dtmToDateTime('0000')).toBeUndefined();
  });
});

describe('DTM offsets and validation', () => {
  it('keeps the sender offset as ±hh:mm', () => {
    expect(dtmToDateTime('198808181126+0215')).toEqual({
      value: '1988-08-18T11:26:00+02:15',
      precision: 'minute',
      offsetAssumed: false,
    });
    expect(dtmToDateTime('20240501102531-0400')?.value).toBe('2024-05-01T10:25:31-04:00');
  });

  it('gives a time without offset the configured default', () => {
    expect(dtmToDateTime('20200508130643', '+01:00')?.value).toBe('2020-05-08T13:06:43+01:00');
  });

  it('drops the zone of a date-only value (FHIR dates carry none)', () => {
    expect(dtmToDateTime('20190504+0700')?.value).toBe('2019-05-04');
  });

  it('rejects out-of-range parts and bad shapes', () => {
    for (const bad of [
      '20231302',
      '20230230',
      '2023110225',
      '202311021160',
      '20231102-2',
      'DOB',
      '',
      '2023+1500',
    ]) {
      expect(parseDtm(bad), bad).toBeNull();
    }
    expect(parseDtm('20240229')?.day).toBe('29');
  });
});

describe('DTM -> FHIR date (PID-7 birthDate)', () => {
  it('cuts the time off and keeps the calendar date as sent', () => {
    expect(dtmToDate('198808181126+0215')).toBe('1988-08-18');
    expect(dtmToDate('19890118000000')).toBe('1989-01-18');
    expect(dtmToDate('195006')).toBe('1950-06');
    expect(dtmToDate('1950')).toBe('1950');
    expect(dtmToDate('19501340')).toBeUndefined();
  });
});
