/**
 * DeliveryQueue over the real SqlMessageStore (PGlite and PostgreSQL). Destinations are small test
 * doubles of the Destination port, scripted per delivery; the queue, store and SQL are real.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import type { RetryPolicy } from '../channels/types.ts';
import type { SqlQueryable } from '../db/sql.ts';
import type {
  DeliveryContext,
  DeliveryOutcome,
  Destination,
  TransactionalDestination,
} from '../destinations/types.ts';
import { SqlMessageStore } from '../store/sql-message-store.ts';
import { ingestRequest, resetMessageTables } from '../store/test-fixtures.ts';
import type { Delivery, MessageStore } from '../store/types.ts';
import { DeliveryQueue, type DeliveryContextLookup, type DeliveryQueueOptions } from './delivery-queue.ts';
import { deferred, waitFor } from '../../test/support/wait.ts';

const RETRY: RetryPolicy = {
  maxAttempts: 5,
  backoff: 'exponential',
  initialDelayMs: 20,
  maxDelayMs: 1000,
  jitter: false,
};

interface Call {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly at: number;
}

type Script = (ctx: DeliveryContext, calls: readonly Call[]) => DeliveryOutcome | Promise<DeliveryOutcome>;

/** A Destination double: answers by script, records every call and any overlap on one delivery. */
class ScriptedDestination implements Destination {
  readonly name = 'out';
  readonly type = 'http' as const;
  readonly calls: Call[] = [];
  readonly inFlight = new Set<string>();
  overlaps = 0;

  constructor(private readonly script: Script) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async deliver(_payload: unknown, ctx: DeliveryContext): Promise<DeliveryOutcome> {
    if (this.inFlight.has(ctx.deliveryId)) this.overlaps++;
    this.inFlight.add(ctx.deliveryId);
    this.calls.push({ deliveryId: ctx.deliveryId, attempt: ctx.attempt, at: Date.now() });
    try {
      return await this.script(ctx, this.calls);
    } finally {
      this.inFlight.delete(ctx.deliveryId);
    }
  }

  callsOf(id: string): Call[] {
    return this.calls.filter((c) => c.deliveryId === id);
  }
}

const ok: DeliveryOutcome = { ok: true, response: 'AA' };
const transient: DeliveryOutcome = { ok: false, error: 'connection refused', errorClass: 'transient' };
const permanent: DeliveryOutcome = { ok: false, error: 'AR: unknown patient', errorClass: 'permanent' };

