/**
 * One DICOM association, as a dcmjs-dimse Scp: checks called and calling AE titles, negotiates
 * presentation contexts (Verification and every storage SOP class), answers C-ECHO, and hands each
 * C-STORE to onStore as a Part-10 file built from the bytes as received. The C-STORE response is
 * sent only after onStore settled: success if it resolved, a failure status otherwise. C-FIND goes
 * to onFind through find-responder.ts, and a C-CANCEL marks its request cancelled.
 */
import type { Socket } from 'node:net';
import {
  AbortReason,
  AbortSource,
  CEchoResponse,
  CStoreResponse,
  DimseDatasetClass,
  DimseStatus,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  RejectSource,
  Scp,
  type Association,
  type CEchoRequest,
  type CEchoResponseType,
  type CCancelRequest,
  type CFindRequest,
  type CFindResponseType,
  type CGetRequest,
  type CGetResponseType,
  type CMoveRequest,
  type CMoveResponseType,
  type CStoreRequest,
  type CStoreResponseType,
  type DimseDataset,
  type PresentationContext,
} from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import { decideContext } from '../../engine/dicom/dimse/negotiation.ts';
import { wrapPart10 } from '../../engine/dicom/dimse/part10.ts';
import type { PduGuard } from '../../engine/dicom/dimse/pdu-guard.ts';
import { isUid } from '../../engine/dicom/dimse/uids.ts';
import type { LoadedInstance, RetrieveSource } from '../../engine/dicom/retrieve/retrieve-source.ts';
import { answerFind } from './find-responder.ts';
import { answerGet, answerMove } from './retrieve-responder.ts';
import { GetSender } from './get-sender.ts';
import { StoreSink } from './store-sink.ts';
import type { DicomAllowEntry, DicomServerEvent, OnFind, OnStore } from './types.ts';

/** C-STORE statuses (PS3.4 B.2.3). */
export const StoreStatus = {
  Success: 0x0000,
  OutOfResources: 0xa700,
  CannotUnderstand: 0xc000,
  SopClassNotSupported: 0x0122,
} as const;

export interface ScpSettings {
  readonly aeTitle: string;
  readonly allow: 'any' | readonly DicomAllowEntry[];
  readonly maxPduLength: number;
  readonly maxObjectBytes: number;
  readonly onStore: OnStore;
  /** C-FIND; absent: every C-FIND is answered 0x0122 (SOP class not supported). */
  readonly onFind?: OnFind;
  /** C-MOVE and C-GET; absent: every such request is answered 0x0122 (SOP class not supported). */
  readonly retrieve?: RetrieveSource;
  readonly onEvent: (event: DicomServerEvent) => void;
  /** Registers a running C-STORE so that close() can wait for it. */
  readonly track: (work: Promise<unknown>) => void;
}

interface PendingStore {
  readonly sink: StoreSink;
  readonly context: PresentationContext | undefined;
}

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) compares as plain IPv4. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

export function callingAeAllowed(
  allow: 'any' | readonly DicomAllowEntry[],
  callingAe: string,
  remoteAddress: string,
): boolean {
  if (allow === 'any') return true;
  const remote = normalizeAddress(remoteAddress);
  return allow.some(
    (entry) =>
      entry.aeTitle.trim() === callingAe &&
      (entry.host === undefined || normalizeAddress(entry.host.trim()) === remote),
  );
}

const CONTEXT_RESULT = {
  'abstract-syntax-not-supported': PresentationContextResult.RejectAbstractSyntaxNotSupported,
  'transfer-syntaxes-not-supported': PresentationContextResult.RejectTransferSyntaxesNotSupported,
} as const;

export class SwitchboardScp extends Scp {
  private readonly pendingStores = new WeakMap<CStoreRequest, PendingStore>();
  /** Message IDs of running C-FINDs, C-MOVEs and C-GETs, true once cancelled. */
  private readonly runningFinds = new Map<number, boolean>();
  private callingAe = '';
  private peerMaxPduLength = 0;
  private getSender: GetSender | undefined;
  private readonly remoteAddress: string;

