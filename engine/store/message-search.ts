/**
 * Message search for the admin API (GET /api/messages): filters over the stored headers, patient
 * identifiers and channel results, newest first, keyset-paginated by id. No raw content leaves here.
 *
 * Cost at scale (indexes in engine/db/migrations/005_message_search.sql, figures in docs/performance.md):
 *  - controlId, patientId (with or without authority): an index probe, then a sort of the few matches.
 *  - messageType (+ trigger), status, channel: an index scan in id order, or the primary key walked
 *    backwards with the filter when the filter matches many rows; either stops after one page.
 *  - from + to: what the window holds, through the received_at index (see boundedMatch). A `to` alone
 *    walks the primary key down from the newest message: it costs what is newer than `to`.
 *  - q (free text): NOT indexed. Raw content of each candidate row is read and matched, newest first,
 *    until a page is full, so its cost is the number of rows the other filters leave between two pages
 *    (all of them when nothing matches). Combine it with other filters on a large store.
 * Every query is `id < cursor ORDER BY id DESC LIMIT page + 1`.
 */
import type { SqlClient } from '../db/sql.ts';
import { patientIdKey } from './patient-ids.ts';
import { isId, sqlText } from './rows.ts';
import { MESSAGE_STATUSES, type AckCode, type ChannelResultStatus, type MessageStatus } from './types.ts';

export const SEARCH_DEFAULT_LIMIT = 50;
export const SEARCH_MAX_LIMIT = 500;

export interface MessageSearchFilter {
  /** A channel recorded a result for the message (any processing run). */
  readonly channel?: string;
  /** Stored listener id (`mllp:2575`) or listener name (`mllp`, matching every `mllp:*`). */
  readonly listener?: string;
  readonly status?: MessageStatus;
  /** MSH-9.1, e.g. ADT. */
  readonly messageType?: string;
  /** MSH-9.2, e.g. A01. */
  readonly triggerEvent?: string;
  /** MSH-10, exact. */
  readonly controlId?: string;
  /** Any PID-3 repetition's ID (CX.1), exact. */
  readonly patientId?: string;
  /** With patientId: its assigning authority (CX.4.1) must be this. */
  readonly authority?: string;
  /** received_at >= from. */
  readonly from?: Date;
  /** received_at < to. */
  readonly to?: Date;
  /** Substring of the raw message, ASCII letters case-insensitive (see rawTextPatterns). Scans. */
  readonly text?: string;
}

export interface MessageChannelState {
  readonly channelId: string;
  readonly status: ChannelResultStatus;
}

/** A message without its content: what a result list shows. */
export interface MessageSummary {
  readonly id: string;
  readonly receivedAt: Date;
  readonly listener: string;
  readonly remoteAddress: string | null;
  readonly messageType: string | null;
  readonly triggerEvent: string | null;
  readonly controlId: string | null;
  readonly sendingApplication: string | null;
  readonly sendingFacility: string | null;
  readonly status: MessageStatus;
  readonly ackCode: AckCode;
  readonly duplicateOf: string | null;
  readonly processingRuns: number;
  /** Each channel's result in the latest run that recorded any, by channel id. */
  readonly channels: readonly MessageChannelState[];
}

export interface MessageSearchPage {
  readonly items: MessageSummary[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this server issued');
    this.name = 'InvalidCursorError';
  }
}

const CURSOR_PREFIX = 'm1.';

/** Opaque to callers: base64url of a version tag and the last id of the page. */
export function encodeCursor(id: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!isId(id)) throw new InvalidCursorError();
  return id;
}

/** Selected from `messages m`: the summary columns (never raw or ack). */
export const SUMMARY_COLUMNS = `m.id, m.received_at, m.listener, m.remote_address, m.message_type, m.trigger_event,
  m.control_id, m.sending_application, m.sending_facility, m.status, m.ack_code, m.duplicate_of,
  m.processing_runs`;

/**
 * The latest recorded run's channel results of message `m`, as two arrays in channel id order (arrays
 * rather than json: both drivers return text[] as string[]). One primary-key probe per row of the page.
 */
