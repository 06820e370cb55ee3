/** The audit log's vocabulary: what may be recorded, and what a recorded row looks like. */

/**
 * Every action the engine records. Reads of content (message.read, fhir.read) are logged as well as
 * changes: who looked at a patient's data is what an audit is usually asked.
 */
export const AUDIT_ACTIONS = [
  'login',
  'login.failed',
  'logout',
  'config.change',
  'message.read',
  'message.search',
  'message.reprocess',
  'delivery.resend',
  'fhir.read',
  'fhir.search',
  'dicom.read',
  'dicom.search',
  'dicom.store',
  'hms.read',
  'channel.state',
  'channel.deploy',
  'user.change',
  'token.change',
  'audit.read',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Ids and codes only (channel id, status code, count), never PHI: no names, identifiers, dates of
 * birth or message text. The log outlives messages and is read by admins who may not see content.
 */
export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEntry {
  /** Username, API token id, or 'system'. */
  readonly actor: string;
  readonly actorRole?: string | null;
  readonly action: AuditAction;
  /** The record acted on, by id: 'message/123', 'Patient/abc', 'channel/adt-in'. */
  readonly target?: string | null;
  readonly remoteAddress?: string | null;
  readonly detail?: AuditDetail;
}

export interface AuditRecord {
  /** bigint as a decimal string. */
  readonly seq: string;
  /** Millisecond precision, as hashed. */
  readonly at: Date;
  readonly actor: string;
  readonly actorRole: string | null;
  readonly action: AuditAction;
  readonly target: string | null;
  readonly remoteAddress: string | null;
  readonly detail: AuditDetail;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditFilter {
  readonly actor?: string;
  readonly action?: AuditAction;
  readonly target?: string;
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  /** Paging cursor: rows after this seq (oldest first) or before it (newest first). */
  readonly afterSeq?: string;
  readonly beforeSeq?: string;
  /** 'asc' (default) = oldest first. */
  readonly order?: 'asc' | 'desc';
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export type AuditVerifyResult =
  | { readonly ok: true; readonly rows: number }
  | { readonly ok: false; readonly firstBadSeq: string; readonly reason: string; readonly rows: number };
