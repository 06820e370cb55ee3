import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { splitStatements } from './migrate.ts';

for (const target of await testDatabases()) {
  describe(`SQL port on ${target.name}`, () => {
    let handle: TestDbHandle;
    beforeAll(async () => {
      handle = await target.open();
    });
    afterAll(async () => {
      await handle.close();
    });

    it('applies migrations once and records them', async () => {
      const { rows } = await handle.db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]!.version).toBe(1);
    });

    it('round-trips bytea as Buffer and bigint as string', async () => {
      await handle.db.exec('CREATE TABLE t_bytes (id bigserial PRIMARY KEY, b bytea NOT NULL)');
      const bytes = Buffer.from([0, 0x0b, 0x1c, 0x0d, 0xff, 0xc3, 0x28]);
      const inserted = await handle.db.query<{ id: string }>(
        'INSERT INTO t_bytes (b) VALUES ($1) RETURNING id',
        [bytes],
      );
      expect(typeof inserted.rows[0]!.id).toBe('string');
      const { rows } = await handle.db.query<{ b: Buffer }>('SELECT b FROM t_bytes WHERE id = $1', [
        inserted.rows[0]!.id,
      ]);
      expect(Buffer.isBuffer(rows[0]!.b)).toBe(true);
      expect(rows[0]!.b.equals(bytes)).toBe(true);
    });

    it('rolls a failed transaction back', async () => {
      await handle.db.exec('CREATE TABLE t_tx (v int)');
      await expect(
        handle.db.transaction(async (tx) => {
          await tx.query('INSERT INTO t_tx VALUES (1)');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const { rows } = await handle.db.query<{ n: string }>('SELECT count(*)::text AS n FROM t_tx');
      expect(rows[0]!.n).toBe('0');
    });
  });
}

describe('splitStatements', () => {
  it('splits at semicolons ending a line and drops comments', () => {
    expect(splitStatements('-- c\nCREATE TABLE a (x int);\nCREATE INDEX i ON a (x);\n')).toEqual([
      'CREATE TABLE a (x int)',
      'CREATE INDEX i ON a (x)',
    ]);
  });
});
