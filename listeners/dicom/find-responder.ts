/**
 * Answers one C-FIND request on an association: asks onFind, then sends one Pending response per
 * match (each identifier encoded in the transfer syntax the request came in, which is the one
 * negotiated for its presentation context) and a final Success. dcmjs-dimse takes the responses of
 * a request in one call, so they go out together; a C-CANCEL that arrives while the query runs is
 * answered with the Cancel status alone. A refused identifier gets onFind's failure status; a
 * handler that throws gets 0xC000 (unable to process). Never logs identifiers.
 */
import {
  CFindResponse,
  DimseDatasetClass,
  type CFindRequest,
  type CFindResponseType,
} from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import { TransferSyntax } from '../../engine/dicom/dimse/uids.ts';
import type { DicomServerEvent, FindIdentifier, FindRequestInfo, OnFind } from './types.ts';

export const FindResponseStatus = {
  Success: 0x0000,
  Pending: 0xff00,
  Cancel: 0xfe00,
  IdentifierDoesNotMatchSopClass: 0xa900,
  UnableToProcess: 0xc000,
  SopClassNotSupported: 0x0122,
} as const;

export interface FindResponderDeps {
  readonly onFind: OnFind | undefined;
  readonly info: Omit<FindRequestInfo, 'sopClassUid'>;
  /** Sends every response of the request, in order; called once. */
  readonly send: (responses: CFindResponseType[]) => void;
  /** True once a C-CANCEL for this request arrived. */
  readonly cancelled: () => boolean;
  /** True once the association is gone: nothing more is sent. */
  readonly closed: () => boolean;
  readonly onEvent: (event: DicomServerEvent) => void;
}

/** ErrorComment is LO: 64 characters at most. */
const comment64 = (text: string): string => text.slice(0, 64);

/** Never rejects: a failure while building the responses is reported and answered 0xC000 if possible. */
export async function answerFind(request: CFindRequest, deps: FindResponderDeps): Promise<void> {
  try {
    await answer(request, deps);
  } catch (error) {
    deps.onEvent({ type: 'find-failed', status: 0xc000, reason: 'Response failed', error, ...deps.info });
    try {
      const response = CFindResponse.fromRequest(request);
      response.setStatus(FindResponseStatus.UnableToProcess);
      if (!deps.closed()) deps.send([response]);
    } catch {
      // Nothing more can be said on this association: the peer times out or aborts.
    }
  }
}

async function answer(request: CFindRequest, deps: FindResponderDeps): Promise<void> {
  const sopClassUid = String(request.getAffectedSopClassUid() ?? '');
  const dataset = request.getDataset();
  const transferSyntaxUid = dataset?.getTransferSyntaxUid() ?? TransferSyntax.ImplicitVRLittleEndian;
  const response = (status: number, identifier?: FindIdentifier, comment?: string): CFindResponseType => {
    const response = CFindResponse.fromRequest(request);
    response.setAffectedSopClassUid(sopClassUid);
    response.setStatus(status);
    if (identifier !== undefined)
      response.setDataset(new DimseDatasetClass({ ...identifier }, transferSyntaxUid));
    if (comment !== undefined) response.setErrorComment(comment64(comment));
    return response;
  };
  const respond = (...responses: CFindResponseType[]): void => {
    if (!deps.closed()) deps.send(responses);
  };
  const failed = (status: number, reason: string, error?: unknown): void => {
    deps.onEvent({ type: 'find-failed', status, reason, error, ...deps.info });
    respond(response(status, undefined, reason));
  };

  if (deps.onFind === undefined) return failed(FindResponseStatus.SopClassNotSupported, 'C-FIND not served');
  if (dataset === undefined)
    return failed(FindResponseStatus.IdentifierDoesNotMatchSopClass, 'No identifier');
  let result;
  try {
    result = await deps.onFind(dataset.getElements(), { ...deps.info, sopClassUid });
  } catch (error) {
    return failed(FindResponseStatus.UnableToProcess, 'Query failed', error);
  }
  if (!result.ok) return failed(result.status, result.comment);
  if (deps.cancelled()) return respond(response(FindResponseStatus.Cancel));
  respond(
    ...result.matches.map((match) => response(FindResponseStatus.Pending, match)),
    response(FindResponseStatus.Success),
  );
}