export const CHANNEL_STATES_LATERAL = `LEFT JOIN LATERAL (
    SELECT array_agg(cr.channel_id ORDER BY cr.channel_id) AS channel_ids,
      array_agg(cr.status ORDER BY cr.channel_id) AS channel_statuses
    FROM channel_results cr
    WHERE cr.message_id = m.id
      AND cr.run = (SELECT max(r.run) FROM channel_results r WHERE r.message_id = m.id)
  ) ch ON true`;

export interface SummaryRow {
  id: string;
  received_at: Date;
  listener: string;
  remote_address: string | null;
  message_type: string | null;
  trigger_event: string | null;
  control_id: string | null;
  sending_application: string | null;
  sending_facility: string | null;
  status: MessageStatus;
  ack_code: AckCode;
  duplicate_of: string | null;
  processing_runs: number;
  channel_ids: string[] | null;
  channel_statuses: ChannelResultStatus[] | null;
}

export function toSummary(r: SummaryRow): MessageSummary {
  const statuses = r.channel_statuses ?? [];
  return {
    id: r.id,
    receivedAt: r.received_at,
    listener: r.listener,
    remoteAddress: r.remote_address,
    messageType: r.message_type,
    triggerEvent: r.trigger_event,
    controlId: r.control_id,
    sendingApplication: r.sending_application,
    sendingFacility: r.sending_facility,
    status: r.status,
    ackCode: r.ack_code,
    duplicateOf: r.duplicate_of,
    processingRuns: r.processing_runs,
    channels: (r.channel_ids ?? []).map((channelId, i) => ({ channelId, status: statuses[i]! })),
  };
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Raw content is bytes in whatever charset the sender used. Matching is on bytes decoded as Latin-1
 * (every byte sequence decodes, byte for byte), against the search text encoded as UTF-8 and, when it
 * fits, as Latin-1: a UTF-8 and a Latin-1 message each match their own spelling of "Müller". Case folds
 * for ASCII letters only (other letters match as written). PostgreSQL text cannot hold NUL, so a message
 * with a NUL byte (never valid HL7) is matched on its escape encoding instead.
 */
function rawTextPatterns(text: string): string[] {
  const patterns = new Set([Buffer.from(text, 'utf8').toString('latin1')]);
  if (!/[^\u0000-\u00ff]/.test(text)) patterns.add(text); // eslint-disable-line no-control-regex
  return [...patterns].map((p) => `%${likeLiteral(sqlText(p))}%`);
}

function rawTextMatch(param: (value: unknown) => string, text: string): string {
  const haystack = `(CASE WHEN position('\\x00'::bytea IN m.raw) = 0 THEN convert_from(m.raw, 'LATIN1')
    ELSE encode(m.raw, 'escape') END)`;
  return `(${rawTextPatterns(text)
    .map((p) => `${haystack} ILIKE ${param(p)}`)
    .join(' OR ')})`;
}

/** A filter no stored message can match: the answer is an empty page, not an error. */
const NO_MATCH = Symbol('no match');

/** WHERE conditions and their parameters for a filter; NO_MATCH when nothing can match. */
function conditions(filter: MessageSearchFilter, params: unknown[]): string[] | typeof NO_MATCH {
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  const f = filter;
  if (f.controlId !== undefined) where.push(`m.control_id = ${param(sqlText(f.controlId))}`);
  if (f.patientId !== undefined) {
    const key = patientIdKey(f.patientId, f.authority ?? null);
    if (key === null) return NO_MATCH;
    where.push(`m.patient_ids @> ARRAY[${param(key)}::text]`);
    // The GIN index has no NULL entries: the predicate lets the planner use the partial index.
    where.push('m.patient_ids IS NOT NULL');
  }
  if (f.status !== undefined) {
    if (!MESSAGE_STATUSES.includes(f.status)) return NO_MATCH;
    // A literal from the closed set, not a parameter: the partial status index applies under any plan.
    where.push(`m.status = '${f.status}'`);
  }
  if (f.messageType !== undefined) where.push(`m.message_type = ${param(sqlText(f.messageType))}`);
  if (f.triggerEvent !== undefined) where.push(`m.trigger_event = ${param(sqlText(f.triggerEvent))}`);
  if (f.listener !== undefined) {
    const p = param(sqlText(f.listener));
    where.push(`(m.listener = ${p} OR starts_with(m.listener, ${p} || ':'))`);
  }
  if (f.channel !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM channel_results c WHERE c.channel_id = ${param(sqlText(f.channel))} AND c.message_id = m.id)`,
    );
  }
  if (f.from !== undefined) where.push(`m.received_at >= ${param(f.from)}`);
  if (f.to !== undefined) where.push(`m.received_at < ${param(f.to)}`);
  if (f.text !== undefined && f.text !== '') where.push(rawTextMatch(param, f.text));
  return where;
}

/**
 * Filters whose matches are few or confined to one stretch of the table: a control ID, a patient, a
 * closed time window. For these the page must come from their own index, matches sorted by id. The
 * planner would sometimes rather walk the primary key newest first and filter (it assumes matches are
 * spread evenly, and a patient key missing from the column statistics is estimated at 0.5 % of rows), which
 * reads the whole table for a patient with ten messages, or everything newer than an old window.
 * Ordering by `id + 0` takes that plan away: same order, but no index supplies it.
 */
function boundedMatch(f: MessageSearchFilter): boolean {
  return (
    f.controlId !== undefined || f.patientId !== undefined || (f.from !== undefined && f.to !== undefined)
  );
}

export interface SearchPageRequest {
  /** 1..SEARCH_MAX_LIMIT, default SEARCH_DEFAULT_LIMIT. */
  readonly limit?: number;
  /** nextCursor of the previous page. Throws InvalidCursorError when it is not one. */
  readonly cursor?: string | null;
}

export interface SearchStatement {
  readonly sql: string;
  readonly params: unknown[];
  /** Rows asked for: the page size plus one, which says whether there is a next page. */
  readonly limit: number;
}

/**
 * The one statement a search runs (exported so the benchmark can EXPLAIN exactly it), or null when the
 * filter can match nothing. Validates limit and cursor.
 */
export function searchStatement(
  filter: MessageSearchFilter,
  page: SearchPageRequest = {},
): SearchStatement | null {
  const limit = page.limit ?? SEARCH_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}, not ${limit}`);
  }
  const before = page.cursor ? decodeCursor(page.cursor) : null;
  const params: unknown[] = [];
  const where = conditions(filter, params);
  if (where === NO_MATCH) return null;
  if (before !== null) {
    params.push(before);
    where.push(`m.id < $${params.length}::bigint`);
  }
  params.push(limit + 1);
  const sql = `SELECT m.*, ch.channel_ids, ch.channel_statuses
      FROM (
        SELECT ${SUMMARY_COLUMNS} FROM messages m
        ${where.length > 0 ? `WHERE ${where.join('\n          AND ')}` : ''}
        ORDER BY ${boundedMatch(filter) ? '(m.id + 0)' : 'm.id'} DESC
        LIMIT $${params.length}
      ) m
      ${CHANNEL_STATES_LATERAL}
      ORDER BY m.id DESC`;
  return { sql, params, limit: limit + 1 };
}

export class MessageSearch {
  private readonly db: SqlClient;

  constructor(db: SqlClient) {
    this.db = db;
  }

  async search(filter: MessageSearchFilter, page: SearchPageRequest = {}): Promise<MessageSearchPage> {
    const statement = searchStatement(filter, page);
    if (statement === null) return { items: [], nextCursor: null };
    const { rows } = await this.db.query<SummaryRow>(statement.sql, statement.params);
    const pageSize = statement.limit - 1;
    const items = rows.slice(0, pageSize).map(toSummary);
    const more = rows.length > pageSize;
    return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!.id) : null };
  }
}
