/**
 * C-STORE sub-operations of a C-GET, sent back over the requesting association. dcmjs-dimse 0.3.3
 * can issue requests from an Scp (Network.sendRequests), but it re-encodes every dataset through
 * dcmjs and fragments with its own receive limit; so we write the C-STORE-RQ PDUs ourselves
 * (dimse-wire.ts: the stored dataset bytes untouched, fragments within the peer's maximum PDU
 * length) on the association's socket, on a presentation context the peer proposed with the SCP role
 * (role selection) and accepted in the object's stored transfer syntax. The C-STORE-RSP is parsed
 * by dcmjs-dimse, which hands a response to the request in its `pending` list with the same
 * message ID: we register a small stand-in there. That list is dcmjs-dimse internals (0.3.3),
 * checked at run time: if it is missing, sub-operations fail rather than hang.
 *
 * An object goes in its stored transfer syntax when the peer accepted that; otherwise, between the
 * two uncompressed little endian syntaxes only, it is re-framed (le-transcode.ts: element headers
 * only, every value byte kept). Any other mismatch fails that sub-operation (0xA702, counted failed).
 */
import type { Socket } from 'node:net';
import {
  PresentationContextResult,
  type Association,
  type PresentationContext,
} from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import { canTranscode, transcodeLittleEndian } from '../../engine/dicom/dimse/le-transcode.ts';
import { cStoreRqCommand, pDataPdus } from '../../engine/dicom/retrieve/dimse-wire.ts';
import type { LoadedInstance } from '../../engine/dicom/retrieve/retrieve-source.ts';
import { RetrieveStatus } from '../../engine/dicom/retrieve/sub-operations.ts';

/** The dcmjs-dimse Network internals we rely on. */
interface NetworkInternals {
  association?: Association;
  pending?: unknown[];
}

interface PendingStandIn {
  getMessageId(): number;
  raiseResponseEvent(response: { getStatus(): number }): void;
  raiseDoneEvent(): void;
}

const RESPONSE_TIMEOUT_MS = 60_000;
/** dcmjs-dimse message IDs count up from 1; ours count down from the top, so they never meet. */
const FIRST_MESSAGE_ID = 0xffff;

export class GetSender {
  private messageId = FIRST_MESSAGE_ID + 1;

  constructor(
    private readonly network: object,
    private readonly socket: Socket,
    private readonly peerMaxPduLength: number,
  ) {}

  /** Sends one object; resolves to its C-STORE status, or a failure status if it could not be sent. */
  async send(object: LoadedInstance): Promise<number> {
    const internals = this.network as NetworkInternals;
    const pending = internals.pending;
    const context = this.context(internals.association, object);
    if (context === undefined || !Array.isArray(pending) || this.socket.destroyed) {
      return RetrieveStatus.UnableToPerformSubOperations;
    }
    let dataset = object.dataset;
    const sendAs = context.getAcceptedTransferSyntaxUid() ?? object.transferSyntaxUid;
    if (sendAs !== object.transferSyntaxUid) {
      try {
        dataset = transcodeLittleEndian(object.dataset, object.transferSyntaxUid, sendAs);
      } catch {
        return RetrieveStatus.UnableToPerformSubOperations;
      }
    }
    this.messageId = this.messageId <= 0x8000 ? FIRST_MESSAGE_ID : this.messageId - 1;
    const messageId = this.messageId;
    let standIn: PendingStandIn | undefined;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<number>((resolve) => {
      standIn = {
        getMessageId: () => messageId,
        raiseResponseEvent: (response) => resolve(response.getStatus()),
        raiseDoneEvent: () => {},
      };
      timer = setTimeout(() => resolve(RetrieveStatus.UnableToPerformSubOperations), RESPONSE_TIMEOUT_MS);
      this.socket.once('close', () => resolve(RetrieveStatus.UnableToPerformSubOperations));
    });
    pending.push(standIn);
    try {
      const command = cStoreRqCommand({
        messageId,
        sopClassUid: object.sopClassUid,
        sopInstanceUid: object.sopInstanceUid,
      });
      const limit = this.peerMaxPduLength;
      for (const pdu of pDataPdus(context.getPresentationContextId(), command, dataset, limit)) {
        this.socket.write(pdu);
      }
      return await answered;
    } finally {
      clearTimeout(timer);
      const at = pending.indexOf(standIn);
      if (at >= 0) pending.splice(at, 1);
    }
  }

  /** An accepted SCP-role context for the object's SOP class: in its stored syntax if any, else one we can re-frame to. */
  private context(
    association: Association | undefined,
    object: LoadedInstance,
  ): PresentationContext | undefined {
    if (association === undefined) return undefined;
    const usable = association
      .getPresentationContexts()
      .map(({ id }) => association.getPresentationContext(id))
      .filter(
        (context) =>
          context.getAbstractSyntaxUid() === object.sopClassUid &&
          context.getResult() === PresentationContextResult.Accept &&
          context.getProviderRole() === true,
      );
    return (
      usable.find((c) => c.getAcceptedTransferSyntaxUid() === object.transferSyntaxUid) ??
      usable.find((c) => canTranscode(object.transferSyntaxUid, c.getAcceptedTransferSyntaxUid() ?? ''))
    );
  }
}
