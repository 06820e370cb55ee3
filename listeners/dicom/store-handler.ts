/**
 * The C-STORE SCP decision for one received dataset (PS3.4 B.2.3): refuse what cannot be stored
 * before anything is written, else hand the Part-10 object of the bytes as received to onStore, and
 * answer success only once it resolved.
 *   0x0122 the request's SOP class is not the presentation context's (the class is not served there)
 *   0xA900 the dataset names another SOP class than the request (data set does not match SOP class)
 *   0xC000 invalid UIDs, an empty dataset, or a dataset naming another SOP instance than the request
 *   0xA700 the dataset was over maxObjectBytes (its bytes were dropped as they came), or storage failed
 */
import { PresentationContextResult, type PresentationContext } from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import { datasetSopUids } from '../../engine/dicom/dimse/dataset-sop-uids.ts';
import { isUid } from '../../engine/dicom/dimse/uids.ts';
import type { StoreAssembler } from './store-assembler.ts';
import type { DicomServerEvent, OnStore } from './types.ts';

/** C-STORE statuses (PS3.4 B.2.3). */
export const StoreStatus = {
  Success: 0x0000,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  SopClassNotSupported: 0x0122,
} as const;

export interface StoreContext {
  readonly callingAe: string;
  readonly remoteAddress: string;
  readonly maxObjectBytes: number;
  readonly onStore: OnStore;
  readonly onEvent: (event: DicomServerEvent) => void;
}

export interface StoreRequestFields {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

export async function handleStore(
  request: StoreRequestFields,
  context: PresentationContext,
  dataset: StoreAssembler,
  ctx: StoreContext,
): Promise<{ status: number; comment?: string }> {
  const failed = (status: number, reason: string, error?: unknown): { status: number; comment: string } => {
    ctx.onEvent({
      type: 'store-failed',
      status,
      reason,
      error,
      callingAe: ctx.callingAe,
      remoteAddress: ctx.remoteAddress,
    });
    return { status, comment: reason };
  };
  const transferSyntaxUid = context.getAcceptedTransferSyntaxUid();
  const { sopClassUid, sopInstanceUid } = request;
  if (context.getResult() !== PresentationContextResult.Accept || transferSyntaxUid === undefined) {
    return failed(StoreStatus.SopClassNotSupported, 'Presentation context not accepted');
  }
  if (sopClassUid !== context.getAbstractSyntaxUid()) {
    return failed(StoreStatus.SopClassNotSupported, 'SOP class differs from the presentation context');
  }
  if (!isUid(sopClassUid) || !isUid(sopInstanceUid)) {
    return failed(StoreStatus.CannotUnderstand, 'Invalid affected SOP class or instance UID');
  }
  if (dataset.overflowed) {
    return failed(StoreStatus.OutOfResources, `Dataset over ${ctx.maxObjectBytes} bytes`);
  }
  if (dataset.received === 0) return failed(StoreStatus.CannotUnderstand, 'Empty dataset');
  const named = datasetSopUids(dataset.dataset(), transferSyntaxUid);
  if (named?.sopClassUid != null && named.sopClassUid !== sopClassUid) {
    return failed(StoreStatus.DataSetDoesNotMatchSopClass, 'Dataset SOP class differs from the request');
  }
  if (named?.sopInstanceUid != null && named.sopInstanceUid !== sopInstanceUid) {
    return failed(StoreStatus.CannotUnderstand, 'Dataset SOP instance differs from the request');
  }
  // The Part-10 header went in front of the dataset when the command came (scp.ts storeStarted).
  const bytes = dataset.part10();
  try {
    await ctx.onStore(bytes, {
      callingAe: ctx.callingAe,
      remoteAddress: ctx.remoteAddress,
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid,
    });
    return { status: StoreStatus.Success };
  } catch (error) {
    return failed(StoreStatus.OutOfResources, 'Storage failed', error);
  }
}
