import { describe, expect, it } from 'vitest';
import { likePattern, parseDateMatch, SqlConditions } from './query-match.ts';

describe('query matching', () => {
  it('turns DICOM wildcards into LIKE patterns, escaping LIKE metacharacters', () => {
    expect(likePattern('DOE^J*')).toBe('DOE^J%');
    expect(likePattern('D?E')).toBe('D_E');
    expect(likePattern('50%_off\\')).toBe('50\\%\\_off\\\\');
  });

  it('reads C-FIND date values as exact dates or inclusive ranges', () => {
    expect(parseDateMatch('20190412')).toBe('20190412');
    expect(parseDateMatch('20190101-20191231')).toEqual({ from: '20190101', to: '20191231' });
    expect(parseDateMatch('20190101-')).toEqual({ from: '20190101' });
    expect(parseDateMatch('-20191231')).toEqual({ to: '20191231' });
  });

  it('leaves out universal matches and numbers parameters in order', () => {
    const c = new SqlConditions();
    c.text('a', undefined);
    c.text('a', '*');
    c.personName('n', 'Doe*');
    c.uid('u', ['1.2', '1.3']);
    c.date('d', '20190101-');
    c.text('x', 'EXACT');
    expect(c.where()).toBe(
      "WHERE lower(n) LIKE $1 ESCAPE '\\' AND u = ANY($2::text[]) AND d >= $3 AND x = $4",
    );
    expect(c.params).toEqual(['doe%', ['1.2', '1.3'], '20190101', 'EXACT']);
    expect(new SqlConditions().where()).toBe('');
  });
});
