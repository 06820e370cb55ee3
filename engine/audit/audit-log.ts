/**
 * The audit log over the SQL port (schema in engine/db/migrations/003_audit_log.sql): append-only,
 * each row hash-chained to the one before, so an edit, a deletion or a reordering is found by verify().
 */
import type { SqlClient, SqlQueryable } from '../db/sql.ts';
import { GENESIS_HASH, chainHash, chainProblem } from './chain.ts';
import { validateEntry } from './validate.ts';
import type { AuditAction, AuditEntry, AuditFilter, AuditRecord, AuditVerifyResult } from './types.ts';

/**
 * Serializes appends across every engine process on one database (advisory locks are per database).
 * Distinct from migrate.ts's 7242001.
 */
const APPEND_LOCK = 7242003;
const VERIFY_PAGE = 500;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const SEQ = /^[1-9][0-9]{0,18}$/;

/**
 * at as text with microseconds, not as a driver Date: the hash needs the exact stored value, and a
 * sub-millisecond edit must show (it then hashes differently from the millisecond value written).
 */
const COLUMNS = `seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_text, actor, actor_role,
  action, target, remote_address, detail, prev_hash, hash`;

interface AuditRow {
  seq: string;
  at_text: string;
  actor: string;
  actor_role: string | null;
  action: string;
  target: string | null;
  remote_address: string | null;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

/** '2026-01-02T03:04:05.678000' -> '2026-01-02T03:04:05.678Z'; keeps all six digits when they are not. */
function isoFromStored(text: string): string {
  return text.endsWith('000') ? `${text.slice(0, -3)}Z` : `${text}Z`;
}

function toChainFields(r: AuditRow) {
  return {
    seq: r.seq,
    at: isoFromStored(r.at_text),
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action,
    target: r.target,
    remoteAddress: r.remote_address,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    seq: r.seq,
    at: new Date(isoFromStored(r.at_text)),
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action as AuditAction,
    target: r.target,
    remoteAddress: r.remote_address,
    detail: (r.detail ?? {}) as AuditRecord['detail'],
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function assertSeq(name: string, value: string | undefined): void {
  if (value !== undefined && !SEQ.test(value)) throw new RangeError(`${name} is not an audit seq: ${value}`);
}

export interface AuditLogOptions {
  readonly now?: () => Date;
  /** Rows read per query by verify(); memory stays bounded by this, whatever the log's length. */
  readonly verifyPageSize?: number;
}

export class AuditLog {
  // TS-private, not #private: wrappers built with Object.create or a Proxy keep working.
  private readonly db: SqlClient;
  private readonly now: () => Date;
  private readonly verifyPage: number;

  /** `now` is for tests; a Date holds whole milliseconds, so whatever it returns hashes exactly. */
  constructor(db: SqlClient, options: AuditLogOptions = {}) {
    this.db = db;
    this.now = options.now ?? (() => new Date());
    this.verifyPage = options.verifyPageSize ?? VERIFY_PAGE;
    if (!Number.isInteger(this.verifyPage) || this.verifyPage < 1) {
      throw new RangeError(`verifyPageSize must be a positive integer, not ${this.verifyPage}`);
    }
  }

  /**
   * One transaction: take the append lock, read the last hash, draw the seq, insert. The lock is
   * held until commit, so the next append sees this row; seq is drawn under the lock, so seq order
   * is chain order (a rolled-back append leaves a gap in seq, never in the chain).
   */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    validateEntry(entry);
    // Whole milliseconds by construction: the hashed value is exactly what timestamptz stores.
    const at = this.now();
    if (Number.isNaN(at.getTime())) throw new RangeError('audit clock returned an invalid date');
    return this.db.transaction(async (tx: SqlQueryable) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
      const next = await tx.query<{ seq: string }>(
        `SELECT nextval(pg_get_serial_sequence('audit_log', 'seq'))::text AS seq`,
      );
      const fields = {
        seq: next.rows[0]!.seq,
        at: at.toISOString(),
        actor: entry.actor,
        actorRole: entry.actorRole ?? null,
        action: entry.action,
        target: entry.target ?? null,
        remoteAddress: entry.remoteAddress ?? null,
        detail: entry.detail ?? {},
        prevHash,
      };
      const hash = chainHash(fields);
      const { rows } = await tx.query<AuditRow>(
        `INSERT INTO audit_log (seq, at, actor, actor_role, action, target, remote_address, detail, prev_hash, hash)
         VALUES ($1::bigint, $2::timestamptz, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10)
         RETURNING ${COLUMNS}`,
        [
          fields.seq,
          fields.at,
          fields.actor,
          fields.actorRole,
          fields.action,
          fields.target,
          fields.remoteAddress,
          JSON.stringify(fields.detail),
          prevHash,
          hash,
        ],
      );
      return toRecord(rows[0]!);
    });
  }

  async list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const limit = filter.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT}, not ${limit}`);
    }
    assertSeq('afterSeq', filter.afterSeq);
    assertSeq('beforeSeq', filter.beforeSeq);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.target !== undefined) add('target = ?', filter.target);
    if (filter.from !== undefined) add('at >= ?::timestamptz', filter.from.toISOString());
    if (filter.to !== undefined) add('at < ?::timestamptz', filter.to.toISOString());
    if (filter.afterSeq !== undefined) add('seq > ?::bigint', filter.afterSeq);
    if (filter.beforeSeq !== undefined) add('seq < ?::bigint', filter.beforeSeq);
    params.push(limit);
    const { rows } = await this.db.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY seq ${filter.order === 'desc' ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * Walks the whole chain in seq order, a page at a time, and reports the first row whose link or
   * content does not hold. An edited row is reported at itself; an edited row whose hash was
   * recomputed too, or a deleted row, at the row after it. (Rows removed from the end leave no trace
   * in the chain itself: compare `rows` or the last hash with a copy kept elsewhere.)
   */
  async verify(): Promise<AuditVerifyResult> {
    let expectedPrev = GENESIS_HASH;
    let cursor = '0';
    let rows = 0;
    for (;;) {
      const page = await this.db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_log WHERE seq > $1::bigint ORDER BY seq LIMIT $2`,
        [cursor, this.verifyPage],
      );
      for (const row of page.rows) {
        rows += 1;
        const problem = chainProblem(toChainFields(row), expectedPrev);
        if (problem !== null) return { ok: false, firstBadSeq: row.seq, reason: problem, rows };
        expectedPrev = row.hash;
        cursor = row.seq;
      }
      if (page.rows.length < this.verifyPage) return { ok: true, rows };
    }
  }
}
