import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../test/support/databases.ts';
import { MessageDetails } from './message-detail.ts';
import { InvalidCursorError, MessageSearch, type MessageSearchFilter } from './message-search.ts';
import { SqlMessageStore } from './sql-message-store.ts';
import { ingestRequest, resetMessageTables } from './test-fixtures.ts';
import type { AckCode, IngestRequest, PatientIdentifier } from './types.ts';

interface MessageOptions {
  readonly controlId?: string;
  readonly type?: string;
  readonly trigger?: string;
  readonly listener?: string;
  readonly patientIds?: readonly PatientIdentifier[];
  readonly ackCode?: AckCode;
  readonly raw?: Buffer;
}

function request(o: MessageOptions = {}): IngestRequest {
  const base = ingestRequest({
    ...(o.controlId !== undefined ? { controlId: o.controlId } : {}),
    ...(o.ackCode !== undefined ? { ackCode: o.ackCode } : {}),
    ...(o.raw !== undefined ? { raw: o.raw } : {}),
  });
  return {
    ...base,
    listener: o.listener ?? 'mllp:2575',
    header: { ...base.header!, messageType: o.type ?? 'ADT', triggerEvent: o.trigger ?? 'A01' },
    patientIds: o.patientIds ?? [],
  };
}

for (const target of await testDatabases()) {
  describe(`MessageSearch on ${target.name}`, () => {
    let handle: TestDbHandle;
    let store: SqlMessageStore;
    let search: MessageSearch;
    let details: MessageDetails;

    beforeAll(async () => {
      handle = await target.open();
      store = new SqlMessageStore(handle.db);
      search = new MessageSearch(handle.db);
      details = new MessageDetails(handle.db);
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await resetMessageTables(handle.db);
    });

    async function ingest(...requests: IngestRequest[]): Promise<string[]> {
      return (await store.ingest(requests)).map((r) => r.messageId);
    }

    /** Every id the filter finds, following cursors with a small page. */
    async function allIds(filter: MessageSearchFilter, limit = 2): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await search.search(filter, { limit, cursor });
        ids.push(...page.items.map((m) => m.id));
        if (page.nextCursor === null) return ids;
        cursor = page.nextCursor;
      }
      throw new Error('too many pages');
    }

    it('pages through everything newest first without loss or repeats, and says when it is done', async () => {
      const ids = await ingest(...Array.from({ length: 11 }, () => request()));
      const found = await allIds({}, 3);
      expect(found).toEqual([...ids].reverse());
      const last = await search.search({}, { limit: 11 });
      expect(last.items).toHaveLength(11);
      expect(last.nextCursor).toBeNull();
    });

    it('finds a message by control ID, type, trigger, listener and status', async () => {
      const [adt, oru, other, rejected] = await ingest(
        request({ controlId: 'CTL-1', type: 'ADT', trigger: 'A08' }),
        request({ controlId: 'CTL-2', type: 'ORU', trigger: 'R01', listener: 'mllp:2576' }),
        request({ controlId: 'CTL-3', type: 'ADT', trigger: 'A01', listener: 'http:adt' }),
        request({ controlId: 'CTL-4', ackCode: 'AE' }),
      );
      await store.completeProcessing(
        oru!,
        'error',
        [{ channelId: 'lab', status: 'error', error: 'x', detail: null }],
        [],
      );
      expect(await allIds({ controlId: 'CTL-2' })).toEqual([oru]);
      expect(await allIds({ controlId: 'nope' })).toEqual([]);
      expect(await allIds({ messageType: 'ORU' })).toEqual([oru]);
      expect(await allIds({ messageType: 'ADT', triggerEvent: 'A08' })).toEqual([adt]);
      expect(await allIds({ triggerEvent: 'A01' })).toEqual([rejected, other]);
      expect(await allIds({ listener: 'mllp' })).toEqual([rejected, oru, adt]);
      expect(await allIds({ listener: 'mllp:2576' })).toEqual([oru]);
      expect(await allIds({ listener: 'http' })).toEqual([other]);
      expect(await allIds({ status: 'error' })).toEqual([oru]);
      expect(await allIds({ status: 'rejected' })).toEqual([rejected]);
      expect(await allIds({ status: 'received' })).toEqual([other, adt]);
      expect(await allIds({ status: 'error', messageType: 'ADT' })).toEqual([]);
    });

    it('finds duplicates by status and shows what they duplicate', async () => {
      const [first, second] = await ingest(request({ controlId: 'SAME' }), request({ controlId: 'SAME' }));
      const page = await search.search({ status: 'duplicate' });
      expect(page.items.map((m) => [m.id, m.duplicateOf])).toEqual([[second, first]]);
    });

    it('finds a patient by any PID-3 identifier, narrowed by assigning authority', async () => {
      const [a, b, c] = await ingest(
        request({
          patientIds: [
            { id: '123', authority: 'MCM' },
            { id: 'X9', authority: 'SSA' },
          ],
        }),
        request({ patientIds: [{ id: '123', authority: 'OTHER' }] }),
        request({ patientIds: [{ id: '456', authority: '' }] }),
        request(),
      );
      expect(await allIds({ patientId: '123' })).toEqual([b, a]);
      expect(await allIds({ patientId: 'X9' })).toEqual([a]);
      expect(await allIds({ patientId: '123', authority: 'MCM' })).toEqual([a]);
      expect(await allIds({ patientId: '123', authority: 'NONE' })).toEqual([]);
      expect(await allIds({ patientId: '456' })).toEqual([c]);
      expect(await allIds({ patientId: ' 456 ' })).toEqual([c]);
      expect(await allIds({ patientId: '12' })).toEqual([]);
      expect(await allIds({ patientId: '\u0001' })).toEqual([]);
      expect(await allIds({ patientId: '123', status: 'received', messageType: 'ADT' })).toEqual([b, a]);
    });

    it('does not let one unusable identifier fail the batch it is in', async () => {
      const ids = await ingest(
        request({
          patientIds: [
            { id: 'x'.repeat(5000), authority: 'A' },
            { id: 'OK1', authority: 'A' },
          ],
        }),
        request({ patientIds: [{ id: 'bad\u0000id', authority: '' }] }),
      );
      expect(ids).toHaveLength(2);
      expect(await allIds({ patientId: 'OK1', authority: 'A' })).toEqual([ids[0]]);
    });

    it('finds messages a channel produced a result for, and shows the latest run per channel', async () => {
      const [one, two, three] = await ingest(request(), request(), request());
      await store.completeProcessing(
        one!,
        'processed',
        [{ channelId: 'adt', status: 'transformed', error: null, detail: null }],
        [],
      );
      await store.completeProcessing(
        two!,
        'error',
        [
          { channelId: 'adt', status: 'error', error: 'boom', detail: null },
          { channelId: 'lab', status: 'filtered', error: null, detail: 'type' },
        ],
        [],
      );
      await store.completeProcessing(
        three!,
        'filtered',
        [{ channelId: 'lab', status: 'filtered', error: null, detail: null }],
        [],
      );
      expect(await allIds({ channel: 'adt' })).toEqual([two, one]);
      expect(await allIds({ channel: 'lab' })).toEqual([three, two]);
      expect(await allIds({ channel: 'nope' })).toEqual([]);

      expect(await store.reprocess(two!)).toBe(true);
      await store.completeProcessing(
        two!,
        'processed',
        [{ channelId: 'adt', status: 'transformed', error: null, detail: null }],
        [],
      );
      const [summary] = (await search.search({ controlId: (await store.get(two!))!.controlId! })).items;
      expect(summary!.processingRuns).toBe(2);
      expect(summary!.channels).toEqual([{ channelId: 'adt', status: 'transformed' }]);
      // Any run counts for the channel filter.
      expect(await allIds({ channel: 'lab' })).toEqual([three, two]);
    });

    it('filters by received time, from inclusive and to exclusive', async () => {
      const ids = await ingest(request(), request(), request(), request());
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 10, i));
      for (const [i, id] of ids.entries()) {
        await handle.db.query('UPDATE messages SET received_at = $2 WHERE id = $1', [id, at(i)]);
      }
      expect(await allIds({ from: at(1), to: at(3) })).toEqual([ids[2], ids[1]]);
      expect(await allIds({ from: at(3) })).toEqual([ids[3]]);
      expect(await allIds({ to: at(1) })).toEqual([ids[0]]);
      const [m] = (await search.search({ from: at(2), to: at(3) })).items;
      expect(m!.receivedAt.getTime()).toBe(at(2).getTime());
    });

    it('matches free text (ASCII case-insensitively) in UTF-8 and Latin-1 messages, LIKE characters literal', async () => {
      const latin1 = Buffer.from(
        'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|L1|P|2.5|||||||8859/1\rPID|||1||Müller^Ann\r',
        'latin1',
      );
      const utf8 = Buffer.from(
        'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|U1|P|2.5\rPID|||2||MÜLLER^Bob\rNTE|1||100% sure_x\r',
        'utf8',
      );
      const withNul = Buffer.from(
        'MSH|^~\\&|A|B\u0000|C|D|20260101||ADT^A01|N1|P|2.5\rPID|||3||Smith\r',
        'latin1',
      );
      const [l, u, n] = await ingest(
        request({ raw: latin1 }),
        request({ raw: utf8 }),
        request({ raw: withNul }),
      );
      // ASCII letters fold; other letters match as written, in either charset.
      expect(await allIds({ text: 'mÜller' })).toEqual([u]);
      expect(await allIds({ text: 'Müller' })).toEqual([l]);
      expect(await allIds({ text: 'ü' })).toEqual([l]);
      expect(await allIds({ text: 'pid|||' })).toEqual([n, u, l]);
      expect(await allIds({ text: 'SMITH' })).toEqual([n]);
      expect(await allIds({ text: '100% s' })).toEqual([u]);
      expect(await allIds({ text: '0%' })).toEqual([u]);
      expect(await allIds({ text: 'sure_x' })).toEqual([u]);
      expect(await allIds({ text: 'sure%x' })).toEqual([]);
      expect(await allIds({ text: 'e_x' })).toEqual([u]);
      expect(await allIds({ text: 'bob', messageType: 'ORU' })).toEqual([]);
    });

    it('refuses a cursor it did not issue and a limit out of range', async () => {
      await expect(search.search({}, { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        search.search({}, { cursor: Buffer.from('m1.abc').toString('base64url') }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(search.search({}, { limit: 0 })).rejects.toBeInstanceOf(RangeError);
      await expect(search.search({}, { limit: 501 })).rejects.toBeInstanceOf(RangeError);
    });

    describe('detail', () => {
      it('has raw and ack bytes, latest channel results, and every run’s deliveries with attempts', async () => {
        const raw = Buffer.from('MSH|^~\\&|A|B|C|D|20260101||ADT^A01|D1|P|2.5\rPID|||7^^^MCM\r', 'latin1');
        const [id] = await ingest(request({ raw, patientIds: [{ id: '7', authority: 'MCM' }] }));
        const out = {
          channelId: 'adt',
          destination: 'out',
          payload: Buffer.from('{"a":1}'),
          contentType: 'application/json',
          maxAttempts: 3,
        };
        await store.completeProcessing(
          id!,
          'processed',
          [{ channelId: 'adt', status: 'transformed', error: null, detail: null }],
          [out],
        );
        const [first] = await store.deliveries(id!);
        await store.markDeliveryFailed(first!.id, 'refused', new Date());
        await store.markDeliverySent(first!.id, 'HTTP 200');
        expect(await store.reprocess(id!)).toBe(true);
        await store.completeProcessing(
          id!,
          'processed',
          [{ channelId: 'adt', status: 'filtered', error: null, detail: 'second run' }],
          [{ ...out, destination: 'other' }],
        );

        const d = await details.read(id!);
        expect(d).not.toBeNull();
        expect(d!.raw.equals(raw)).toBe(true);
        expect(d!.ack.toString()).toContain('MSA|AA');
        expect(d!.summary.processingRuns).toBe(2);
        expect(d!.summary.channels).toEqual([{ channelId: 'adt', status: 'filtered' }]);
        expect(d!.channelResults).toEqual([
          { channelId: 'adt', status: 'filtered', error: null, detail: 'second run' },
        ]);
        expect(d!.deliveries.map((x) => [x.run, x.destination, x.status])).toEqual([
          [1, 'out', 'sent'],
          [2, 'other', 'queued'],
        ]);
        const sent = d!.deliveries[0]!;
        expect(sent.payload.toString()).toBe('{"a":1}');
        expect(sent.response).toBe('HTTP 200');
        expect(sent.attemptLog.map((a) => [a.attempt, a.ok, a.error, a.response])).toEqual([
          [1, false, 'refused', null],
          [2, true, null, 'HTTP 200'],
        ]);
        expect(d!.deliveries[1]!.attemptLog).toEqual([]);
      });

      it('is null for unknown and non-numeric ids', async () => {
        expect(await details.read('999')).toBeNull();
        expect(await details.read('abc')).toBeNull();
        expect(await details.read('-1')).toBeNull();
        expect(await details.delivery('999')).toBeNull();
        expect(await details.delivery('1e3')).toBeNull();
      });

      it('finds a delivery for resend by id', async () => {
        const [id] = await ingest(request());
        const out = {
          channelId: 'c',
          destination: 'd',
          payload: Buffer.from('x'),
          contentType: 'text/plain',
          maxAttempts: 1,
        };
        await store.completeProcessing(id!, 'processed', [], [out]);
        const [delivery] = await store.deliveries(id!);
        expect(await details.delivery(delivery!.id)).toEqual({
          id: delivery!.id,
          messageId: id,
          channelId: 'c',
          destination: 'd',
          status: 'queued',
        });
      });
    });
  });
}
