import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient, SqlQueryable } from '../db/sql.ts';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { GroupCommitIngestor } from './group-commit.ts';
import { SqlMessageStore } from './sql-message-store.ts';
import { ingestRequest } from './test-fixtures.ts';
import type { IngestRequest, MessageStore } from './types.ts';

/** While `state.failing`, every transaction fails after its statements ran (as a lost COMMIT would). */
function failingClient(db: SqlClient, state: { failing: boolean }): SqlClient {
  const client: SqlClient = {
    kind: db.kind,
    forIngest: () => client,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    transaction: <T>(fn: (tx: SqlQueryable) => Promise<T>) =>
      db.transaction(async (tx) => {
        const result = await fn(tx);
        if (state.failing) throw new Error('connection lost');
        return result;
      }),
  };
  return client;
}

for (const target of await testDatabases()) {
  describe(`GroupCommitIngestor on ${target.name}`, () => {
    let handle: TestDbHandle;
    beforeAll(async () => {
      handle = await target.open();
    });
    afterAll(async () => {
      await handle.close();
    });

    async function messageCount(): Promise<number> {
      const { rows } = await handle.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
      return rows[0]!.n;
    }

    it('shares transactions among 200 concurrent callers, each getting its own result', async () => {
      const store = new SqlMessageStore(handle.db);
      let transactions = 0;
      const counting: Pick<MessageStore, 'ingest'> = {
        ingest(requests) {
          transactions += 1;
          return store.ingest(requests);
        },
      };
      const ingestor = new GroupCommitIngestor(counting, { maxBatch: 64 });
      const requests: IngestRequest[] = Array.from({ length: 200 }, () => ingestRequest());
      // callers arrive over many event-loop turns, as socket reads do
      const pending = [];
      for (const [i, req] of requests.entries()) {
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
        pending.push(ingestor.ingest(req));
      }
      const results = await Promise.all(pending);
      expect(transactions).toBeLessThan(50);
      expect(ingestor.stats.requests).toBe(200);
      expect(new Set(results.map((r) => r.messageId)).size).toBe(200);
      for (const [i, result] of results.entries()) {
        expect(result.ack.equals(requests[i]!.ack)).toBe(true);
        expect((await store.get(result.messageId))!.raw.equals(requests[i]!.raw)).toBe(true);
      }
    });

    it('commits nothing of a failed batch, rejects all of it, and the next batch works', async () => {
      const state = { failing: true };
      const ingestor = new GroupCommitIngestor(new SqlMessageStore(failingClient(handle.db, state)));
      const before = await messageCount();
      const failed = await Promise.allSettled(
        Array.from({ length: 5 }, () => ingestor.ingest(ingestRequest())),
      );
      expect(failed.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'ok'))).toEqual(
        Array(5).fill('connection lost'),
      );
      expect(await messageCount()).toBe(before);
      state.failing = false;
      const ok = await Promise.all(Array.from({ length: 5 }, () => ingestor.ingest(ingestRequest())));
      expect(ok).toHaveLength(5);
      expect(await messageCount()).toBe(before + 5);
      expect(ingestor.stats).toMatchObject({ batches: 2, failedBatches: 1 });
    });
  });
}
