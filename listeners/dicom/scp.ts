/**
 * One DICOM association, as a dcmjs-dimse Scp: checks the protocol version, application context,
 * called and calling AE titles (else A-ASSOCIATE-RJ), negotiates presentation contexts
 * (Verification, every storage SOP class, Query/Retrieve and Worklist), answers C-ECHO, and hands
 * each C-STORE to store-handler.ts. C-FIND goes to find-responder.ts, C-MOVE and C-GET to
 * retrieve-responder.ts, and a C-CANCEL marks its request cancelled.
 *
 * It also keeps the association's state, so that whatever ends it other than a release is reported
 * once, with a code (types.ts DicomAbortCode): a PDU out of place or unreadable gets an A-ABORT from
 * us (source 2, PS3.8 9.3.8) and the connection goes; an A-ABORT from the peer or a lost connection
 * drops whatever C-STORE dataset was half received (it is never stored).
 */
import type { Socket } from 'node:net';
import {
  CEchoResponse,
  DimseStatus,
  PresentationContextResult,
  RejectResult,
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
  type PresentationContext,
} from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import {
  ProviderAbortReason,
  REJECT_SOURCE_AND_REASON,
  checkAssociateRqHead,
  providerAbortPdu,
} from '../../engine/dicom/dimse/associate-rq-check.ts';
import { decideContext } from '../../engine/dicom/dimse/negotiation.ts';
import { part10Header } from '../../engine/dicom/dimse/part10.ts';
import { isUid } from '../../engine/dicom/dimse/uids.ts';
import type { PduGuard } from '../../engine/dicom/dimse/pdu-guard.ts';
import type { LoadedInstance, RetrieveSource } from '../../engine/dicom/retrieve/retrieve-source.ts';
import { answerFind } from './find-responder.ts';
import { answerGet, answerMove } from './retrieve-responder.ts';
import { GetSender } from './get-sender.ts';
import { handleStore } from './store-handler.ts';
import type { StoreCommand } from './pdata-router.ts';
import { StoreAssembler } from './store-assembler.ts';
import { storeResponsePdu } from './store-response-pdu.ts';
import type {
  DicomAbortCode,
  DicomAllowEntry,
  DicomRejectReason,
  DicomServerEvent,
  DimseOperation,
  OnFind,
  OnStore,
} from './types.ts';

export { StoreStatus } from './store-handler.ts';

/** After our A-ABORT, how long the peer gets to read it before the connection is cut. */
const ABORT_LINGER_MS = 2000;

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

const FINAL = (status: number): boolean => status !== 0xff00 && status !== 0xff01;

export class SwitchboardScp extends Scp {
  /** Message IDs of running C-FINDs, C-MOVEs and C-GETs, true once cancelled. */
  private readonly runningFinds = new Map<number, boolean>();
  private callingAe = '';
  private peerMaxPduLength = 0;
  private association: Association | undefined;
  /** Size of this association's last object: the next one's buffer starts that big. */
  private lastObjectSize = 0;
  private getSender: GetSender | undefined;
  private readonly remoteAddress: string;
  /** negotiating -> accepted -> ended (released, aborted, lost), or negotiating -> ended (rejected). */
  private state: 'negotiating' | 'accepted' | 'ended' = 'negotiating';
  /** A C-STORE dataset is being received (its command came, its last fragment not yet). */
  private receivingStore = false;

  constructor(
    private readonly conn: Socket,
    private readonly settings: ScpSettings,
    private readonly guard: PduGuard,
  ) {
    super(conn, {});
    this.remoteAddress = normalizeAddress(conn.remoteAddress ?? '');
    // PDUs only a requestor may receive: an SCP getting them is out of step with its peer.
    for (const pdu of ['associationAccepted', 'associationRejected', 'associationReleaseResponse']) {
      this.on(pdu, () => this.abortWith('unexpected-pdu', `unexpected ${pdu}`));
    }
    this.on('networkError', (error: unknown) => this.networkError(error));
    conn.once('close', () => {
      // Closed without a release, an abort or a rejection: the association (or its request) was cut.
      if (this.state === 'accepted' || (this.state === 'negotiating' && this.guard.received > 0)) {
        this.ended('connection-lost', 'connection closed');
      }
    });
  }

  /** The association was accepted and has not ended. */
  isAccepted(): boolean {
    return this.state === 'accepted';
  }

