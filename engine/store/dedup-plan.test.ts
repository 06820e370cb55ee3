import { describe, expect, it } from 'vitest';
import { groupByKey, resolveGroups } from './dedup-plan.ts';
import { ingestRequest } from './test-fixtures.ts';

describe('dedup planning', () => {
  it('groups by sender, facility and control id; the first AA of a key claims it', () => {
    const groups = groupByKey([
      ingestRequest({ controlId: 'X', ackCode: 'AE' }),
      ingestRequest({ controlId: 'X' }),
      ingestRequest({ controlId: 'X', sendingFacility: 'SOUTH' }),
      ingestRequest({ controlId: 'X' }),
      ingestRequest({ controlId: 'Y', ackCode: 'AR' }),
    ]);
    expect(groups.map((g) => [g.key.sendingFacility, g.key.controlId, g.members, g.claimant])).toEqual([
      ['NORTH', 'X', [0, 1, 3], 1],
      ['SOUTH', 'X', [2], 2],
      ['NORTH', 'Y', [4], null],
    ]);
  });

  it('leaves out requests without window, header or control id', () => {
    const groups = groupByKey([
      ingestRequest({ controlId: 'X', dedupWindowSeconds: 0 }),
      ingestRequest({ noHeader: true }),
      ingestRequest({ controlId: '' }),
    ]);
    expect(groups).toEqual([]);
  });

  it('does not let "A" + "BC" and "AB" + "C" collide', () => {
    const groups = groupByKey([
      ingestRequest({ controlId: 'X', sendingApplication: 'A', sendingFacility: 'BC' }),
      ingestRequest({ controlId: 'X', sendingApplication: 'AB', sendingFacility: 'C' }),
    ]);
    expect(groups).toHaveLength(2);
  });

  it('a winning claim makes later members duplicates of it; otherwise every member looks the key up', () => {
    const groups = groupByKey([
      ingestRequest({ controlId: 'X', ackCode: 'AE' }),
      ingestRequest({ controlId: 'X' }),
      ingestRequest({ controlId: 'X', ackCode: 'AE' }),
      ingestRequest({ controlId: 'Y' }),
      ingestRequest({ controlId: 'Y' }),
      ingestRequest({ controlId: 'Z', ackCode: 'AR' }),
    ]);
    const { lookups, inBatch } = resolveGroups(groups, new Set([1]));
    expect([...inBatch]).toEqual([[2, 1]]);
    expect(lookups).toEqual([3, 4, 5]);
  });
});
