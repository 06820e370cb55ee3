/**
 * Dispatcher port: decides which received message runs next, on which worker. One patient's
 * messages (same partition key) run one at a time in arrival order; different patients in parallel.
 * Adapters: in-process, driven by the store (embedded default); BullMQ on Redis (later).
 */
export interface DispatchItem {
  readonly messageId: string;
  readonly partitionKey: string | null;
}

/** Processes one message to completion (channel results + deliveries committed). Throws = retry later. */
export type MessageHandler = (messageId: string) => Promise<void>;

export interface DispatcherEvents {
  /** A handler threw; the message stays `received` and is retried after `retryInMs`. */
  handlerError(item: DispatchItem, error: unknown, retryInMs: number): void;
  /** Nothing pending or running. */
  idle(): void;
}

export interface Dispatcher {
  start(handler: MessageHandler): Promise<void>;
  /** A message was committed in status `received` (new, or put back by reprocess). */
  notify(item: DispatchItem): void;
  /** Resolves when nothing is pending or running (tests, graceful stop). */
  drain(): Promise<void>;
  /** Stops taking new work and waits for running handlers. */
  stop(): Promise<void>;
  readonly pending: number;
}