for (const target of await testDatabases()) {
  describe(`DeliveryQueue on ${target.name}`, () => {
    let handle: TestDbHandle;
    let store: SqlMessageStore;
    const queues: DeliveryQueue[] = [];
    const unexpectedErrors: unknown[] = [];
    const lookup: DeliveryContextLookup = async (messageId) => {
      const m = await store.get(messageId);
      return { controlId: m!.controlId!, messageType: m!.messageType!, triggerEvent: m!.triggerEvent! };
    };

    beforeAll(async () => {
      handle = await target.open();
      store = new SqlMessageStore(handle.db);
      await handle.db.exec('CREATE TABLE IF NOT EXISTS queue_test_writes (delivery_id bigint NOT NULL)');
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await resetMessageTables(handle.db, 'queue_test_writes');
    });
    afterEach(async () => {
      for (const q of queues.splice(0)) await q.stop();
      expect(unexpectedErrors.splice(0)).toEqual([]);
    });

    function queue(
      destination: Destination,
      options: Partial<DeliveryQueueOptions> = {},
      deps: { store?: MessageStore; lookup?: DeliveryContextLookup; onError?: (err: unknown) => void } = {},
    ): DeliveryQueue {
      const q = new DeliveryQueue(deps.store ?? store, handle.db, deps.lookup ?? lookup, {
        channelId: 'ch',
        destination,
        retry: RETRY,
        concurrency: 4,
        ...options,
      });
      q.on('error', deps.onError ?? ((err) => unexpectedErrors.push(err)));
      queues.push(q);
      return q;
    }

    /** One processed message per partition key, each with one delivery to ch/out; ids in order. */
    async function queued(keys: readonly (string | null)[], maxAttempts = RETRY.maxAttempts) {
      const results = await store.ingest(keys.map((partitionKey) => ingestRequest({ partitionKey })));
      const ids: string[] = [];
      for (const r of results) {
        const payload = Buffer.from(`payload of ${r.messageId}`);
        const d = { channelId: 'ch', destination: 'out', payload, contentType: 'text/plain', maxAttempts };
        expect(await store.completeProcessing(r.messageId, 'processed', [], [d])).toBe(true);
        ids.push((await store.deliveries(r.messageId))[0]!.id);
      }
      return ids;
    }

    async function delivery(id: string): Promise<Delivery> {
      const { rows } = await handle.db.query<{ message_id: string }>(
        'SELECT message_id::text AS message_id FROM deliveries WHERE id = $1',
        [id],
      );
      return (await store.deliveries(rows[0]!.message_id)).find((d) => d.id === id)!;
    }

    const settled = (id: string) => async () => (await delivery(id)).status !== 'queued';

    it('retries a transient failure with the policy backoff, then sends', async () => {
      const [id] = await queued(['P']);
      const dest = new ScriptedDestination((ctx) => (ctx.attempt <= 2 ? transient : ok));
      const q = queue(dest);
      const retryAts: Array<number | null> = [];
      q.on('failed', (_d, _e, retryAt) => retryAts.push(retryAt?.getTime() ?? null));
      q.start();
      await waitFor(settled(id!), 'the delivery to be sent');

      const d = await delivery(id!);
      expect(d.status).toBe('sent');
      expect(d.attempts).toBe(3);
      const attempts = await store.attempts(id!);
      expect(attempts.map((a) => [a.attempt, a.ok, a.error])).toEqual([
        [1, false, 'connection refused'],
        [2, false, 'connection refused'],
        [3, true, null],
      ]);
      expect(attempts[2]!.response).toBe('AA');
      const [c1, c2, c3] = dest.calls;
      expect([c1, c2, c3].map((c) => c!.attempt)).toEqual([1, 2, 3]);
      // Exponential, no jitter: 20 ms then 40 ms (timers may fire late, never early).
      expect(c2!.at - c1!.at).toBeGreaterThanOrEqual(19);
      expect(c3!.at - c2!.at).toBeGreaterThanOrEqual(39);
      expect(retryAts.every((t) => t !== null)).toBe(true);
    });

    it('dead-letters when maxAttempts is spent, with every attempt logged', async () => {
      const [id] = await queued(['P'], 3);
      const dest = new ScriptedDestination(() => transient);
      const q = queue(dest);
      const retryAts: Array<Date | null> = [];
      q.on('failed', (_d, _e, retryAt) => retryAts.push(retryAt));
      q.start();
      await waitFor(settled(id!), 'the delivery to be dead-lettered');

      const d = await delivery(id!);
      expect(d.status).toBe('error');
      expect(d.attempts).toBe(3);
      expect(d.lastError).toBe('connection refused');
      expect((await store.attempts(id!)).map((a) => [a.attempt, a.ok])).toEqual([
        [1, false],
        [2, false],
        [3, false],
      ]);
      expect(retryAts.map((r) => r === null)).toEqual([false, false, true]);
      expect(dest.calls).toHaveLength(3);
    });

    it('dead-letters a permanent failure at once', async () => {
      const [id, next] = await queued(['P', 'P']);
      const dest = new ScriptedDestination((ctx) => (ctx.deliveryId === id ? permanent : ok));
      queue(dest).start();
      await waitFor(settled(next!), 'the next delivery of the partition');

      const d = await delivery(id!);
      expect(d.status).toBe('error');
      expect(d.attempts).toBe(1);
      expect((await store.attempts(id!)).map((a) => [a.ok, a.error])).toEqual([
        [false, 'AR: unknown patient'],
      ]);
      // A dead-lettered head no longer holds its partition back.
      expect((await delivery(next!)).status).toBe('sent');
    });

    it('holds a partition behind its retrying head while other partitions are delivered', async () => {
      const [p1, p2, q1, p3] = await queued(['P', 'P', 'Q', 'P']);
      const sent: string[] = [];
      // p1 fails until q1 went out: Q must not wait for P.
      const dest = new ScriptedDestination((ctx) =>
        ctx.deliveryId === p1 && !sent.includes(q1!) ? transient : ok,
      );
      const q = queue(dest);
      q.on('sent', (d) => sent.push(d.id));
      q.start();
      await waitFor(settled(p3!), 'the last delivery of P');

      expect(sent.indexOf(q1!)).toBeLessThan(sent.indexOf(p1!));
      expect(sent.filter((id) => id !== q1)).toEqual([p1, p2, p3]);
      const firstCallOf = (id: string) => dest.calls.findIndex((c) => c.deliveryId === id);
      const lastCallOfP1 = dest.calls.map((c) => c.deliveryId).lastIndexOf(p1!);
      expect(firstCallOf(p2!)).toBeGreaterThan(lastCallOfP1);
      expect(dest.callsOf(p1!).length).toBeGreaterThanOrEqual(2);
      expect(dest.callsOf(q1!)).toHaveLength(1);
    });

    it('sends nothing while paused, and everything after resume()', async () => {
      const dest = new ScriptedDestination(() => ok);
      const q = queue(dest);
      q.start();
      q.pause();
      expect(q.isPaused).toBe(true);
      const ids = await queued(['A', 'B', null]);
      q.kick();
      // Everything is due now; a paused queue must not have touched any of it.
      expect((await store.dueDeliveries('ch', 'out', new Date(), 10)).map((d) => d.id)).toEqual(ids);
      expect(dest.calls).toEqual([]);
      q.resume();
      await q.drain();
      expect(dest.calls.map((c) => c.deliveryId).sort()).toEqual([...ids].sort());
      for (const id of ids) expect((await delivery(id)).status).toBe('sent');
    });

    it('rolls back what a transactional destination wrote when it throws; the delivery stays queued', async () => {
      const [id] = await queued(['P']);
      let fail = true;
      const calls: number[] = [];
      const dest: TransactionalDestination = {
        name: 'out',
        type: 'fhir-store',
        transactional: true,
        start: async () => undefined,
        stop: async () => undefined,
        deliver: async () => {
          throw new Error('a transactional destination is written through deliverInTransaction');
        },
        async deliverInTransaction(tx: SqlQueryable, _payload, ctx) {
          calls.push(ctx.attempt);
          await tx.query('INSERT INTO queue_test_writes (delivery_id) VALUES ($1)', [ctx.deliveryId]);
          if (fail) throw new Error('constraint violated after writing');
          return { ok: true, response: 'written' };
        },
      };
      const q = queue(dest, { retry: { ...RETRY, initialDelayMs: 60_000, maxDelayMs: 60_000 } });
      const failed = new Promise<Date | null>((resolve) =>
        q.on('failed', (_d, _e, retryAt) => resolve(retryAt)),
      );
      q.start();
      const retryAt = await failed;

      const writes = () => handle.db.query('SELECT delivery_id FROM queue_test_writes');
      expect((await writes()).rows).toEqual([]);
      let d = await delivery(id!);
      expect(d.status).toBe('queued');
      expect(d.attempts).toBe(1);
      expect(d.lastError).toBe('constraint violated after writing');
      expect(d.nextAttemptAt.getTime()).toBe(retryAt!.getTime());
      expect((await store.attempts(id!)).map((a) => a.ok)).toEqual([false]);

      fail = false;
      expect(await store.requeueDelivery(id!)).toBe(false); // still queued: only its time changes
      await handle.db.query('UPDATE deliveries SET next_attempt_at = now() WHERE id = $1', [id]);
      q.kick();
      await waitFor(settled(id!), 'the second attempt');
      d = await delivery(id!);
      expect(d.status).toBe('sent');
      expect((await writes()).rows).toHaveLength(1);
      expect(calls).toEqual([1, 2]);
    });

    it('drain() resolves once nothing is due, leaving future retries scheduled', async () => {
      const dest = new ScriptedDestination((ctx) => (ctx.deliveryId === slow ? transient : ok));
      const q = queue(dest, { retry: { ...RETRY, initialDelayMs: 60_000, maxDelayMs: 60_000 } });
      q.start();
      await q.drain(); // nothing queued at all
      const ids = await queued(['A', 'A', 'B', null, null]);
      const slow = ids[2];
      q.kick();
      await q.drain();
      const statuses = await Promise.all(ids.map(async (id) => (await delivery(id)).status));
      expect(statuses).toEqual(['sent', 'sent', 'queued', 'sent', 'sent']);
      expect(await store.dueDeliveries('ch', 'out', new Date(), 10)).toEqual([]);
      expect((await store.nextDeliveryDueAt('ch', 'out'))!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    });

    it('stop() waits for the attempt in flight', async () => {
      const [id] = await queued(['P']);
      const gate = deferred();
      const dest = new ScriptedDestination(async () => {
        await gate.promise;
        return ok;
      });
      const q = queue(dest);
      q.start();
      await waitFor(() => dest.calls.length === 1, 'the attempt');
      const log: string[] = [];
      q.on('sent', () => log.push('sent'));
      const stopped = q.stop().then(() => log.push('stopped'));
      gate.resolve();
      await stopped;
      expect(log).toEqual(['sent', 'stopped']);
      expect((await delivery(id!)).status).toBe('sent');
    });

    it('never hands a delivery out again while its attempt is in flight, even when another attempt fails', async () => {
      const [a, b] = await queued(['A', 'B']);
      const bMessage = (await delivery(b!)).messageId;
      const gate = deferred();
      const dest = new ScriptedDestination(async (ctx) => {
        if (ctx.deliveryId === a) await gate.promise;
        return ok;
      });
      let lookupFailures = 0;
      const failsOnceForB: DeliveryContextLookup = async (messageId) => {
        if (messageId === bMessage && lookupFailures++ === 0) throw new Error('connection reset');
        return lookup(messageId);
      };
      let dueReadsWhileAInFlight = 0;
      // The real store, watched: dueDeliveries does not claim rows, so reading while a is in flight hands it out again.
      const watched: MessageStore = Object.create(store, {
        dueDeliveries: {
          value: (...args: Parameters<MessageStore['dueDeliveries']>) => {
            if (dest.inFlight.has(a!)) dueReadsWhileAInFlight++;
            return store.dueDeliveries(...args);
          },
        },
      }) as MessageStore;
      const errors: unknown[] = [];
      const q = queue(dest, {}, { store: watched, lookup: failsOnceForB, onError: (e) => errors.push(e) });
      q.start();
      await waitFor(() => dest.inFlight.has(a!) && lookupFailures === 1, 'a in flight and b failed');
      // Not a timed wait: lets the microtasks that follow b's failure run before the kick.
      await new Promise((r) => setImmediate(r));
      q.kick();
      const readsBeforeRelease = dueReadsWhileAInFlight;
      gate.resolve();
      await waitFor(settled(b!), 'b after its failed lookup');
      await q.drain();

      expect(readsBeforeRelease).toBe(0);
      expect(dest.overlaps).toBe(0);
      expect(dest.callsOf(a!)).toHaveLength(1);
      expect(dest.callsOf(b!)).toHaveLength(1);
      expect((await delivery(a!)).status).toBe('sent');
      expect((await delivery(b!)).status).toBe('sent');
      expect(errors.map(String)).toEqual(['Error: connection reset']);
    });

    it('delivers each delivery once, in partition order, under random failures, delays and kicks', async () => {
      const keys = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? null : `P${i % 5}`));
      const ids = await queued(keys, 1000);
      const keyOf = new Map(ids.map((id, i) => [id, keys[i]!]));
      const firstOk: string[] = [];
      const dest = new ScriptedDestination(async (ctx) => {
        await new Promise((r) => setTimeout(r, Math.random() * 4));
        if (Math.random() < 0.2) return transient;
        firstOk.push(ctx.deliveryId);
        return ok;
      });
      const flakyLookup: DeliveryContextLookup = async (messageId) => {
        if (Math.random() < 0.15) throw new Error('store hiccup');
        return lookup(messageId);
      };
      const q = queue(
        dest,
        { retry: { ...RETRY, initialDelayMs: 1, maxDelayMs: 4, maxAttempts: 1000 } },
        { lookup: flakyLookup, onError: () => undefined },
      );
      const kicker = setInterval(() => q.kick(), 1);
      try {
        q.start();
        await waitFor(
          async () => (await store.counts()).deliveriesByStatus.sent === ids.length,
          'every delivery to be sent',
          20_000,
        );
      } finally {
        clearInterval(kicker);
      }
      expect(dest.overlaps).toBe(0);
      expect([...firstOk].sort()).toEqual([...ids].sort());
      for (const key of new Set(keys)) {
        if (key === null) continue;
        const order = firstOk.filter((id) => keyOf.get(id) === key);
        expect(order).toEqual(ids.filter((id) => keyOf.get(id) === key));
      }
    });

    it('does not lose a kick that arrives while the loop plans its next wake-up', async () => {
      const dest = new ScriptedDestination(() => ok);
      let armed = true;
      const planned = deferred();
      const hold = deferred();
      const watched: MessageStore = Object.create(store, {
        nextDeliveryDueAt: {
          value: async (channelId: string, destination: string) => {
            const next = await store.nextDeliveryDueAt(channelId, destination);
            if (armed) {
              armed = false;
              planned.resolve();
              await hold.promise;
            }
            return next;
          },
        },
      }) as MessageStore;
      const q = queue(dest, { pollIntervalMs: 60_000 }, { store: watched });
      q.start();
      await planned.promise; // the loop found nothing due, and nothing queued at all
      const [id] = await queued(['P']);
      q.kick();
      hold.resolve();
      await waitFor(settled(id!), 'the kicked delivery', 3000);
      expect((await delivery(id!)).status).toBe('sent');
    });

    it('finds a delivery requeued in the store without a kick (safety-net poll)', async () => {
      const [id] = await queued(['P'], 1);
      let healthy = false;
      const dest = new ScriptedDestination(() => (healthy ? ok : permanent));
      queue(dest, { pollIntervalMs: 20 }).start();
      await waitFor(settled(id!), 'the dead-letter');
      expect((await delivery(id!)).status).toBe('error');
      healthy = true;
      expect(await store.requeueDelivery(id!)).toBe(true);
      await waitFor(async () => (await delivery(id!)).status === 'sent', 'the poll to send it');
      expect((await store.attempts(id!)).map((a) => a.ok)).toEqual([false, true]);
    });
  });
}
