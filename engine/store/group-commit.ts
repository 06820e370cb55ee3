/**
 * Group commit around MessageStore.ingest: every listener connection waits for its message to be
 * durable before ACKing, and they share transactions instead of paying one commit each. While one
 * batch commits, new requests queue; they all go in the next batch (natural batching, no timers, so
 * a lone sender pays no added latency).
 */
import type { IngestRequest, IngestResult, MessageStore } from './types.ts';
import { ingestRequestProblem } from './validate.ts';

export interface GroupCommitOptions {
  /** Most requests in one transaction (bounds its size and the statement parameters). Default 256. */
  readonly maxBatch?: number;
}

export interface GroupCommitStats {
  readonly batches: number;
  readonly requests: number;
  readonly failedBatches: number;
  readonly largestBatch: number;
}

interface Pending {
  readonly req: IngestRequest;
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommitIngestor {
  readonly #store: Pick<MessageStore, 'ingest'>;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;
  #stats = { batches: 0, requests: 0, failedBatches: 0, largestBatch: 0 };

  constructor(store: Pick<MessageStore, 'ingest'>, opts: GroupCommitOptions = {}) {
    const maxBatch = opts.maxBatch ?? 256;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`maxBatch must be a positive integer, not ${maxBatch}`);
    }
    this.#store = store;
    this.#maxBatch = maxBatch;
  }

  /**
   * Resolves once the request is committed, with what to answer the sender. Rejects when its batch
   * failed (nothing of the batch was committed: the listener must NAK, never ACK).
   */
  ingest(req: IngestRequest): Promise<IngestResult> {
    if (this.#closed) return Promise.reject(new Error('group commit ingestor is closed'));
    // Refused alone: a malformed request must not fail the batch it would have shared.
    const problem = ingestRequestProblem(req);
    if (problem !== null) return Promise.reject(new TypeError(`invalid ingest request: ${problem}`));
    return new Promise<IngestResult>((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves when every request made before the call has been committed or rejected. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Refuses new requests and waits for the queued ones. The store is the caller's to close. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  get stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  async #drain(): Promise<void> {
    // Yield to the event loop, not just the microtask queue: every socket that is readable now gets
    // its frame in first. PGlite runs a statement synchronously within microtasks, so without this
    // the first request of a poll phase would commit alone and batches would never form.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0, this.#maxBatch));
    } finally {
      this.#draining = null;
    }
  }

  async #commit(batch: readonly Pending[]): Promise<void> {
    this.#stats.batches += 1;
    this.#stats.requests += batch.length;
    this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
    let results: IngestResult[];
    try {
      results = await this.#store.ingest(batch.map((p) => p.req));
      if (results.length !== batch.length) {
        throw new Error(`store answered ${results.length} results for a batch of ${batch.length}`);
      }
    } catch (err) {
      this.#stats.failedBatches += 1;
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }
}
