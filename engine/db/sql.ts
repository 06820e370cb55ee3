/**
 * The one SQL port. Both adapters speak PostgreSQL: PGlite (embedded, in-process) and `pg` (server).
 * Everything that persists (message store, FHIR store, dispatcher state) is written against this.
 */
export interface SqlResult<R> {
  readonly rows: R[];
  readonly affectedRows: number;
}

export interface SqlQueryable {
  /** One statement with $1..$n parameters. Buffers map to bytea, objects to json/jsonb. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

export interface SqlClient extends SqlQueryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: commit when it resolves, rollback when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * The same database for the ingest path, where a sender waits for its ACK: ahead of background
   * work on PGlite (one statement at a time), on connections of its own on a server.
   */
  forIngest(): SqlClient;
  close(): Promise<void>;
}
