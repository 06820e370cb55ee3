/**
 * The C-STORE handler: an object received over DIMSE is made durable in two steps, the bytes in the
 * object store (as received) and then its metadata in the index, and only then does the sender get
 * success. Anything failing on the way throws, which the listener answers with a failure status:
 * never a success for an object that is not both stored and indexed. A re-sent instance overwrites
 * its object under the same key and updates its index row (no duplicate).
 */
import type { SqlClient } from '../db/sql.ts';
import type { Logger } from '../log/logger.ts';
import { dicomObjectKey, type ObjectStore } from '../objects/object-store.ts';
import type { DicomIndex } from './dicom-index.ts';
import type { StudyArrivals } from './orders/study-order-linker.ts';
import type { DicomRoutingHook } from './routing/dicom-router.ts';
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
    await deps.objects.put(objectKey, bytes, 'application/dicom');
    const routing = { objectKey, callingAe: info.callingAe };
    const hook = deps.routing;
    const plan = hook?.plan(parsed, routing) ?? null;
    let created: boolean;
    if (hook === undefined || plan === null) {
      // One statement is its own transaction: no BEGIN/COMMIT round trips when nothing is routed.
      ({ created } = await deps.index.indexInstance(deps.db, parsed, routing));
    } else {
      const done = await deps.db.transaction(async (tx) => {
        const indexed = await deps.index.indexInstance(tx, parsed, routing);
        return { created: indexed.created, routes: await hook.queue(tx, plan) };
      });
      created = done.created;
      hook.queued(done.routes);
    }
    deps.studyOrders?.noteInstance(keys.studyInstanceUid);
    deps.logger.debug('DICOM instance stored', { objectKey, created, bytes: bytes.length });
  };
}
