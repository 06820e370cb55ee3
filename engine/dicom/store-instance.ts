/**
 * The C-STORE handler: an object received over DIMSE is made durable in two parts, the bytes in the
 * object store (as received) and its metadata in the index, whose transaction commits only once the
 * bytes are durable; only then does the sender get success. Anything failing on the way throws, which the listener answers with a failure status:
 * never a success for an object that is not both stored and indexed. A re-sent instance overwrites
 * its object under the same key and updates its index row (no duplicate).
 */
import type { SqlClient } from '../db/sql.ts';
import type { Logger } from '../log/logger.ts';
import { dicomObjectKey, type ObjectStore } from '../objects/object-store.ts';
import type { DicomIndex, IndexInstanceResult } from './dicom-index.ts';
import type { StudyArrivals } from './orders/study-order-linker.ts';
import type { DicomRoutingHook, QueuedRoutes } from './routing/dicom-router.ts';
import { parsePart10 } from './parse-part10.ts';

export interface StoredInstanceInfo {
  readonly callingAe: string;
  readonly sopInstanceUid: string;
}

export interface DicomStoreDeps {
  readonly db: SqlClient;
  readonly objects: ObjectStore;
  readonly index: DicomIndex;
  readonly logger: Logger;
  /**
   * Told of every instance once its index row has committed (orders meet images, engine/dicom/orders/).
   * After the commit, not inside it: matching and the ImagingStudy must neither delay nor fail the
   * C-STORE answer, and a study not linked yet is still listed as unmatched.
   */
  readonly studyOrders?: StudyArrivals;
  /**
   * DICOM channels (engine/dicom/routing/): their deliveries are queued in the index transaction, so
   * a C-STORE success means every forward it triggers is durable.
   */
  readonly routing?: DicomRoutingHook;
}

export function createDicomStoreHandler(
  deps: DicomStoreDeps,
): (bytes: Buffer, info: StoredInstanceInfo) => Promise<void> {
  return async (bytes, info) => {
    const parsed = parsePart10(bytes);
    const { keys } = parsed;
    if (keys.sopInstanceUid !== info.sopInstanceUid) {
      throw new Error('dataset SOPInstanceUID differs from the C-STORE command');
    }
    const objectKey = dicomObjectKey(keys.studyInstanceUid, keys.seriesInstanceUid, keys.sopInstanceUid);
    // The object is written while the index statement runs; the transaction commits only once the
    // object is durable, so a committed index row always has its object, and a failed put rolls the
    // row back. (A failed transaction may leave the object stored without a row: a re-send overwrites
    // it.) With the put in a worker thread (durable-writer.ts) this took ingest from 1.54 to 1.18 s.
    const putting = deps.objects.put(objectKey, bytes, 'application/dicom');
    putting.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    const routing = { objectKey, callingAe: info.callingAe };
    const hook = deps.routing;
    const plan = hook?.plan(parsed, routing) ?? null;
    let done: { indexed: IndexInstanceResult; routes: QueuedRoutes | null };
    try {
      done = await deps.db.transaction(async (tx) => {
        const indexed = await deps.index.indexInstance(tx, parsed, routing);
        const routes = hook !== undefined && plan !== null ? await hook.queue(tx, plan) : null;
        await putting;
        return { indexed, routes };
      });
    } finally {
      await putting.catch(() => undefined);
    }
    done.indexed.committed();
    if (done.routes !== null) hook?.queued(done.routes);
    const { created } = done.indexed;
    deps.studyOrders?.noteInstance(keys.studyInstanceUid);
    deps.logger.debug('DICOM instance stored', { objectKey, created, bytes: bytes.length });
  };
}
