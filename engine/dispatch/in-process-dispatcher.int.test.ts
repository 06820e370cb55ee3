/**
 * InProcessDispatcher over the real SqlMessageStore (PGlite and PostgreSQL): per-partition order,
 * parallelism across partitions, retry of failed handlers, the recovery sweep, drain and stop.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { SqlMessageStore } from '../store/sql-message-store.ts';
import { ingestRequest, resetMessageTables } from '../store/test-fixtures.ts';
import type { MessageStore } from '../store/types.ts';
import { InProcessDispatcher } from './in-process-dispatcher.ts';
import type { DispatchItem } from './types.ts';
import { deferred, waitFor } from '../../test/support/wait.ts';

/** Fails instead of hanging the suite when the dispatcher never gets there. */
async function within<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

for (const target of await testDatabases()) {
  describe(`InProcessDispatcher on ${target.name}`, () => {
    let handle: TestDbHandle;
    let store: SqlMessageStore;
    const dispatchers: InProcessDispatcher[] = [];

    beforeAll(async () => {
      handle = await target.open();
      store = new SqlMessageStore(handle.db);
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await resetMessageTables(handle.db);
    });
    afterEach(async () => {
      for (const d of dispatchers.splice(0)) await d.stop();
    });

    function dispatcher(
      options: ConstructorParameters<typeof InProcessDispatcher>[1],
      on: MessageStore = store,
    ) {
      const d = new InProcessDispatcher(on, { sweepIntervalMs: 60_000, ...options });
      dispatchers.push(d);
      return d;
    }

    /** Ingests one received message per key; returns the items in id order. */
    async function ingest(keys: readonly (string | null)[]): Promise<DispatchItem[]> {
      const results = await store.ingest(keys.map((partitionKey) => ingestRequest({ partitionKey })));
      return results.map((r, i) => ({ messageId: r.messageId, partitionKey: keys[i]! }));
    }

    const complete = async (id: string) => {
      expect(await store.completeProcessing(id, 'processed', [], [])).toBe(true);
    };

    it('keeps each partition in id order under random handler times, partitions in parallel', async () => {
      const keys: Array<string | null> = Array.from({ length: 40 }, (_, i) => `P${i % 5}`);
      for (let i = 0; i < 6; i++) keys.splice(i * 7, 0, null);
      const d = dispatcher({ concurrency: 4 });
      const started: DispatchItem[] = [];
      const runningKeys = new Set<string>();
      let running = 0;
      let maxRunning = 0;
      let overlaps = 0;
      const key = new Map<string, string | null>();
      await d.start(async (id) => {
        const k = key.get(id) ?? null;
        started.push({ messageId: id, partitionKey: k });
        if (k !== null && runningKeys.has(k)) overlaps++;
        if (k !== null) runningKeys.add(k);
        maxRunning = Math.max(maxRunning, ++running);
        await new Promise((r) => setTimeout(r, Math.random() * 8));
        await complete(id);
        running--;
        if (k !== null) runningKeys.delete(k);
      });
      const items = await ingest(keys);
      for (const item of items) key.set(item.messageId, item.partitionKey);
      for (const item of items) d.notify(item);
      await d.drain();

      expect(started.map((s) => s.messageId).sort(byId)).toEqual(items.map((i) => i.messageId));
      for (const k of new Set(keys)) {
        if (k === null) continue;
        const order = started.filter((s) => s.partitionKey === k).map((s) => s.messageId);
        expect(order).toEqual([...order].sort(byId));
        expect(order).toHaveLength(8);
      }
      expect(overlaps).toBe(0);
      expect(maxRunning).toBeGreaterThan(1);
      expect(maxRunning).toBeLessThanOrEqual(4);
      expect((await store.counts()).byStatus.processed).toBe(46);
      expect(d.pending).toBe(0);
    });

    it('runs messages without a partition key independently of each other', async () => {
      const [m1, m2, k1, k2] = await ingest([null, null, 'K', 'K']);
      const gates = new Map([
        [m1!.messageId, deferred()],
        [k1!.messageId, deferred()],
      ]);
      const started: string[] = [];
      const done: string[] = [];
      const d = dispatcher({ concurrency: 4 });
      await d.start(async (id) => {
        started.push(id);
        await gates.get(id)?.promise;
        await complete(id);
        done.push(id);
      });
      // start() swept all four; m1 and k1 hang in their handlers.
      await waitFor(() => done.includes(m2!.messageId), 'the second unkeyed message');
      expect(done).not.toContain(m1!.messageId);
      expect(started).not.toContain(k2!.messageId);
      for (const g of gates.values()) g.resolve();
      await d.drain();
      expect(started.indexOf(k2!.messageId)).toBeGreaterThan(started.indexOf(k1!.messageId));
      expect(done.indexOf(k2!.messageId)).toBeGreaterThan(done.indexOf(k1!.messageId));
    });

    it('retries a failing handler later; its partition waits, other partitions go on', async () => {
      const [p1, p2, p3, q1, q2] = await ingest(['P', 'P', 'P', 'Q', 'Q']);
      const log: string[] = [];
      const names = new Map(
        [p1, p2, p3, q1, q2].map((m, i) => [m!.messageId, ['p1', 'p2', 'p3', 'q1', 'q2'][i]!]),
      );
      const errors: Array<{ item: DispatchItem; retryInMs: number }> = [];
      const d = dispatcher({ concurrency: 4, retryBaseMs: 5 });
      d.on('handlerError', (item, _err, retryInMs) => {
        errors.push({ item, retryInMs });
      });
      let p1Failures = 0;
      await d.start(async (id) => {
        const name = names.get(id)!;
        // p1 fails at least twice, and until Q is done: Q must not wait for P.
        if (name === 'p1' && (p1Failures < 2 || !log.includes('q2 ok'))) {
          p1Failures++;
          log.push('p1 fail');
          throw new Error('downstream busy');
        }
        await complete(id);
        log.push(`${name} ok`);
      });
      await d.drain();

      const p = log.filter((l) => l.startsWith('p'));
      expect(p.slice(-3)).toEqual(['p1 ok', 'p2 ok', 'p3 ok']);
      expect(p.slice(0, -3).every((l) => l === 'p1 fail')).toBe(true);
      expect(p1Failures).toBeGreaterThanOrEqual(2);
      expect(log.indexOf('q2 ok')).toBeLessThan(log.indexOf('p1 ok'));
      expect(errors.length).toBe(p1Failures);
      expect(errors.every((e) => e.item.messageId === p1!.messageId && e.item.partitionKey === 'P')).toBe(
        true,
      );
      expect(errors.slice(0, 2).map((e) => e.retryInMs)).toEqual([5, 10]);
      expect((await store.get(p3!.messageId))!.status).toBe('processed');
    });

    it('leaves a failed message received in the store until its retry succeeds', async () => {
      const [m] = await ingest(['P']);
      let calls = 0;
      const statusAtRetry: string[] = [];
      const d = dispatcher({ concurrency: 1, retryBaseMs: 5 });
      await d.start(async (id) => {
        calls++;
        if (calls === 1) throw new Error('first try fails');
        statusAtRetry.push((await store.get(id))!.status);
        await complete(id);
      });
      await d.drain();
      expect(calls).toBe(2);
      expect(statusAtRetry).toEqual(['received']);
      expect((await store.get(m!.messageId))!.status).toBe('processed');
    });

    it('start() picks up messages already received (recovery sweep), and later sweeps find unannounced ones', async () => {
      const before = await ingest(['A', null, 'A']);
      const seen: string[] = [];
      const d = dispatcher({ concurrency: 2, sweepIntervalMs: 20 });
      await d.start(async (id) => {
        seen.push(id);
        await complete(id);
      });
      await d.drain();
      expect([...seen].sort(byId)).toEqual(before.map((m) => m.messageId));
      expect(seen.indexOf(before[2]!.messageId)).toBeGreaterThan(seen.indexOf(before[0]!.messageId));

      const [silent] = await ingest(['B']); // committed, but nobody calls notify()
      await waitFor(() => seen.includes(silent!.messageId), 'the periodic sweep');
      await d.drain();
      expect((await store.get(silent!.messageId))!.status).toBe('processed');
    });

    it('drain() resolves at once when idle, and after the running handler otherwise', async () => {
      const d = dispatcher({ concurrency: 2 });
      const gate = deferred();
      const log: string[] = [];
      let idleEvents = 0;
      d.on('idle', () => idleEvents++);
      await d.start(async (id) => {
        await gate.promise;
        await complete(id);
        log.push('handled');
      });
      await d.drain();
      expect(d.pending).toBe(0);

      const [m] = await ingest(['X']);
      d.notify(m!);
      expect(d.pending).toBe(1);
      const drained = d.drain().then(() => log.push('drained'));
      gate.resolve();
      await drained;
      expect(log).toEqual(['handled', 'drained']);
      expect(d.pending).toBe(0);
      expect(idleEvents).toBeGreaterThanOrEqual(1);
    });

    it('stop() waits for running handlers and takes no new work', async () => {
      const d = dispatcher({ concurrency: 2 });
      const gate = deferred();
      const log: string[] = [];
      const [m1, m2] = await ingest(['S', 'T']);
      await d.start(async (id) => {
        log.push(`start ${id}`);
        await gate.promise;
        await complete(id);
        log.push(`end ${id}`);
      });
      await waitFor(() => log.length === 2, 'both handlers to start');
      const stopped = d.stop().then(() => log.push('stopped'));
      gate.resolve();
      await stopped;
      expect(log.slice(2).sort()).toEqual([`end ${m1!.messageId}`, `end ${m2!.messageId}`, 'stopped'].sort());
      expect(log.at(-1)).toBe('stopped');

      const [late] = await ingest(['S']);
      d.notify(late!);
      expect(d.pending).toBe(0);
      expect(log.some((l) => l.includes(late!.messageId))).toBe(false);
    });

    it('runs work that was queued behind a running handler when started again after stop()', async () => {
      const d = dispatcher({ concurrency: 1 });
      const gate = deferred();
      const handled: string[] = [];
      const handler = async (id: string) => {
        await gate.promise;
        await complete(id);
        handled.push(id);
      };
      const [a, b] = await ingest(['R', 'R']);
      await d.start(handler);
      await waitFor(() => d.pending === 2, 'both messages queued');
      const stopped = d.stop();
      gate.resolve();
      await stopped;
      expect(handled).toEqual([a!.messageId]);
      await d.start(handler);
      await within(d.drain(), 'the queued message after restart');
      expect(handled).toEqual([a!.messageId, b!.messageId]);
    });

    it('does not run a completed message again when a sweep read it before it completed', async () => {
      let armed = false;
      const sweepRead = deferred();
      const sweepGate = deferred();
      // The real store; only the sweep's read is held back after it returned its rows.
      const slowSweep: MessageStore = Object.create(store, {
        listReceived: {
          value: async (afterId: string | null, limit: number) => {
            const rows = await store.listReceived(afterId, limit);
            if (armed) {
              sweepRead.resolve();
              await sweepGate.promise;
            }
            return rows;
          },
        },
      }) as MessageStore;
      const runs: string[] = [];
      const d = dispatcher({ concurrency: 2 }, slowSweep);
      await d.start(async (id) => {
        runs.push(id);
        await store.completeProcessing(id, 'processed', [], []);
      });
      const [m] = await ingest(['D']);
      armed = true;
      const sweep = d.sweep();
      await sweepRead.promise; // the sweep saw m as received
      d.notify(m!);
      await waitFor(() => runs.length === 1, 'the handler');
      await waitFor(async () => (await store.get(m!.messageId))!.status === 'processed', 'completion');
      sweepGate.resolve();
      await sweep;
      await within(d.drain(), 'idle');
      expect(runs).toEqual([m!.messageId]);
    });

    it('does not let a later retry timer delay an earlier one', async () => {
      const log: string[] = [];
      let aId = '';
      let aRuns = 0;
      let bRuns = 0;
      const d = dispatcher({ concurrency: 2, retryBaseMs: 10 });
      const aFailedFiveTimes = deferred();
      d.on('handlerError', (item) => {
        if (item.messageId === aId && aRuns === 5) aFailedFiveTimes.resolve();
      });
      await d.start(async (id) => {
        if (id === aId) {
          aRuns++;
          log.push(`a${aRuns}`);
          // Fails five times: the wake-up timer is then 160 ms away.
          if (aRuns <= 5) throw new Error('a fails');
        } else {
          bRuns++;
          log.push(`b${bRuns}`);
          if (bRuns === 1) throw new Error('b fails once, retry in 10 ms');
        }
        await complete(id);
      });
      // Both committed now; b is announced only once a's wake-up timer is set.
      const [a, b] = await ingest(['A', 'B']);
      aId = a!.messageId;
      d.notify(a!);
      await aFailedFiveTimes.promise;
      d.notify(b!);
      await d.drain();
      expect(log.indexOf('b2')).toBeGreaterThan(-1);
      expect(log.indexOf('b2')).toBeLessThan(log.indexOf('a6'));
    });
  });
}
