import { describe, expect, it } from 'vitest';
import { formatHl7Path, Hl7PathError, parseHl7Path } from './path.ts';

describe('parseHl7Path', () => {
  it.each([
    ['MSH-9', { segment: 'MSH', field: 9 }],
    ['MSH-9.2', { segment: 'MSH', field: 9, component: 2 }],
    ['PID-3[2].1', { segment: 'PID', field: 3, repetition: 2, component: 1 }],
    ['OBX[2]-5', { segment: 'OBX', occurrence: 2, field: 5 }],
    ['PID-5.1.1', { segment: 'PID', field: 5, component: 1, subcomponent: 1 }],
    [
      'ZP1[10]-12[3].4.5',
      { segment: 'ZP1', occurrence: 10, field: 12, repetition: 3, component: 4, subcomponent: 5 },
    ],
  ])('%s', (text, expected) => {
    expect(parseHl7Path(text)).toEqual({ text, ...expected });
  });

  it('returns frozen, cached values', () => {
    const a = parseHl7Path('PID-3[2].1');
    expect(Object.isFrozen(a)).toBe(true);
    expect(parseHl7Path('PID-3[2].1')).toBe(a);
  });

  it('leaves unset parts undefined (1-based defaults are the reader’s job)', () => {
    const p = parseHl7Path('PID-3');
    expect('occurrence' in p || 'repetition' in p || 'component' in p || 'subcomponent' in p).toBe(false);
  });

  it.each([
    ['', 1, 'segment id'],
    ['pid-3', 1, 'segment id'],
    ['PI-3', 3, 'segment id'],
    ['PIDX-3', 4, "'-'"],
    ['PID', 4, "'-'"],
    ['PID-', 5, 'field number'],
    ['PID-0', 5, 'from 1'],
    ['PID-03', 5, 'leading zeros'],
    ['PID-3.', 7, 'component number'],
    ['PID-3.1.', 9, 'subcomponent number'],
    ['PID-3.1.1.1', 10, 'the end'],
    ['PID-3[2', 8, "']'"],
    ['PID-3[]', 7, 'field repetition'],
    ['PID[0]-3', 5, 'segment occurrence'],
    ['PID-3(1)', 6, "'[', '.' or the end"],
    ['PID-3[1](1)', 9, "'.' or the end"],
    ['PID-3-1', 6, "'[', '.' or the end"],
    ['PID-123456', 5, 'at most'],
    ['PID-3 ', 6, "'[', '.' or the end"],
  ])('rejects %j at position %i (expected %s)', (text, position, expected) => {
    let error: unknown;
    try {
      parseHl7Path(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Hl7PathError);
    const e = error as Hl7PathError;
    expect(e.position + 1).toBe(position);
    expect(e.message).toContain(`at position ${position}`);
    expect(e.message).toContain(expected);
  });

  it('formats paths canonically', () => {
    for (const text of ['PID-3', 'OBX[2]-5[3].1.2', 'MSH-9.2'])
      expect(formatHl7Path(parseHl7Path(text))).toBe(text);
  });
});
