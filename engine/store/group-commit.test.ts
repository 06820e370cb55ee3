import { describe, expect, it } from 'vitest';
import { GroupCommitIngestor } from './group-commit.ts';
import { ingestRequest } from './test-fixtures.ts';
import type { IngestRequest, IngestResult, MessageStore } from './types.ts';

/** A store whose commits finish only when the test says so. */
function gatedStore() {
  const batches: IngestRequest[][] = [];
  const gates: (() => void)[] = [];
  let fail: Error | null = null;
  const store: Pick<MessageStore, 'ingest'> = {
    async ingest(requests) {
      batches.push([...requests]);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (fail) throw fail;
      return requests.map((r, i): IngestResult => ({
        messageId: String(batches.length * 1000 + i),
        duplicateOf: null,
        ack: r.ack,
        ackCode: r.ackCode,
      }));
    },
  };
  return {
    store,
    batches,
    failWith(err: Error | null) {
      fail = err;
    },
    /** Waits until `n` batches have reached the store, then lets the oldest one commit. */
    async release(n: number) {
      while (batches.length < n || gates.length === 0) await new Promise((r) => setImmediate(r));
      gates.shift()!();
    },
  };
}

describe('GroupCommitIngestor', () => {
  it('queues requests made during a commit and sends them together in the next batch', async () => {
    const gated = gatedStore();
    const ingestor = new GroupCommitIngestor(gated.store);
    const first = ingestor.ingest(ingestRequest());
    await new Promise((r) => setImmediate(r));
    expect(gated.batches).toHaveLength(1);
    const rest = Array.from({ length: 10 }, () => ingestRequest());
    const restResults = rest.map((r) => ingestor.ingest(r));
    await gated.release(1);
    await gated.release(2);
    await first;
    const results = await Promise.all(restResults);
    expect(gated.batches.map((b) => b.length)).toEqual([1, 10]);
    expect(results.map((r) => r.ack)).toEqual(rest.map((r) => r.ack));
    expect(ingestor.stats).toEqual({ batches: 2, requests: 11, failedBatches: 0, largestBatch: 10 });
  });

  it('splits a backlog into batches of at most maxBatch', async () => {
    const gated = gatedStore();
    const ingestor = new GroupCommitIngestor(gated.store, { maxBatch: 4 });
    const all = Promise.all(Array.from({ length: 10 }, () => ingestor.ingest(ingestRequest())));
    for (let n = 1; n <= 3; n += 1) await gated.release(n);
    await all;
    expect(gated.batches.map((b) => b.length)).toEqual([4, 4, 2]);
  });

  it('rejects every request of a failed batch and goes on with the next', async () => {
    const gated = gatedStore();
    const ingestor = new GroupCommitIngestor(gated.store);
    gated.failWith(new Error('disk full'));
    const failed = Array.from({ length: 3 }, () => ingestor.ingest(ingestRequest()));
    const settled = Promise.allSettled(failed);
    await gated.release(1);
    expect(
      (await settled).map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'ok')),
    ).toEqual(['disk full', 'disk full', 'disk full']);
    gated.failWith(null);
    const next = ingestor.ingest(ingestRequest());
    await gated.release(2);
    expect((await next).messageId).toBe('2000');
    expect(ingestor.stats.failedBatches).toBe(1);
  });

  it('refuses a malformed request alone instead of failing its batch', async () => {
    const gated = gatedStore();
    const ingestor = new GroupCommitIngestor(gated.store);
    const bad = ingestor.ingest({ ...ingestRequest(), dedupWindowSeconds: Number.NaN });
    const good = ingestor.ingest(ingestRequest());
    await expect(bad).rejects.toThrow(/dedupWindowSeconds/);
    await gated.release(1);
    expect((await good).duplicateOf).toBeNull();
    expect(gated.batches.map((b) => b.length)).toEqual([1]);
  });

  it('rejects the batch when the store answers the wrong number of results', async () => {
    const ingestor = new GroupCommitIngestor({ ingest: async () => [] });
    await expect(ingestor.ingest(ingestRequest())).rejects.toThrow(/0 results for a batch of 1/);
  });

  it('close waits for queued requests and refuses new ones', async () => {
    const gated = gatedStore();
    const ingestor = new GroupCommitIngestor(gated.store);
    const queued = ingestor.ingest(ingestRequest());
    const closed = ingestor.close();
    await expect(ingestor.ingest(ingestRequest())).rejects.toThrow(/closed/);
    await gated.release(1);
    await closed;
    expect((await queued).messageId).toBe('1000');
  });

  it('rejects a maxBatch that is not a positive integer', () => {
    expect(() => new GroupCommitIngestor(gatedStore().store, { maxBatch: 0 })).toThrow(RangeError);
  });
});
