/** Options, callbacks and events of the DICOM (DIMSE) listener. */
import type { RetrieveSource } from '../../engine/dicom/retrieve/retrieve-source.ts';

/** A calling AE title allowed to associate, optionally only from one IP address. */
export interface DicomAllowEntry {
  readonly aeTitle: string;
  /** An IP address (v4 or v6, compared literally; IPv4-mapped IPv6 is unwrapped). Any host when absent. */
  readonly host?: string;
}

export interface StoredObjectInfo {
  readonly callingAe: string;
  readonly remoteAddress: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
}

/**
 * Makes one received object durable. Gets a Part-10 file: preamble, a File Meta Information group we
 * wrote, then the dataset bytes exactly as received in the negotiated transfer syntax. The C-STORE
 * response goes out only after this resolves; a rejection becomes a failure status.
 */
export type OnStore = (bytes: Buffer, info: StoredObjectInfo) => Promise<void>;

/** A C-FIND request: who asked, and on which information model (SOP class). */
export interface FindRequestInfo {
  readonly callingAe: string;
  readonly remoteAddress: string;
  readonly sopClassUid: string;
}

/** A C-FIND identifier in dcmjs's naturalized form: keyword -> value (text, numbers, lists, sequences). */
export type FindIdentifier = Readonly<Record<string, unknown>>;

/** Every match (sent as pending responses, then success), or a failure status with a comment. */
export type FindResult =
  | { readonly ok: true; readonly matches: readonly FindIdentifier[] }
  | { readonly ok: false; readonly status: number; readonly comment: string };

/** Answers one C-FIND (Query/Retrieve or Modality Worklist). A rejection becomes status 0xC000. */
export type OnFind = (identifier: FindIdentifier, info: FindRequestInfo) => Promise<FindResult>;

/** Why an association request was refused (A-ASSOCIATE-RJ, PS3.8 9.3.4). */
export type DicomRejectReason =
  | 'called-ae-not-recognized'
  | 'calling-ae-not-recognized'
  | 'protocol-version-not-supported'
  | 'application-context-not-supported';

/**
 * Why an association (or a connection that never became one) ended without a release:
 * unknown-pdu-type, pdu-too-long and malformed-pdu are bytes we could not take; unexpected-pdu a PDU
 * or DIMSE message out of place (a release with a dataset half sent, P-DATA on a context never
 * accepted); peer-abort an A-ABORT from the peer; connection-lost a connection closed (or reset, or
 * timed out) mid-association; connection-limit a connection refused because maxAssociations were open.
 */
export type DicomAbortCode =
  | 'unknown-pdu-type'
  | 'pdu-too-long'
  | 'malformed-pdu'
  | 'unexpected-pdu'
  | 'peer-abort'
  | 'connection-lost'
  | 'connection-limit';

export type DimseOperation = 'C-ECHO' | 'C-STORE' | 'C-FIND' | 'C-MOVE' | 'C-GET';

export type DicomServerEvent =
  | {
      readonly type: 'association-rejected';
      readonly reason: DicomRejectReason;
      readonly callingAe: string;
      readonly calledAe: string;
      readonly remoteAddress: string;
    }
  | {
      readonly type: 'association-accepted';
      readonly callingAe: string;
      readonly remoteAddress: string;
      /** Proposed abstract syntaxes (SOP class UIDs) refused: not served (result 3) or no usable transfer syntax (result 4). */
      readonly rejectedContexts: {
        readonly abstractSyntax: readonly string[];
        readonly transferSyntax: readonly string[];
      };
    }
  | {
      readonly type: 'association-aborted';
      readonly code: DicomAbortCode;
      /** Whether the association had been accepted (false: it ended during or before negotiation). */
      readonly accepted: boolean;
      /** A C-STORE dataset was being received and was dropped (never stored). */
      readonly incompleteStore: boolean;
      /** Technical detail for debug logs: PDU types and lengths, never dataset content. */
      readonly message: string;
      readonly callingAe: string;
      readonly remoteAddress: string;
    }
  | {
      /** The final response of a DIMSE operation we served, with its status. */
      readonly type: 'operation-completed';
      readonly operation: DimseOperation;
      readonly status: number;
      readonly callingAe: string;
    }
  | {
      readonly type: 'store-failed';
      readonly status: number;
      readonly reason: string;
      readonly error?: unknown;
      readonly callingAe: string;
      readonly remoteAddress: string;
    }
  | {
      readonly type: 'find-failed';
      readonly status: number;
      readonly reason: string;
      readonly error?: unknown;
      readonly callingAe: string;
      readonly remoteAddress: string;
    }
  | {
      readonly type: 'retrieve-failed';
      readonly kind: 'move' | 'get';
      readonly status: number;
      readonly reason: string;
      readonly error?: unknown;
      readonly callingAe: string;
      readonly remoteAddress: string;
    }
  | { readonly type: 'server-error'; readonly message: string };

export interface DicomServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Our AE title, the only called AE title accepted. Default SWITCHBOARD. */
  readonly aeTitle?: string;
  readonly allow: 'any' | readonly DicomAllowEntry[];
  /** Largest P-DATA-TF we advertise and accept, 4096..262144 (dcmjs-dimse's own ceiling). Default 16384 (DEFAULT_MAX_PDU_LENGTH). */
  readonly maxPduLength?: number;
  /** Largest dataset we take in one C-STORE; beyond it the bytes are dropped and the answer is 0xA700. Default 1 GiB. */
  readonly maxObjectBytes?: number;
  /** Simultaneous associations; beyond it new connections are refused at TCP level. Default unlimited. */
  readonly maxAssociations?: number;
  readonly onStore: OnStore;
  /** C-FIND SCP (Query/Retrieve FIND and Modality Worklist); without it those SOP classes are refused. */
  readonly onFind?: OnFind;
  /** C-MOVE and C-GET SCP (Query/Retrieve, patient and study root); without it those SOP classes answer 0x0122. */
  readonly retrieve?: RetrieveSource;
  /** For logs and metrics; carries AE titles and addresses, never dataset content. */
  readonly onEvent?: (event: DicomServerEvent) => void;
}

export interface DicomServer {
  readonly port: number;
  /** Stop accepting, let running C-STOREs finish (up to graceMs, default 10 s), then drop every association. */
  close(graceMs?: number): Promise<void>;
}
