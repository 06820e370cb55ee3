/**
 * DicomDeliveryStore's counts on PGlite and PostgreSQL: sent deliveries come from the running totals
 * (migration 013) raised as each is marked sent, queued and dead-lettered ones are counted live; and
 * the migration counts the rows sent before it existed.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases, type TestDbHandle } from '../../../test/support/databases.ts';
import { migrate } from '../../db/migrate.ts';
import { openPglite } from '../../db/pglite-client.ts';
import { DicomDeliveryStore, type NewDicomDelivery } from './dicom-delivery-store.ts';

const MIGRATIONS = path.join(import.meta.dirname, '../../db/migrations');

const delivery = (channelId: string, destination: string, n: number): NewDicomDelivery => ({
  channelId,
  destination,
  sopInstanceUid: `1.2.3.${n}`,
  studyInstanceUid: '1.2.3',
  objectKey: `dicom/1.2.3/1.2.3.4/1.2.3.${n}.dcm`,
  maxAttempts: 3,
});

const sorted = <T extends { channelId: string; destination: string; status: string }>(
  rows: readonly T[],
): T[] =>
  [...rows].sort((a, b) =>
    `${a.channelId}/${a.destination}/${a.status}`.localeCompare(
      `${b.channelId}/${b.destination}/${b.status}`,
    ),
  );

for (const target of await testDatabases()) {
  describe(`DicomDeliveryStore counts (${target.name})`, () => {
    let handle: TestDbHandle;
    let store: DicomDeliveryStore;

    beforeAll(async () => {
      handle = await target.open();
      store = new DicomDeliveryStore(handle.db);
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('counts sent from the running totals and queued and dead-lettered rows live', async () => {
      await handle.db.transaction((tx) =>
        store.queue(tx, [
          delivery('a', 'pacs', 1),
          delivery('a', 'pacs', 2),
          delivery('a', 'pacs', 3),
          delivery('a', 'research', 4),
          delivery('b', 'pacs', 5),
        ]),
      );
      const ids = (await store.list({ limit: 10 })).map((d) => d.id).sort((x, y) => Number(x) - Number(y));
      await store.markSent(ids[0]!, 'ok');
      await store.markSent(ids[1]!, 'ok');
      await store.markFailed(ids[2]!, 'refused', null);
      await store.markSent(ids[3]!, 'ok');
      expect(sorted(await store.counts())).toEqual([
        { channelId: 'a', destination: 'pacs', status: 'error', count: 1 },
        { channelId: 'a', destination: 'pacs', status: 'sent', count: 2 },
        { channelId: 'a', destination: 'research', status: 'sent', count: 1 },
        { channelId: 'b', destination: 'pacs', status: 'queued', count: 1 },
      ]);
      // The totals are running counts, not a view: they match the rows they counted.
      const { rows } = await handle.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM dicom_deliveries WHERE status = 'sent'",
      );
      expect(rows[0]!.n).toBe(3);
      // A dead-lettered delivery retried and sent is counted once, as sent.
      expect(await store.requeue(ids[2]!)).toBe(true);
      await store.markSent(ids[2]!, 'ok');
      expect(sorted(await store.counts())).toContainEqual({
        channelId: 'a',
        destination: 'pacs',
        status: 'sent',
        count: 3,
      });
      expect((await store.counts()).filter((c) => c.status === 'error')).toEqual([]);
    });
  });
}

describe('migration 013 (DICOM delivery totals)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-migrations-'));
    for (const name of await readdir(MIGRATIONS))
      if (name < '013') await cp(path.join(MIGRATIONS, name), path.join(dir, name));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the deliveries sent before it', async () => {
    const db = await openPglite(null);
    try {
      await migrate(db, dir);
      const store = new DicomDeliveryStore(db);
      await db.transaction((tx) => store.queue(tx, [delivery('a', 'pacs', 1), delivery('a', 'pacs', 2)]));
      await db.query("UPDATE dicom_deliveries SET status = 'sent', sent_at = now()");
      expect(await migrate(db)).toContain(13);
      expect(await store.counts()).toEqual([
        { channelId: 'a', destination: 'pacs', status: 'sent', count: 2 },
      ]);
    } finally {
      await db.close();
    }
  });
});
