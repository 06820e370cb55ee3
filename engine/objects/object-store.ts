/**
 * The ObjectStore port: where received objects (DICOM instances first) are kept, by key. Two
 * adapters implement it, a folder (the default) and S3. `put` resolves only once the object is
 * durable, so a caller may acknowledge a sender (C-STORE response) right after it.
 *
 * Keys are validated here, once, for both adapters: a key is a relative path of plain segments, so
 * none can climb out of the store's folder or collide with an adapter's temporary files.
 */
export interface PutResult {
  readonly key: string;
  readonly size: number;
  /** As the backend reports it (S3); absent for the folder store. */
  readonly etag?: string;
}

export interface ObjectStore {
  /** Where the objects go, for logs: `folder /data/objects` or `s3 http://host:9000 bucket b`. Never credentials. */
  readonly location: string;
  /** Stores `body` under `key`, replacing any object there; durable when the promise resolves. */
  put(key: string, body: Buffer, contentType: string): Promise<PutResult>;
  /** The object's bytes, or null when there is no object under `key`. */
  get(key: string): Promise<Buffer | null>;
  head(key: string): Promise<{ readonly size: number } | null>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** A key or UID that cannot be used as given (a caller's mistake, not a storage failure). */
export class ObjectKeyError extends Error {
  override readonly name = 'ObjectKeyError';
}

/** A storage backend failed or could not be reached. The message names where, never credentials. */
export class ObjectStoreError extends Error {
  override readonly name = 'ObjectStoreError';
}

const MAX_KEY_LENGTH = 1024;
/** Plain segments only: letters, digits, '.', '_', '-'; a segment may not start with '.' ('.', '..', temp files). */
const KEY_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Throws ObjectKeyError unless `key` is a relative path of plain segments separated by single '/'. */
export function validateObjectKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new ObjectKeyError('object key is empty');
  if (key.length > MAX_KEY_LENGTH) {
    throw new ObjectKeyError(`object key is longer than ${MAX_KEY_LENGTH} characters`);
  }
  for (const segment of key.split('/')) {
    if (!KEY_SEGMENT.test(segment)) {
      throw new ObjectKeyError(
        `object key ${JSON.stringify(key.slice(0, 200))} is not a relative path of plain segments ` +
          `(letters, digits, '.', '_', '-'; no empty, '.' or '..' segment, no leading '/')`,
      );
    }
  }
  return key;
}

const MAX_UID_LENGTH = 64;
/** DICOM UI value: digit groups separated by single dots (PS3.5 9.1), at most 64 characters. */
const UID = /^[0-9]+(\.[0-9]+)*$/;

/** Throws ObjectKeyError unless `uid` is a well-formed DICOM UID; `what` names it in the message. */
export function validateDicomUid(uid: string, what: string): string {
  if (typeof uid !== 'string' || uid.length === 0) throw new ObjectKeyError(`${what} is empty`);
  if (uid.length > MAX_UID_LENGTH) {
    throw new ObjectKeyError(`${what} is longer than ${MAX_UID_LENGTH} characters`);
  }
  if (!UID.test(uid)) {
    throw new ObjectKeyError(`${what} ${JSON.stringify(uid)} is not a DICOM UID (digits separated by dots)`);
  }
  return uid;
}

/** Key of one stored DICOM instance: `dicom/<study>/<series>/<sop>.dcm`. */
export function dicomObjectKey(studyUid: string, seriesUid: string, sopInstanceUid: string): string {
  validateDicomUid(studyUid, 'StudyInstanceUID');
  validateDicomUid(seriesUid, 'SeriesInstanceUID');
  validateDicomUid(sopInstanceUid, 'SOPInstanceUID');
  return `dicom/${studyUid}/${seriesUid}/${sopInstanceUid}.dcm`;
}
