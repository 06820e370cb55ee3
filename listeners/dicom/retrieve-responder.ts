/**
 * Answers one C-MOVE or C-GET on an association. Both resolve the identifier to instances
 * (RetrieveSource), run the C-STORE sub-operations one at a time with a Pending response (counts of
 * remaining, completed, failed and warning sub-operations) after each, then a final response with
 * the totals. C-MOVE sends over a new association to the move destination, which must be a
 * configured remote AE (else 0xA801); C-GET sends back over the requesting association (the caller
 * supplies `sendBack`). A C-CANCEL stops before the next sub-operation (final status 0xFE00).
 * A final response after failed sub-operations (0xB000 some failed, 0xA702 all failed, or 0xFE00
 * cancelled) carries the Failed SOP Instance UID List (0008,0058) as its identifier (PS3.4
 * C.4.2.1.4.3 and C.4.3.1.3.3). When the move destination cannot be reached, every sub-operation
 * counts as failed. Never logs identifiers or UIDs.
 */
import {
  CGetResponse,
  CMoveResponse,
  DimseDatasetClass,
  type CGetRequest,
  type CGetResponseType,
  type CMoveRequest,
  type CMoveResponseType,
} from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import type { Identifier } from '../../engine/dicom/find/identifier.ts';
import type { LoadedInstance, RetrieveSource } from '../../engine/dicom/retrieve/retrieve-source.ts';
import {
  RetrieveStatus,
  finalStatus,
  runSubOperations,
  type SubOperationCounts,
} from '../../engine/dicom/retrieve/sub-operations.ts';
import { StoreScu } from './store-scu.ts';
import type { DicomServerEvent } from './types.ts';

type RetrieveRequest = CMoveRequest | CGetRequest;
type RetrieveResponse = CMoveResponseType | CGetResponseType;

export interface RetrieveResponderDeps {
  readonly source: RetrieveSource | undefined;
  /** Our AE title: the calling AE of C-MOVE sub-associations. */
  readonly aeTitle: string;
  readonly info: { readonly callingAe: string; readonly remoteAddress: string };
  /** Sends one response on the requesting association (may be called many times). */
  readonly respond: (response: RetrieveResponse) => void;
  readonly cancelled: () => boolean;
  readonly closed: () => boolean;
  readonly onEvent: (event: DicomServerEvent) => void;
}

const comment64 = (text: string): string => text.slice(0, 64);

function build(
  request: RetrieveRequest,
  kind: 'move' | 'get',
  status: number,
  counts?: Partial<SubOperationCounts>,
  comment?: string,
  failedUids: readonly string[] = [],
): RetrieveResponse {
  const response =
    kind === 'move'
      ? CMoveResponse.fromRequest(request as CMoveRequest)
      : CGetResponse.fromRequest(request as CGetRequest);
  response.setAffectedSopClassUid(String(request.getAffectedSopClassUid() ?? ''));
  response.setStatus(status);
  if (counts?.remaining !== undefined) response.setRemaining(counts.remaining);
  if (counts?.completed !== undefined) response.setCompleted(counts.completed);
  if (counts?.failed !== undefined) response.setFailures(counts.failed);
  if (counts?.warning !== undefined) response.setWarnings(counts.warning);
  if (comment !== undefined) response.setErrorComment(comment64(comment));
  if (failedUids.length > 0) {
    // Identifiers go in implicit VR little endian unless the context says otherwise; dcmjs-dimse
    // re-encodes to the accepted syntax when they differ.
    response.setDataset(new DimseDatasetClass({ FailedSOPInstanceUIDList: [...failedUids] }));
  }
  return response;
}

function identifierOf(request: RetrieveRequest): Identifier | undefined {
  return request.getDataset()?.getElements() as Identifier | undefined;
}

/** The Move Destination (0000,0600) of a C-MOVE request's command set. */
function moveDestination(request: CMoveRequest): string {
  const elements = request.getCommandDataset().getElements() as Record<string, unknown>;
  const value = elements['MoveDestination'];
  return typeof value === 'string' ? value.trim() : '';
}

