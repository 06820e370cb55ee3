/**
 * The C-FIND handler the DICOM listener calls (its `onFind`): dispatches on the SOP class of the
 * request to the Query/Retrieve find (patient root, study root) over the DICOM index, or to the
 * Modality Worklist find over the worklist store (engine/dicom/worklist/).
 */
import type { SqlQueryable } from '../../db/sql.ts';
import { findWorklistItems } from '../worklist/worklist-query.ts';
import type { Identifier } from './identifier.ts';
import { worklistFind, type WorklistSource } from './mwl-find.ts';
import { FindSopClass, FindStatus, qrFind, type FindOutcome } from './qr-find.ts';

export interface FindServiceOptions {
  readonly db: SqlQueryable;
  /** Our AE title, returned as RetrieveAETitle. */
  readonly aeTitle: string;
  /** The worklist store. Default: the worklist_items table (engine/dicom/worklist/) in `db`. */
  readonly worklist?: WorklistSource;
  /** Most matches one request returns. Default 10 000. */
  readonly maxMatches?: number;
}

/** The listener's OnFind, structurally: the identifier, and the SOP class the request was made on. */
export type FindHandler = (
  identifier: Identifier,
  info: { readonly sopClassUid: string },
) => Promise<FindOutcome>;

export const DEFAULT_MAX_MATCHES = 10_000;

export function createFindService(options: FindServiceOptions): FindHandler {
  const maxMatches = options.maxMatches ?? DEFAULT_MAX_MATCHES;
  const qr = { aeTitle: options.aeTitle, maxMatches };
  const worklist: WorklistSource =
    options.worklist ??
    (async (filter) =>
      (await findWorklistItems(options.db, filter)).map((item): Identifier => ({ ...item })));
  return async (identifier, { sopClassUid }) => {
    switch (sopClassUid) {
      case FindSopClass.PatientRoot:
        return qrFind(options.db, 'patient-root', identifier, qr);
      case FindSopClass.StudyRoot:
        return qrFind(options.db, 'study-root', identifier, qr);
      case FindSopClass.ModalityWorklist:
        return worklistFind(worklist, identifier, maxMatches);
      default:
        return { ok: false, status: FindStatus.SopClassNotSupported, comment: 'SOP class not supported' };
    }
  };
}