  /** Ends the association: A-ABORT from us (PS3.8 9.3.8, source 2), then the connection goes. */
  abortWith(code: DicomAbortCode, message: string): void {
    if (this.state === 'ended' && this.conn.destroyed) return;
    if (this.state !== 'ended') this.ended(code, message);
    if (this.conn.destroyed) return;
    const reason =
      code === 'unknown-pdu-type'
        ? ProviderAbortReason.UnrecognizedPdu
        : code === 'unexpected-pdu'
          ? ProviderAbortReason.UnexpectedPdu
          : ProviderAbortReason.InvalidPduParameter;
    // No more bytes reach dcmjs-dimse; the abort is flushed, then the connection closed.
    this.conn.pause();
    const linger = setTimeout(() => this.conn.destroy(), ABORT_LINGER_MS);
    linger.unref();
    this.conn.end(providerAbortPdu(reason), () => {
      clearTimeout(linger);
      this.conn.destroy();
    });
  }

  private ended(code: DicomAbortCode, message: string): void {
    if (this.state === 'ended') return;
    const accepted = this.state === 'accepted';
    this.state = 'ended';
    this.settings.onEvent({
      type: 'association-aborted',
      code,
      accepted,
      incompleteStore: this.receivingStore,
      message,
      callingAe: this.callingAe,
      remoteAddress: this.remoteAddress,
    });
  }

