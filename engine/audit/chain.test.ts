import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, chainHash, chainProblem, type ChainFields } from './chain.ts';

const fields: ChainFields = {
  seq: '1',
  at: '2026-01-02T03:04:05.678Z',
  actor: 'alice',
  actorRole: 'admin',
  action: 'message.read',
  target: 'message/1',
  remoteAddress: '127.0.0.1',
  detail: { channel: 'adt', count: 2 },
  prevHash: GENESIS_HASH,
};

describe('chain', () => {
  it('hashes to 64 hex digits, and every field changes it', () => {
    const base = chainHash(fields);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const variants: Partial<ChainFields>[] = [
      { seq: '2' },
      { at: '2026-01-02T03:04:05.679Z' },
      { actor: 'bob' },
      { actorRole: null },
      { action: 'fhir.read' },
      { target: null },
      { remoteAddress: '::1' },
      { detail: { channel: 'adt', count: 3 } },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const v of variants) expect(chainHash({ ...fields, ...v })).not.toBe(base);
  });
  it('does not let a value move between fields', () => {
    expect(chainHash({ ...fields, actor: 'a', actorRole: 'b,c' })).not.toBe(
      chainHash({ ...fields, actor: 'a,b', actorRole: 'c' }),
    );
  });
  it('reports a broken link before the content, and nothing for a good row', () => {
    const hash = chainHash(fields);
    expect(chainProblem({ ...fields, hash }, GENESIS_HASH)).toBeNull();
    expect(chainProblem({ ...fields, hash }, 'a'.repeat(64))).toMatch(/prev_hash/);
    expect(chainProblem({ ...fields, actor: 'mallory', hash }, GENESIS_HASH)).toMatch(/row edited/);
  });
});
