/**
 * Runs "orders meet images" (link-study.ts) in the background of DICOM ingest. The C-STORE handler
 * calls `noteInstance` after the instance's index row has committed, so matching never delays or
 * fails a C-STORE answer. Passes are coalesced per study: while one runs, further instances of that
 * study only mark it dirty, and one more pass runs when it ends. A burst of N instances thus costs a
 * handful of passes, the last of which always sees every instance, and each pass rewrites the
 * ImagingStudy only if its content changed (the FHIR store's unchanged detection).
 *
 * A failed pass is logged (ids and codes, no patient data) and leaves the study as it was: a study
 * without a match row is listed as unmatched (unmatched-studies.ts), so nothing is dropped, and the
 * next instance of it, or `sweep` at start-up, tries again.
 */
import type { SqlClient } from '../../db/sql.ts';
import type { Logger } from '../../log/logger.ts';
import { linkStudy, type LinkOutcome } from './link-study.ts';

export interface StudyOrderLinkerOptions {
  readonly db: SqlClient;
  readonly logger: Logger;
  /** Offset assumed for StudyDate/StudyTime in ImagingStudy.started ('Z' unless configured). */
  readonly defaultTimezone?: string;
  /** Called after each pass (tests, metrics). */
  readonly onLinked?: (studyInstanceUid: string, outcome: LinkOutcome | null) => void;
}

/** What the C-STORE handler needs of the linker. */
export interface StudyArrivals {
  noteInstance(studyInstanceUid: string): void;
}

interface StudyState {
  dirty: boolean;
  done: Promise<void>;
}

export class StudyOrderLinker implements StudyArrivals {
  private readonly running = new Map<string, StudyState>();
  private closed = false;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly options: StudyOrderLinkerOptions) {}

  noteInstance(studyInstanceUid: string): void {
    if (this.closed) return;
    const state = this.running.get(studyInstanceUid);
    if (state) {
      state.dirty = true;
      return;
    }
    const fresh: StudyState = { dirty: false, done: Promise.resolve() };
    fresh.done = this.run(studyInstanceUid, fresh);
    this.running.set(studyInstanceUid, fresh);
  }

  private async run(uid: string, state: StudyState): Promise<void> {
    await Promise.resolve(); // let noteInstance register the state first
    try {
      do {
        state.dirty = false;
        await this.pass(uid);
      } while (state.dirty && !this.closed);
    } finally {
      this.running.delete(uid);
    }
  }

  private async pass(uid: string): Promise<void> {
    const { db, logger } = this.options;
    try {
      const outcome = await db.transaction((tx) =>
        linkStudy(tx, uid, { defaultTimezone: this.options.defaultTimezone ?? 'Z' }),
      );
      if (outcome?.newlyMatched)
        logger.info('DICOM study matched to its order', { imagingStudy: outcome.imagingStudyId });
      this.options.onLinked?.(uid, outcome);
    } catch (err) {
      logger.warn('DICOM study not linked to orders; it stays listed as unmatched', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      logger.debug('DICOM study link failure: detail', { studyInstanceUid: uid, error: String(err) });
    }
  }

  /** Schedules a pass for every indexed study never tried (e.g. the engine stopped in between). */
  async sweep(limit = 10_000): Promise<number> {
    const { rows } = await this.options.db.query<{ uid: string }>(
      `SELECT s.study_instance_uid AS uid FROM dicom_studies s
       WHERE NOT EXISTS (SELECT 1 FROM dicom_study_orders o WHERE o.study_instance_uid = s.study_instance_uid)
       ORDER BY s.created_at LIMIT $1::integer`,
      [limit],
    );
    for (const r of rows) this.noteInstance(r.uid);
    return rows.length;
  }

  /** Starts `sweep` in the background (engine start-up); close() waits for it. */
  start(): void {
    this.sweeping = this.sweep().then(
      (n) => {
        if (n > 0) this.options.logger.info('DICOM studies queued for order matching', { studies: n });
      },
      (err: unknown) => {
        this.options.logger.warn('DICOM study sweep failed', {
          error: err instanceof Error ? err.name : 'unknown',
        });
      },
    );
  }

  /** Resolves when no pass is running (or pending). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((s) => s.done));
  }

  /** Stops scheduling passes and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sweeping;
    await this.settled();
  }
}