  private networkError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // dcmjs-dimse reports socket errors and its idle timeout as "Connection error/timeout".
    if (/Connection (error|timeout)/.test(message)) {
      this.ended('connection-lost', message);
      this.conn.destroy();
      return;
    }
    // Anything else is a PDU it could not read; before the association, a PDU other than the request.
    const outOfPlace = this.state === 'negotiating' && this.guard.lastPduType !== 0x01;
    this.abortWith(outOfPlace ? 'unexpected-pdu' : 'malformed-pdu', message);
  }

  private completed(operation: DimseOperation, status: number): void {
    this.settings.onEvent({ type: 'operation-completed', operation, status, callingAe: this.callingAe });
  }

  override associationRequested(association: Association): void {
    if (this.state !== 'negotiating') {
      this.abortWith('unexpected-pdu', 'A-ASSOCIATE-RQ on an association already negotiated');
      return;
    }
    const callingAe = association.getCallingAeTitle();
    const calledAe = association.getCalledAeTitle();
    // The peer's receive limit, before it is replaced by ours (dcmjs-dimse keeps one value for both).
    this.peerMaxPduLength = association.getMaxPduLength();
    this.callingAe = callingAe;
    this.association = association;
    const reject = (reason: DicomRejectReason): void => {
      const { source, reason: code } = REJECT_SOURCE_AND_REASON[reason];
      this.state = 'ended';
      this.sendAssociationReject(RejectResult.Permanent, source, code);
      this.conn.end();
      this.settings.onEvent({
        type: 'association-rejected',
        reason,
        callingAe,
        calledAe,
        remoteAddress: this.remoteAddress,
      });
    };
    const head = this.guard.associateRqHead();
    const problem = head === undefined ? null : checkAssociateRqHead(head);
    if (problem !== null) return reject(problem);
    if (calledAe !== this.settings.aeTitle) return reject('called-ae-not-recognized');
    if (!callingAeAllowed(this.settings.allow, callingAe, this.remoteAddress)) {
      return reject('calling-ae-not-recognized');
    }
    association.setMaxPduLength(this.settings.maxPduLength);
    const rejectedContexts = { abstractSyntax: [] as string[], transferSyntax: [] as string[] };
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id);
      const abstractSyntax = context.getAbstractSyntaxUid();
      const decision = decideContext(abstractSyntax, context.getTransferSyntaxUids());
      if (decision.result === 'accept') {
        context.setResult(PresentationContextResult.Accept, decision.transferSyntaxUid);
      } else {
        context.setResult(CONTEXT_RESULT[decision.result]);
        const list =
          decision.result === 'abstract-syntax-not-supported'
            ? rejectedContexts.abstractSyntax
            : rejectedContexts.transferSyntax;
        list.push(abstractSyntax.slice(0, 64));
      }
    }
    this.state = 'accepted';
    this.sendAssociationAccept();
    // What was actually advertised: dcmjs-dimse clamps it to its Implementation maximum.
    this.guard.setMaxPDataLength(association.getMaxPduLength());
    this.settings.onEvent({
      type: 'association-accepted',
      callingAe,
      remoteAddress: this.remoteAddress,
      rejectedContexts,
    });
  }

  override associationReleaseRequested(): void {
    if (this.receivingStore) {
      // PS3.7 9.1.1: no release while a message is half sent. Its dataset is dropped, never stored.
      this.abortWith('unexpected-pdu', 'A-RELEASE-RQ during a C-STORE dataset');
      return;
    }
    this.state = 'ended';
    this.sendAssociationReleaseResponse();
    this.conn.end();
  }

  override abort(): void {
    this.ended('peer-abort', 'A-ABORT from the peer');
    this.conn.destroy();
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponseType) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(DimseStatus.Success);
    callback(response);
    this.completed('C-ECHO', DimseStatus.Success);
  }

  override cFindRequest(request: CFindRequest, callback: (responses: CFindResponseType[]) => void): void {
    const messageId = request.getMessageId();
    this.runningFinds.set(messageId, false);
    const work = answerFind(request, {
      onFind: this.settings.onFind,
      info: { callingAe: this.callingAe, remoteAddress: this.remoteAddress },
      send: (responses) => {
        const last = responses.at(-1)?.getStatus();
        if (last !== undefined && FINAL(last)) this.completed('C-FIND', last);
        callback(responses);
      },
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
      respond: (response) => this.respondRetrieve('C-MOVE', request, response),
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
      {
        ...this.retrieveDeps(messageId),
        respond: (response) => this.respondRetrieve('C-GET', request, response),
      },
      (object: LoadedInstance) => sender.send(object),
    ).finally(() => this.runningFinds.delete(messageId));
    this.settings.track(work);
  }

  private respondRetrieve(
    operation: 'C-MOVE' | 'C-GET',
    request: CMoveRequest | CGetRequest,
    response: CMoveResponseType | CGetResponseType,
  ): void {
    const status = response.getStatus();
    if (FINAL(status)) this.completed(operation, status);
    this.sendResponse(request, response);
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

  /** A C-STORE-RQ whose dataset follows (pdata-router.ts): where its fragments go. */
  storeStarted(command: StoreCommand): StoreAssembler | { readonly abort: string } {
    const context = this.contextOf(command.contextId);
    if (context === undefined) return { abort: 'C-STORE on an unknown presentation context' };
    const transferSyntaxUid = context.getAcceptedTransferSyntaxUid();
    // The Part-10 header goes in front of the dataset as it arrives; UIDs it cannot carry are
    // refused by handleStore before the bytes are used.
    const header =
      transferSyntaxUid !== undefined && isUid(command.sopClassUid) && isUid(command.sopInstanceUid)
        ? part10Header({
            sopClassUid: command.sopClassUid,
            sopInstanceUid: command.sopInstanceUid,
            transferSyntaxUid,
            sourceAeTitle: this.callingAe,
          })
        : Buffer.alloc(0);
    this.receivingStore = true;
    return new StoreAssembler(header, this.settings.maxObjectBytes, this.lastObjectSize);
  }

  /** Its last fragment came: store it, and answer once that is settled. */
  storeReceived(command: StoreCommand, dataset: StoreAssembler): void {
    this.receivingStore = false;
    this.lastObjectSize = dataset.part10().length;
    const context = this.contextOf(command.contextId)!;
    const fields = { sopClassUid: command.sopClassUid, sopInstanceUid: command.sopInstanceUid };
    const work = handleStore(fields, context, dataset, {
      callingAe: this.callingAe,
      remoteAddress: this.remoteAddress,
      maxObjectBytes: this.settings.maxObjectBytes,
      onStore: this.settings.onStore,
      onEvent: this.settings.onEvent,
    }).then(({ status, comment }) => {
      this.completed('C-STORE', status);
      if (this.conn.destroyed) return;
      // Written here, not through dcmjs-dimse (which encodes every response with dcmjs):
      // store-response-pdu.ts has the measurement.
      this.conn.write(
        storeResponsePdu({
          presentationContextId: command.contextId,
          messageIdBeingRespondedTo: command.messageId,
          sopClassUid: fields.sopClassUid,
          sopInstanceUid: fields.sopInstanceUid,
          status,
          ...(comment !== undefined ? { errorComment: comment } : {}),
        }),
      );
    });
    this.settings.track(work);
  }

  /** A PDU taken by the router counts as traffic for dcmjs-dimse's PDU timeout (60 s idle). */
  notePdu(): void {
    // Not in dcmjs-dimse's typings: the time of the last PDU its interval timer compares against.
    (this as unknown as { lastPduTime: number }).lastPduTime = Date.now();
  }

  private contextOf(id: number): PresentationContext | undefined {
    return this.association?.getPresentationContexts().find((c) => c.id === id)?.context;
  }
}
