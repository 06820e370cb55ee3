/** docs/api.md stays true: its route table lists every route of the access table, with its access. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../engine/hl7/testing/corpus.ts';
import { ROUTE_ACCESS } from '../../engine/http/route-access.ts';

describe('docs/api.md', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([A-Z]+ [^`]+)`\s*\|\s*`?([a-z.-]+)`?\s*\|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }

  it('lists every route with the access route-access.ts declares, and no other', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(ROUTE_ACCESS).sort());
    for (const [key, access] of Object.entries(ROUTE_ACCESS)) expect(rows.get(key), key).toBe(access);
  });
});