  constructor(
    private readonly conn: Socket,
    private readonly settings: ScpSettings,
    private readonly guard: PduGuard,
  ) {
    super(conn, {});
    this.remoteAddress = normalizeAddress(conn.remoteAddress ?? '');
  }

  override associationRequested(association: Association): void {
    const callingAe = association.getCallingAeTitle();
    const calledAe = association.getCalledAeTitle();
    // The peer's receive limit, before it is replaced by ours (dcmjs-dimse keeps one value for both).
    this.peerMaxPduLength = association.getMaxPduLength();
    this.callingAe = callingAe;
    const reject = (reason: 'called-ae-not-recognized' | 'calling-ae-not-recognized'): void => {
      this.sendAssociationReject(
        RejectResult.Permanent,
        RejectSource.ServiceUser,
        reason === 'called-ae-not-recognized'
          ? RejectReason.CalledAeNotRecognized
          : RejectReason.CallingAeNotRecognized,
      );
      this.conn.end();
      this.settings.onEvent({
        type: 'association-rejected',
        reason,
        callingAe,
        calledAe,
        remoteAddress: this.remoteAddress,
      });
    };
    if (calledAe !== this.settings.aeTitle) return reject('called-ae-not-recognized');
    if (!callingAeAllowed(this.settings.allow, callingAe, this.remoteAddress)) {
      return reject('calling-ae-not-recognized');
    }
    association.setMaxPduLength(this.settings.maxPduLength);
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id);
      const decision = decideContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids());
      if (decision.result === 'accept') {
        context.setResult(PresentationContextResult.Accept, decision.transferSyntaxUid);
      } else {
        context.setResult(CONTEXT_RESULT[decision.result]);
      }
    }
    this.sendAssociationAccept();
    // What was actually advertised: dcmjs-dimse clamps it to its Implementation maximum.
    this.guard.setMaxPDataLength(association.getMaxPduLength());
    this.settings.onEvent({ type: 'association-accepted', callingAe, remoteAddress: this.remoteAddress });
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
    this.conn.end();
  }

  override abort(): void {
    this.conn.destroy();
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponseType) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(DimseStatus.Success);
    callback(response);
  }

  override cFindRequest(request: CFindRequest, callback: (responses: CFindResponseType[]) => void): void {
    const messageId = request.getMessageId();
    this.runningFinds.set(messageId, false);
    const work = answerFind(request, {
      onFind: this.settings.onFind,
      info: { callingAe: this.callingAe, remoteAddress: this.remoteAddress },
      send: callback,
      cancelled: () => this.runningFinds.get(messageId) === true,
      closed: () => this.conn.destroyed,
      onEvent: this.settings.onEvent,
    }).finally(() => this.runningFinds.delete(messageId));
    this.settings.track(work);
  }

  // dcmjs-dimse takes the responses of a request in a single callback call (a second call throws), so
  // the Pending responses of C-MOVE and C-GET go out one by one through sendResponse instead, and the
  // callback is never called.
  override cMoveRequest(request: CMoveRequest, _callback: (responses: CMoveResponseType[]) => void): void {
    const messageId = request.getMessageId();
    this.runningFinds.set(messageId, false);
    const work = answerMove(request, {
      ...this.retrieveDeps(messageId),
      respond: (response) => this.sendResponse(request, response),
    }).finally(() => this.runningFinds.delete(messageId));
    this.settings.track(work);
  }

  override cGetRequest(request: CGetRequest, _callback: (responses: CGetResponseType[]) => void): void {
    const messageId = request.getMessageId();
    this.runningFinds.set(messageId, false);
    this.getSender ??= new GetSender(this, this.conn, this.peerMaxPduLength);
    const sender = this.getSender;
    const work = answerGet(
      request,
      { ...this.retrieveDeps(messageId), respond: (response) => this.sendResponse(request, response) },
      (object: LoadedInstance) => sender.send(object),
    ).finally(() => this.runningFinds.delete(messageId));
    this.settings.track(work);
  }

  private retrieveDeps(messageId: number) {
    return {
      source: this.settings.retrieve,
      aeTitle: this.settings.aeTitle,
      info: { callingAe: this.callingAe, remoteAddress: this.remoteAddress },
      cancelled: () => this.runningFinds.get(messageId) === true,
      closed: () => this.conn.destroyed,
      onEvent: this.settings.onEvent,
    };
  }

  override cCancelRequest(request: CCancelRequest): void {
    const messageId = request.getMessageIdBeingRespondedTo();
    if (this.runningFinds.has(messageId)) this.runningFinds.set(messageId, true);
  }

  override createStoreWritableStream(
    context: PresentationContext | undefined,
    request: CStoreRequest,
  ): StoreSink {
    const sink = new StoreSink(this.settings.maxObjectBytes);
    this.pendingStores.set(request, { sink, context });
    return sink;
  }

  /** dcmjs-dimse wants a Dataset for the request; an empty one, since we never parse what we store. */
  override createDatasetFromStoreWritableStream(
    _writable: unknown,
    context: PresentationContext | undefined,
    callback: (dataset: DimseDataset) => void,
  ): void {
    callback(new DimseDatasetClass({}, context?.getAcceptedTransferSyntaxUid()));
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponseType) => void): void {
    const pending = this.pendingStores.get(request);
    this.pendingStores.delete(request);
    const context = pending?.context;
    if (pending === undefined || context === undefined) {
      // A C-STORE on a presentation context that was never proposed: nothing to answer on.
      this.fail('C-STORE on an unknown presentation context');
      return;
    }
    const work = this.store(request, context, pending.sink).then(({ status, comment }) => {
      if (this.conn.destroyed) return;
      const response = CStoreResponse.fromRequest(request);
      response.setStatus(status);
      if (comment !== undefined) response.setErrorComment(comment);
      callback(response);
    });
    this.settings.track(work);
  }

  /** Ends the association after a protocol violation: A-ABORT, then the connection goes. */
  fail(message: string): void {
    if (this.conn.destroyed) return;
    this.settings.onEvent({ type: 'protocol-error', message, remoteAddress: this.remoteAddress });
    try {
      this.sendAbort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu);
    } finally {
      this.conn.destroy();
    }
  }

  private async store(
    request: CStoreRequest,
    context: PresentationContext,
    sink: StoreSink,
  ): Promise<{ status: number; comment?: string }> {
    const failed = (status: number, reason: string, error?: unknown): { status: number; comment: string } => {
      this.settings.onEvent({
        type: 'store-failed',
        status,
        reason,
        error,
        callingAe: this.callingAe,
        remoteAddress: this.remoteAddress,
      });
      return { status, comment: reason };
    };
    const transferSyntaxUid = context.getAcceptedTransferSyntaxUid();
    const sopClassUid = String(request.getAffectedSopClassUid() ?? '');
    const sopInstanceUid = String(request.getAffectedSopInstanceUid() ?? '');
    if (context.getResult() !== PresentationContextResult.Accept || transferSyntaxUid === undefined) {
      return failed(StoreStatus.SopClassNotSupported, 'Presentation context not accepted');
    }
    if (sopClassUid !== context.getAbstractSyntaxUid()) {
      return failed(StoreStatus.SopClassNotSupported, 'SOP class differs from the presentation context');
    }
    if (!isUid(sopClassUid) || !isUid(sopInstanceUid)) {
      return failed(StoreStatus.CannotUnderstand, 'Invalid affected SOP class or instance UID');
    }
    if (sink.overflowed) {
      return failed(StoreStatus.OutOfResources, `Dataset over ${this.settings.maxObjectBytes} bytes`);
    }
    if (sink.received === 0) return failed(StoreStatus.CannotUnderstand, 'Empty dataset');
    const info = {
      callingAe: this.callingAe,
      remoteAddress: this.remoteAddress,
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid,
    };
    const bytes = wrapPart10(
      { sopClassUid, sopInstanceUid, transferSyntaxUid, sourceAeTitle: this.callingAe },
      sink.chunks,
    );
    try {
      await this.settings.onStore(bytes, info);
      return { status: StoreStatus.Success };
    } catch (error) {
      return failed(StoreStatus.OutOfResources, 'Storage failed', error);
    }
  }
}
