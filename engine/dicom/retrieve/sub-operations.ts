/**
 * The C-STORE sub-operations of one C-MOVE or C-GET: each instance loaded and sent in turn, the
 * counts (remaining, completed, failed, warning) reported after each one for the Pending responses,
 * and the final status they add up to (PS3.4 C.4.2.1.5 and C.4.3.1.4).
 */
import type { LoadedInstance, RetrieveInstance, RetrieveSource } from './retrieve-source.ts';

export const RetrieveStatus = {
  Success: 0x0000,
  Pending: 0xff00,
  Cancel: 0xfe00,
  /** Sub-operations complete, one or more failures or warnings. */
  Warning: 0xb000,
  /** Refused: out of resources, unable to perform sub-operations. */
  UnableToPerformSubOperations: 0xa702,
  MoveDestinationUnknown: 0xa801,
  IdentifierDoesNotMatch: 0xa900,
  UnableToProcess: 0xc000,
  SopClassNotSupported: 0x0122,
} as const;

export interface SubOperationCounts {
  readonly remaining: number;
  readonly completed: number;
  readonly failed: number;
  readonly warning: number;
}

export interface SubOperationDeps {
  readonly source: Pick<RetrieveSource, 'load'>;
  /** Sends one object; resolves to its C-STORE status. A rejection ends the run (association lost). */
  readonly send: (object: LoadedInstance) => Promise<number>;
  /** After each sub-operation, with the counts so far. */
  readonly progress: (counts: SubOperationCounts) => void;
  readonly cancelled: () => boolean;
}

export interface SubOperationResult {
  readonly counts: SubOperationCounts;
  readonly cancelled: boolean;
  /** The SOP Instance UIDs that failed (for the Failed SOP Instance UID List). */
  readonly failedUids: readonly string[];
}

const isWarning = (status: number): boolean =>
  (status & 0xf000) === 0xb000 || status === 0x0107 || status === 0x0116;

export async function runSubOperations(
  instances: readonly RetrieveInstance[],
  deps: SubOperationDeps,
): Promise<SubOperationResult> {
  let completed = 0;
  let failed = 0;
  let warning = 0;
  const failedUids: string[] = [];
  for (let i = 0; i < instances.length; i++) {
    if (deps.cancelled()) {
      return {
        counts: { remaining: instances.length - i, completed, failed, warning },
        cancelled: true,
        failedUids,
      };
    }
    const instance = instances[i]!;
    const loaded = await deps.source.load(instance).catch(() => null);
    const status = loaded === null ? RetrieveStatus.UnableToProcess : await deps.send(loaded);
    if (status === RetrieveStatus.Success) completed++;
    else if (isWarning(status)) warning++;
    else {
      failed++;
      failedUids.push(instance.sopInstanceUid);
    }
    deps.progress({ remaining: instances.length - i - 1, completed, failed, warning });
  }
  return { counts: { remaining: 0, completed, failed, warning }, cancelled: false, failedUids };
}

/** The final response status once every sub-operation ran (or the run was cancelled). */
export function finalStatus(result: SubOperationResult): number {
  if (result.cancelled) return RetrieveStatus.Cancel;
  const { completed, failed, warning } = result.counts;
  if (failed === 0 && warning === 0) return RetrieveStatus.Success;
  if (completed === 0 && warning === 0) return RetrieveStatus.UnableToPerformSubOperations;
  return RetrieveStatus.Warning;
}
