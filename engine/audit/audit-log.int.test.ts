import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../db/pg-client.ts';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { AuditLog } from './audit-log.ts';
import { GENESIS_HASH, chainHash } from './chain.ts';
import type { AuditEntry, AuditRecord } from './types.ts';

const T0 = Date.parse('2026-03-01T10:00:00.123Z');

/** What the append-only trigger stops the application doing, a table owner can: that is the threat. */
const asOwner = (sql: string) =>
  `ALTER TABLE audit_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER USER`;

for (const target of await testDatabases()) {
  describe(`AuditLog on ${target.name}`, () => {
    let handle: TestDbHandle;
    let log: AuditLog;
    let tick: number;

    beforeAll(async () => {
      handle = await target.open();
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await handle.db.exec(asOwner('TRUNCATE audit_log RESTART IDENTITY'));
      tick = 0;
      // One millisecond apart (plus a fraction that a Date drops), so time filters have edges to test.
      log = new AuditLog(handle.db, { now: () => new Date(T0 + tick++ + 0.7) });
    });

    async function appendMany(n: number, entry: Partial<AuditEntry> = {}): Promise<AuditRecord[]> {
      const out: AuditRecord[] = [];
      for (let i = 0; i < n; i++) {
        out.push(
          await log.append({ actor: 'alice', action: 'message.read', target: `message/${i}`, ...entry }),
        );
      }
      return out;
    }

    it('appends a chained row and reads back exactly what was hashed', async () => {
      const first = await log.append({
        actor: 'alice',
        actorRole: 'admin',
        action: 'login',
        remoteAddress: '10.0.0.7',
        detail: { method: 'password', mfa: true, attempts: 1, token: null },
      });
      expect(first).toMatchObject({ seq: '1', actor: 'alice', actorRole: 'admin', action: 'login' });
      expect(first.at.toISOString()).toBe('2026-03-01T10:00:00.123Z');
      expect(first.prevHash).toBe(GENESIS_HASH);
      const second = await log.append({ actor: 'system', action: 'channel.state', target: 'channel/adt' });
      expect(second.prevHash).toBe(first.hash);
      expect(second).toMatchObject({ actorRole: null, remoteAddress: null, detail: {} });
      expect(await log.list()).toEqual([first, second]);
      expect(
        chainHash({
          ...first,
          at: first.at.toISOString(),
          detail: { token: null, attempts: 1, mfa: true, method: 'password' },
        }),
      ).toBe(first.hash);
    });

    it('lists by actor, action, target, time range and seq cursor, in either order', async () => {
      const rows = [
        await log.append({ actor: 'alice', action: 'login', remoteAddress: '10.0.0.1' }),
        await log.append({ actor: 'bob', action: 'login.failed', remoteAddress: '10.0.0.2' }),
        await log.append({ actor: 'alice', action: 'message.read', target: 'message/7' }),
        await log.append({ actor: 'alice', action: 'fhir.read', target: 'Patient/abc' }),
        await log.append({ actor: 'bob', action: 'message.reprocess', target: 'message/7' }),
        await log.append({ actor: 'tok_1', action: 'config.change', detail: { file: 'channels/adt.yaml' } }),
      ];
      const seqs = (list: AuditRecord[]) => list.map((r) => r.seq);
      expect(seqs(await log.list({ actor: 'alice' }))).toEqual(['1', '3', '4']);
      expect(seqs(await log.list({ action: 'login.failed' }))).toEqual(['2']);
      expect(seqs(await log.list({ target: 'message/7' }))).toEqual(['3', '5']);
      expect(seqs(await log.list({ actor: 'bob', target: 'message/7' }))).toEqual(['5']);
      expect(seqs(await log.list({ from: rows[2]!.at, to: rows[4]!.at }))).toEqual(['3', '4']);
      expect(seqs(await log.list({ afterSeq: '4' }))).toEqual(['5', '6']);
      expect(seqs(await log.list({ afterSeq: '1', limit: 2 }))).toEqual(['2', '3']);
      expect(seqs(await log.list({ order: 'desc', limit: 2 }))).toEqual(['6', '5']);
      expect(seqs(await log.list({ order: 'desc', beforeSeq: '5', actor: 'alice' }))).toEqual([
        '4',
        '3',
        '1',
      ]);
      expect(await log.list({ actor: 'nobody' })).toEqual([]);
      await expect(log.list({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(log.list({ afterSeq: "1'; DROP TABLE audit_log" })).rejects.toThrow(RangeError);
    });

    it('verifies a chain over several pages, and links across a page boundary', async () => {
      await appendMany(250);
      expect(await log.verify()).toEqual({ ok: true, rows: 250 });
      const paged = new AuditLog(handle.db, { verifyPageSize: 100 });
      expect(await paged.verify()).toEqual({ ok: true, rows: 250 });
      expect(await new AuditLog(handle.db, { verifyPageSize: 125 }).verify()).toEqual({
        ok: true,
        rows: 250,
      });
      await handle.db.exec(asOwner('DELETE FROM audit_log WHERE seq = 100'));
      expect(await paged.verify()).toMatchObject({ ok: false, firstBadSeq: '101', rows: 100 });
    });

    it('verifies an empty log', async () => {
      expect(await log.verify()).toEqual({ ok: true, rows: 0 });
    });

    it('refuses UPDATE, DELETE and TRUNCATE from the application', async () => {
      await appendMany(1);
      await expect(handle.db.query(`UPDATE audit_log SET actor = 'x'`)).rejects.toThrow(/append-only/);
      await expect(handle.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      await expect(handle.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      expect(await log.verify()).toEqual({ ok: true, rows: 1 });
    });

    describe('reports the first tampered row', () => {
      beforeEach(async () => {
        await appendMany(10);
      });

      it('an edited detail, at that row', async () => {
        await handle.db.exec(asOwner(`UPDATE audit_log SET detail = '{"x": 1}' WHERE seq = 5`));
        expect(await log.verify()).toEqual({
          ok: false,
          firstBadSeq: '5',
          reason: expect.stringMatching(/row edited/),
          rows: 5,
        });
      });

      it('an edited actor, at that row, even with later rows edited too', async () => {
        await handle.db.exec(asOwner(`UPDATE audit_log SET actor = 'mallory' WHERE seq IN (4, 8)`));
        expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: '4' });
      });

      it('a sub-millisecond edit of at, at that row', async () => {
        await handle.db.exec(
          asOwner(`UPDATE audit_log SET at = at + interval '1 microsecond' WHERE seq = 6`),
        );
        expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: '6' });
      });

      it('an edited row with its hash recomputed, at the next row (broken link)', async () => {
        const [row] = await log.list({ afterSeq: '4', limit: 1 });
        const forged = { ...row!, actor: 'mallory', at: row!.at.toISOString() };
        await handle.db.exec(
          asOwner(`UPDATE audit_log SET actor = 'mallory', hash = '${chainHash(forged)}' WHERE seq = 5`),
        );
        expect(await log.verify()).toEqual({
          ok: false,
          firstBadSeq: '6',
          reason: expect.stringMatching(/prev_hash/),
          rows: 6,
        });
      });

      it('a deleted middle row, at the row after it', async () => {
        await handle.db.exec(asOwner('DELETE FROM audit_log WHERE seq = 5'));
        expect(await log.verify()).toMatchObject({
          ok: false,
          firstBadSeq: '6',
          reason: expect.stringMatching(/prev_hash/),
        });
      });

      it('a deleted first row, at the new first row', async () => {
        await handle.db.exec(asOwner('DELETE FROM audit_log WHERE seq = 1'));
        expect(await log.verify()).toMatchObject({
          ok: false,
          firstBadSeq: '2',
          reason: expect.stringMatching(/genesis/),
        });
      });

      it('two rows swapped, at the first of them', async () => {
        await handle.db.exec(
          asOwner(
            'UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3',
          ),
        );
        expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: '3' });
      });
    });

    it('refuses a second row chained to the same previous row', async () => {
      const [row] = await appendMany(2);
      await expect(
        handle.db.query(
          `INSERT INTO audit_log (at, actor, action, prev_hash, hash) VALUES (now(), 'x', 'login', $1, $1)`,
          [row!.hash],
        ),
      ).rejects.toThrow(/unique|duplicate/i);
    });

    it('chains 20 concurrent appends without a fork', async () => {
      const appended = await Promise.all(
        Array.from({ length: 20 }, (_, i) => log.append({ actor: `user${i}`, action: 'fhir.read' })),
      );
      expect(new Set(appended.map((r) => r.seq)).size).toBe(20);
      expect(new Set(appended.map((r) => r.prevHash)).size).toBe(20);
      expect(await log.verify()).toEqual({ ok: true, rows: 20 });
    });

    if (target.name === 'postgres') {
      it('chains appends from two engine processes on one server', async () => {
        const other = await openPostgres({ url: handle.databaseUrl!, schema: handle.schema! });
        try {
          const otherLog = new AuditLog(other);
          await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (i % 2 === 0 ? log : otherLog).append({ actor: `node${i % 2}`, action: 'message.read' }),
            ),
          );
        } finally {
          await other.close();
        }
        expect(await log.verify()).toEqual({ ok: true, rows: 20 });
        expect((await log.list({ actor: 'node1' })).length).toBe(10);
      });
    }

    it('has no column for PHI: content is named by id in target, detail holds ids and codes', async () => {
      const { rows } = await handle.db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_name = 'audit_log' AND table_schema = current_schema() ORDER BY ordinal_position`,
      );
      expect(rows.map((r) => r.column_name)).toEqual([
        'seq',
        'at',
        'actor',
        'actor_role',
        'action',
        'target',
        'remote_address',
        'detail',
        'prev_hash',
        'hash',
      ]);
    });
  });
}