async function run(
  request: RetrieveRequest,
  kind: 'move' | 'get',
  deps: RetrieveResponderDeps,
  open: (
    instances: readonly LoadedInstanceSyntax[],
  ) => Promise<
    | { ok: true; send: (o: LoadedInstance) => Promise<number>; close: () => Promise<void> }
    | { ok: false; status: number; comment: string; error?: unknown }
  >,
): Promise<void> {
  const respond = (
    status: number,
    counts?: Partial<SubOperationCounts>,
    comment?: string,
    failedUids?: readonly string[],
  ): void => {
    if (!deps.closed()) deps.respond(build(request, kind, status, counts, comment, failedUids));
  };
  const failed = (status: number, reason: string, error?: unknown): void => {
    deps.onEvent({ type: 'retrieve-failed', kind, status, reason, error, ...deps.info });
    respond(status, undefined, reason);
  };
  const sopClassUid = String(request.getAffectedSopClassUid() ?? '');
  if (deps.source === undefined) return failed(RetrieveStatus.SopClassNotSupported, 'Retrieve not served');
  const identifier = identifierOf(request);
  if (identifier === undefined) return failed(RetrieveStatus.IdentifierDoesNotMatch, 'No identifier');
  const resolved = await deps.source.resolve(identifier, sopClassUid);
  if (!resolved.ok) return failed(resolved.status, resolved.comment);
  if (resolved.instances.length === 0)
    return respond(RetrieveStatus.Success, { completed: 0, failed: 0, warning: 0 });
  const channel = await open(resolved.instances);
  if (!channel.ok) {
    const { status, comment, error } = channel;
    deps.onEvent({ type: 'retrieve-failed', kind, status, reason: comment, error, ...deps.info });
    if (status === RetrieveStatus.MoveDestinationUnknown) return respond(status, undefined, comment);
    // No sub-operation could run: each one failed (PS3.4 C.4.2.1.5, 0xA702 with the counts).
    const failedUids = resolved.instances.map((i) => i.sopInstanceUid);
    return respond(status, { completed: 0, failed: failedUids.length, warning: 0 }, comment, failedUids);
  }
  let result;
  try {
    result = await runSubOperations(resolved.instances, {
      source: deps.source,
      send: channel.send,
      cancelled: deps.cancelled,
      progress: (counts) => {
        if (counts.remaining > 0) respond(RetrieveStatus.Pending, counts);
      },
    });
  } finally {
    await channel.close();
  }
  const status = finalStatus(result);
  const { completed, failed: failures, warning } = result.counts;
  if (status !== RetrieveStatus.Success) {
    deps.onEvent({
      type: 'retrieve-failed',
      kind,
      status,
      reason: `${failures} of ${resolved.instances.length} sub-operations failed`,
      ...deps.info,
    });
  }
  respond(
    status,
    {
      ...(result.cancelled ? { remaining: result.counts.remaining } : {}),
      completed,
      failed: failures,
      warning,
    },
    undefined,
    result.failedUids,
  );
}

type LoadedInstanceSyntax = Pick<LoadedInstance, 'sopClassUid' | 'transferSyntaxUid'>;

/** Never rejects: an unexpected failure is reported and answered 0xC000 if the association still stands. */
async function guarded(
  request: RetrieveRequest,
  kind: 'move' | 'get',
  deps: RetrieveResponderDeps,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.onEvent({
      type: 'retrieve-failed',
      kind,
      status: RetrieveStatus.UnableToProcess,
      reason: 'Retrieve failed',
      error,
      ...deps.info,
    });
    try {
      if (!deps.closed()) deps.respond(build(request, kind, RetrieveStatus.UnableToProcess));
    } catch {
      // Nothing more can be said on this association.
    }
  }
}

export function answerMove(request: CMoveRequest, deps: RetrieveResponderDeps): Promise<void> {
  return guarded(request, 'move', deps, () =>
    run(request, 'move', deps, async (instances) => {
      const destination = moveDestination(request);
      const remote = destination === '' ? undefined : deps.source?.remoteAe(destination);
      if (remote === undefined) {
        return {
          ok: false,
          status: RetrieveStatus.MoveDestinationUnknown,
          comment: 'Move destination unknown',
        };
      }
      let scu: StoreScu;
      try {
        scu = await StoreScu.open({
          host: remote.host,
          port: remote.port,
          callingAe: deps.aeTitle,
          calledAe: remote.aeTitle,
          syntaxes: instances,
        });
      } catch (error) {
        return {
          ok: false,
          status: RetrieveStatus.UnableToPerformSubOperations,
          comment: 'Association to the move destination failed',
          error,
        };
      }
      const originator = { aeTitle: deps.info.callingAe, messageId: request.getMessageId() };
      return {
        ok: true,
        send: async (object) => (await scu.store(object, originator)).status,
        close: () => scu.release(),
      };
    }),
  );
}

export function answerGet(
  request: CGetRequest,
  deps: RetrieveResponderDeps,
  sendBack: (object: LoadedInstance) => Promise<number>,
): Promise<void> {
  return guarded(request, 'get', deps, () =>
    run(request, 'get', deps, async () => ({ ok: true, send: sendBack, close: async () => {} })),
  );
}
