import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { DeliveryNotQueuedError } from './errors.ts';
import { SqlMessageStore } from './sql-message-store.ts';
import { ingestRequest, resetMessageTables } from './test-fixtures.ts';
import type { NewDelivery } from './types.ts';

const HOUR = 3_600_000;
const later = () => new Date(Date.now() + 1000);

function delivery(destination = 'out', channelId = 'ch'): NewDelivery {
  return {
    channelId,
    destination,
    payload: Buffer.from([0, 1, 0xfe, 0xff]),
    contentType: 'x-application/hl7-v2',
    maxAttempts: 5,
  };
}

for (const target of await testDatabases()) {
  describe(`SqlMessageStore on ${target.name}`, () => {
    let handle: TestDbHandle;
    let store: SqlMessageStore;

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

    /** One received message per partition key, processed with one delivery to ch/out each. */
    async function queued(partitionKeys: readonly (string | null)[], destination = 'out') {
      const results = await store.ingest(
        partitionKeys.map((partitionKey) => ingestRequest({ partitionKey })),
      );
      const ids: string[] = [];
      for (const r of results) {
        expect(await store.completeProcessing(r.messageId, 'processed', [], [delivery(destination)])).toBe(
          true,
        );
        ids.push((await store.deliveries(r.messageId))[0]!.id);
      }
      return ids;
    }

    describe('ingest', () => {
      it('keeps raw and ack bytes exactly, including NUL and bytes that are not UTF-8', async () => {
        const raw = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
        const req = { ...ingestRequest({ raw }), ack: Buffer.from([0x0b, 0xc3, 0x28, 0x00, 0x1c, 0x0d]) };
        const [result] = await store.ingest([req]);
        const stored = await store.get(result!.messageId);
        expect(stored!.raw.equals(raw)).toBe(true);
        expect(stored!.ack.equals(req.ack)).toBe(true);
        expect(stored!.status).toBe('received');
        expect(stored!.processingRuns).toBe(1);
        expect(stored!.receivedAt).toBeInstanceOf(Date);
      });

      it('stores a header field containing NUL instead of failing the batch', async () => {
        const base = ingestRequest();
        const req = { ...base, header: { ...base.header!, sendingApplication: 'A\u0000B' } };
        const [result] = await store.ingest([req]);
        expect((await store.get(result!.messageId))!.sendingApplication).toBe('A\uFFFDB');
      });

      it('answers a batch in request order, each with its own ack', async () => {
        const reqs = Array.from({ length: 20 }, () => ingestRequest());
        const results = await store.ingest(reqs);
        expect(results.map((r) => r.ack.toString())).toEqual(reqs.map((r) => r.ack.toString()));
        expect(results.every((r) => r.duplicateOf === null)).toBe(true);
        for (const [i, r] of results.entries()) {
          expect((await store.get(r.messageId))!.raw.equals(reqs[i]!.raw)).toBe(true);
        }
        const ids = results.map((r) => BigInt(r.messageId));
        expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
      });

      it('stores a resend within the window as a duplicate answered with the original ack', async () => {
        const first = ingestRequest({ controlId: 'DUP1' });
        const [original] = await store.ingest([first]);
        const resend = ingestRequest({ controlId: 'DUP1' });
        const [dup] = await store.ingest([resend]);
        expect(dup!.duplicateOf).toBe(original!.messageId);
        expect(dup!.ack.equals(first.ack)).toBe(true);
        expect(dup!.ackCode).toBe('AA');
        const stored = await store.get(dup!.messageId);
        expect(stored!.status).toBe('duplicate');
        expect(stored!.duplicateOf).toBe(original!.messageId);
        expect(stored!.raw.equals(resend.raw)).toBe(true);
        expect((await store.listReceived(null, 10)).map((m) => m.id)).toEqual([original!.messageId]);
      });

      it('keys on sender and facility as well as control id', async () => {
        const results = await store.ingest([
          ingestRequest({ controlId: 'K1' }),
          ingestRequest({ controlId: 'K1', sendingFacility: 'SOUTH' }),
          ingestRequest({ controlId: 'K1', sendingApplication: 'RAD' }),
        ]);
        expect(results.map((r) => r.duplicateOf)).toEqual([null, null, null]);
      });

      it('catches duplicates inside one batch, in order', async () => {
        const reqs = [
          ingestRequest({ controlId: 'B1', ackCode: 'AE' }),
          ingestRequest({ controlId: 'B1' }),
          ingestRequest({ controlId: 'B1' }),
          ingestRequest({ controlId: 'B1', ackCode: 'AR' }),
        ];
        const results = await store.ingest(reqs);
        expect(results[0]!.duplicateOf).toBeNull();
        expect(results[1]!.duplicateOf).toBeNull();
        expect(results[2]!.duplicateOf).toBe(results[1]!.messageId);
        expect(results[3]!.duplicateOf).toBe(results[1]!.messageId);
        expect(results[3]!.ack.equals(reqs[1]!.ack)).toBe(true);
        const statuses = await Promise.all(results.map(async (r) => (await store.get(r.messageId))!.status));
        expect(statuses).toEqual(['rejected', 'received', 'duplicate', 'duplicate']);
      });

      it('claims keys of requests with another window than the batch first one', async () => {
        const [earlier] = await store.ingest([ingestRequest({ controlId: 'M3', dedupWindowSeconds: 60 })]);
        const results = await store.ingest([
          ingestRequest({ controlId: 'M1' }),
          ingestRequest({ controlId: 'M2', dedupWindowSeconds: 60 }),
          ingestRequest({ controlId: 'M2', dedupWindowSeconds: 60 }),
          ingestRequest({ controlId: 'M3', dedupWindowSeconds: 60 }),
        ]);
        expect(results.map((r) => r.duplicateOf)).toEqual([
          null,
          null,
          results[1]!.messageId,
          earlier!.messageId,
        ]);
        const [again] = await store.ingest([ingestRequest({ controlId: 'M2' })]);
        expect(again!.duplicateOf).toBe(results[1]!.messageId);
      });

      it('treats a resend after the window as a new message', async () => {
        const [first] = await store.ingest([ingestRequest({ controlId: 'W1', dedupWindowSeconds: 1 })]);
        await handle.db.query(`UPDATE message_dedup SET first_seen = first_seen - interval '5 seconds'`);
        const [nak] = await store.ingest([
          ingestRequest({ controlId: 'W1', dedupWindowSeconds: 1, ackCode: 'AE' }),
        ]);
        expect(nak).toMatchObject({ duplicateOf: null, ackCode: 'AE' });
        const [second] = await store.ingest([ingestRequest({ controlId: 'W1', dedupWindowSeconds: 1 })]);
        expect(second!.duplicateOf).toBeNull();
        expect((await store.get(second!.messageId))!.status).toBe('received');
        const [third] = await store.ingest([ingestRequest({ controlId: 'W1', dedupWindowSeconds: 1 })]);
        expect(third!.duplicateOf).toBe(second!.messageId);
        expect(first!.messageId).not.toBe(second!.messageId);
      });

      it('prunes dedup keys older than the window, keeping the messages and younger keys', async () => {
        const [old] = await store.ingest([ingestRequest({ controlId: 'P-OLD', dedupWindowSeconds: 60 })]);
        await handle.db.query(`UPDATE message_dedup SET first_seen = first_seen - interval '2 hours'`);
        await store.ingest([ingestRequest({ controlId: 'P-NEW', dedupWindowSeconds: 60 })]);
        expect(await store.pruneDedup(3600)).toBe(1);
        expect(await store.pruneDedup(3600)).toBe(0);
        const { rows } = await handle.db.query<{ control_id: string }>(
          'SELECT control_id FROM message_dedup',
        );
        expect(rows.map((r) => r.control_id)).toEqual(['P-NEW']);
        expect(await store.get(old!.messageId)).not.toBeNull();
        const [resent] = await store.ingest([ingestRequest({ controlId: 'P-NEW', dedupWindowSeconds: 60 })]);
        expect(resent!.duplicateOf).not.toBeNull();
      });

      it('does not deduplicate with window 0, without header or without control id', async () => {
        const results = await store.ingest([
          ingestRequest({ controlId: 'Z1', dedupWindowSeconds: 0 }),
          ingestRequest({ controlId: 'Z1', dedupWindowSeconds: 0 }),
          ingestRequest({ noHeader: true }),
          ingestRequest({ noHeader: true }),
          ingestRequest({ controlId: '' }),
          ingestRequest({ controlId: '' }),
        ]);
        expect(results.every((r) => r.duplicateOf === null)).toBe(true);
        // window-0 messages are not recorded either: a later message with a window is not their duplicate
        const [later] = await store.ingest([ingestRequest({ controlId: 'Z1' })]);
        expect(later!.duplicateOf).toBeNull();
        const noHeader = await store.get(results[2]!.messageId);
        expect(noHeader!.controlId).toBeNull();
        expect(noHeader!.messageType).toBeNull();
      });

      it('stores NAKed messages as rejected and lets a corrected resend through', async () => {
        const [ae] = await store.ingest([ingestRequest({ controlId: 'R1', ackCode: 'AE' })]);
        const [ar] = await store.ingest([ingestRequest({ controlId: 'R1', ackCode: 'AR' })]);
        expect([ae!.ackCode, ar!.ackCode]).toEqual(['AE', 'AR']);
        expect(ar!.duplicateOf).toBeNull();
        const rejected = await store.get(ae!.messageId);
        expect(rejected!.status).toBe('rejected');
        expect(rejected!.error).toBe('rejected by test');
        const [fixed] = await store.ingest([ingestRequest({ controlId: 'R1' })]);
        expect(fixed!.duplicateOf).toBeNull();
        expect((await store.get(fixed!.messageId))!.status).toBe('received');
        const [resend] = await store.ingest([ingestRequest({ controlId: 'R1' })]);
        expect(resend!.duplicateOf).toBe(fixed!.messageId);
      });

      it('lets exactly one of many concurrent transactions claim a control id', async () => {
        const results = (
          await Promise.all(
            Array.from({ length: 8 }, () => store.ingest([ingestRequest({ controlId: 'RACE' })])),
          )
        ).flat();
        const originals = results.filter((r) => r.duplicateOf === null);
        expect(originals).toHaveLength(1);
        expect(results.filter((r) => r.duplicateOf === originals[0]!.messageId)).toHaveLength(7);
      });
    });

    it('lists received messages oldest first, paged by id', async () => {
      const results = await store.ingest([
        ingestRequest(),
        ingestRequest({ ackCode: 'AE' }),
        ingestRequest(),
        ingestRequest(),
        ingestRequest(),
      ]);
      const received = [0, 2, 3, 4].map((i) => results[i]!.messageId);
      await store.completeProcessing(received[1]!, 'processed', [], []);
      const page1 = await store.listReceived(null, 2);
      expect(page1.map((m) => m.id)).toEqual([received[0], received[2]]);
      const page2 = await store.listReceived(page1[1]!.id, 2);
      expect(page2.map((m) => m.id)).toEqual([received[3]]);
      expect(await store.listReceived(received[3]!, 2)).toEqual([]);
    });

    it('returns null for unknown and malformed ids', async () => {
      expect(await store.get('999999')).toBeNull();
      expect(await store.get('abc')).toBeNull();
      expect(await store.reprocess('1; DROP TABLE messages')).toBe(false);
    });

    describe('processing', () => {
      it('completes a run once: a second completion writes nothing', async () => {
        const [r] = await store.ingest([ingestRequest({ partitionKey: 'P9' })]);
        const id = r!.messageId;
        const results = [
          { channelId: 'adt', status: 'transformed' as const, error: null, detail: null },
          { channelId: 'lab', status: 'filtered' as const, error: null, detail: 'filter: MSH-9 not ORU' },
        ];
        expect(await store.completeProcessing(id, 'processed', results, [delivery()])).toBe(true);
        expect((await store.get(id))!.status).toBe('processed');
        expect(await store.channelResults(id)).toEqual(results);
        const deliveries = await store.deliveries(id);
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0]).toMatchObject({
          partitionKey: 'P9',
          status: 'queued',
          attempts: 0,
          maxAttempts: 5,
        });
        expect(deliveries[0]!.payload.equals(delivery().payload)).toBe(true);

        expect(await store.completeProcessing(id, 'error', results, [delivery()])).toBe(false);
        expect((await store.get(id))!.status).toBe('processed');
        expect(await store.deliveries(id)).toHaveLength(1);
      });

      it('refuses to complete a rejected or duplicate message, or a stale run', async () => {
        const [rejected] = await store.ingest([ingestRequest({ ackCode: 'AR' })]);
        expect(await store.completeProcessing(rejected!.messageId, 'processed', [], [delivery()])).toBe(
          false,
        );
        expect(await store.deliveries(rejected!.messageId)).toEqual([]);
        const [, duplicate] = await store.ingest([
          ingestRequest({ controlId: 'S1' }),
          ingestRequest({ controlId: 'S1' }),
        ]);
        expect(await store.completeProcessing(duplicate!.messageId, 'processed', [], [delivery()])).toBe(
          false,
        );
        expect((await store.get(duplicate!.messageId))!.status).toBe('duplicate');
        const [ok] = await store.ingest([ingestRequest()]);
        expect(await store.completeProcessing(ok!.messageId, 'processed', [], [], 2)).toBe(false);
        expect(await store.completeProcessing(ok!.messageId, 'processed', [], [], 1)).toBe(true);
      });

      it('reprocesses into a new run that completes on its own', async () => {
        const [r] = await store.ingest([ingestRequest()]);
        const id = r!.messageId;
        expect(await store.reprocess(id)).toBe(false); // still received
        const run1 = [{ channelId: 'adt', status: 'error' as const, error: 'boom', detail: null }];
        await store.completeProcessing(id, 'error', run1, []);
        expect(await store.reprocess(id)).toBe(true);
        const again = await store.get(id);
        expect(again).toMatchObject({ status: 'received', processingRuns: 2 });
        expect((await store.listReceived(null, 10)).map((m) => m.id)).toEqual([id]);
        const run2 = [{ channelId: 'adt', status: 'transformed' as const, error: null, detail: null }];
        expect(await store.completeProcessing(id, 'processed', run2, [delivery()])).toBe(true);
        expect(await store.channelResults(id)).toEqual(run2);
        expect((await store.get(id))!.status).toBe('processed');
        const [rejected] = await store.ingest([ingestRequest({ ackCode: 'AE' })]);
        expect(await store.reprocess(rejected!.messageId)).toBe(false);
      });
    });

    describe('deliveries', () => {
      it('hands out only the head of each partition; null partitions are independent', async () => {
        const [p1a, p1b, p2, n1, n2] = await queued(['P1', 'P1', 'P2', null, null]);
        await queued(['P1'], 'other');
        const due = await store.dueDeliveries('ch', 'out', later(), 10);
        expect(due.map((d) => d.id)).toEqual([p1a, p2, n1, n2]);
        expect((await store.dueDeliveries('ch', 'out', later(), 2)).map((d) => d.id)).toEqual([p1a, p2]);
        expect(await store.dueDeliveries('ch', 'out', new Date(Date.now() - HOUR), 10)).toEqual([]);

        // head in backoff blocks P1; the other partitions proceed
        const retryAt = new Date(Date.now() + HOUR);
        await store.markDeliveryFailed(p1a!, 'connection refused', retryAt);
        expect((await store.dueDeliveries('ch', 'out', later(), 10)).map((d) => d.id)).toEqual([p2, n1, n2]);
        for (const id of [p2!, n1!, n2!]) await store.markDeliverySent(id, 'AA');
        expect(await store.dueDeliveries('ch', 'out', later(), 10)).toEqual([]);
        // the blocked p1b must not make the worker wake before the head's retry
        expect((await store.nextDeliveryDueAt('ch', 'out'))!.getTime()).toBe(retryAt.getTime());

        const atRetry = new Date(retryAt.getTime() + 1);
        expect((await store.dueDeliveries('ch', 'out', atRetry, 10)).map((d) => d.id)).toEqual([p1a]);
        await store.markDeliverySent(p1a!, null);
        expect((await store.dueDeliveries('ch', 'out', later(), 10)).map((d) => d.id)).toEqual([p1b]);
        await store.markDeliverySent(p1b!, null);
        expect(await store.nextDeliveryDueAt('ch', 'out')).toBeNull();
        expect(await store.nextDeliveryDueAt('ch', 'other')).toBeInstanceOf(Date);
      });

      it('retries, dead-letters, and a dead-lettered head no longer blocks its partition', async () => {
        const [head, next] = await queued(['P1', 'P1']);
        const retryAt = new Date(Date.now() + HOUR);
        await store.markDeliveryFailed(head!, 'timeout', retryAt);
        let [d] = (await store.deliveries((await deliveryMessage(head!))!)).filter((x) => x.id === head);
        expect(d).toMatchObject({ status: 'queued', attempts: 1, lastError: 'timeout' });
        expect(d!.nextAttemptAt.getTime()).toBe(retryAt.getTime());
        await store.markDeliveryFailed(head!, 'AE from receiver', null);
        [d] = (await store.deliveries((await deliveryMessage(head!))!)).filter((x) => x.id === head);
        expect(d).toMatchObject({ status: 'error', attempts: 2, lastError: 'AE from receiver' });
        // a late failure report changes nothing once dead-lettered
        await store.markDeliveryFailed(head!, 'late', retryAt);
        const attempts = await store.attempts(head!);
        expect(attempts.map((a) => [a.attempt, a.ok, a.error])).toEqual([
          [1, false, 'timeout'],
          [2, false, 'AE from receiver'],
        ]);
        expect((await store.dueDeliveries('ch', 'out', later(), 10)).map((x) => x.id)).toEqual([next]);
      });

      it('marks sent inside a caller transaction: rolled back means still queued', async () => {
        const [id] = await queued(['P1']);
        await expect(
          handle.db.transaction(async (tx) => {
            await store.markDeliverySent(id!, 'ok', tx);
            throw new Error('FHIR write failed');
          }),
        ).rejects.toThrow('FHIR write failed');
        expect(await store.attempts(id!)).toEqual([]);
        expect((await store.dueDeliveries('ch', 'out', later(), 10)).map((d) => d.id)).toEqual([id]);

        await handle.db.transaction((tx) => store.markDeliverySent(id!, 'ok', tx));
        const attempts = await store.attempts(id!);
        expect(attempts).toHaveLength(1);
        expect(attempts[0]).toMatchObject({
          deliveryId: id,
          attempt: 1,
          ok: true,
          error: null,
          response: 'ok',
        });
        expect(attempts[0]!.at).toBeInstanceOf(Date);
        // a second sender finds it sent and must roll back its own writes
        await expect(store.markDeliverySent(id!, 'again')).rejects.toBeInstanceOf(DeliveryNotQueuedError);
        expect(await store.attempts(id!)).toHaveLength(1);
      });

      it('requeues sent and dead-lettered deliveries, keeping the attempt count', async () => {
        const [sent, dead] = await queued([null, null]);
        expect(await store.requeueDelivery(sent!)).toBe(false); // already queued
        await store.markDeliverySent(sent!, 'ok');
        await store.markDeliveryFailed(dead!, 'refused', null);
        expect(await store.requeueDelivery(sent!)).toBe(true);
        expect(await store.requeueDelivery(dead!)).toBe(true);
        const due = await store.dueDeliveries('ch', 'out', later(), 10);
        expect(due.map((d) => [d.id, d.status, d.attempts, d.sentAt])).toEqual([
          [sent, 'queued', 1, null],
          [dead, 'queued', 1, null],
        ]);
        await store.markDeliverySent(dead!, 'ok');
        expect((await store.attempts(dead!)).map((a) => [a.attempt, a.ok])).toEqual([
          [1, false],
          [2, true],
        ]);
      });
    });

    it('counts messages and deliveries by status', async () => {
      const results = await store.ingest([
        ingestRequest({ controlId: 'N1' }),
        ingestRequest({ controlId: 'N1' }),
        ingestRequest({ ackCode: 'AE' }),
        ingestRequest(),
      ]);
      await store.completeProcessing(results[3]!.messageId, 'processed', [], [delivery(), delivery('b')]);
      const deliveries = await store.deliveries(results[3]!.messageId);
      await store.markDeliverySent(deliveries[0]!.id, null);
      expect(await store.counts()).toEqual({
        byStatus: { received: 1, processed: 1, filtered: 0, error: 0, rejected: 1, duplicate: 1 },
        deliveriesByStatus: { queued: 1, sent: 1, error: 0 },
      });
    });

    async function deliveryMessage(deliveryId: string): Promise<string | null> {
      const { rows } = await handle.db.query<{ message_id: string }>(
        'SELECT message_id FROM deliveries WHERE id = $1',
        [deliveryId],
      );
      return rows[0]?.message_id ?? null;
    }
  });
}
