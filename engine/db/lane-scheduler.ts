/**
 * Orders work on a single-threaded database (PGlite runs one statement at a time, in this process).
 * Two lanes: `ingest` (a sender is waiting for its ACK) goes first; `background` (processing,
 * deliveries, sweeps) runs between ingest batches so it is never starved: at most `ingestBurst`
 * ingest operations run in a row while background work waits.
 */
export type Lane = 'ingest' | 'background';

type Task = () => Promise<void>;

export class LaneScheduler {
  private readonly ingest: Task[] = [];
  private readonly background: Task[] = [];
  private busy = false;
  private ingestInARow = 0;

  constructor(private readonly ingestBurst = 4) {}

  run<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task: Task = () => fn().then(resolve, reject);
      (lane === 'ingest' ? this.ingest : this.background).push(task);
      this.pump();
    });
  }

  get waiting(): number {
    return this.ingest.length + this.background.length;
  }

  private next(): Task | undefined {
    const preferIngest =
      this.ingest.length > 0 && (this.ingestInARow < this.ingestBurst || this.background.length === 0);
    if (preferIngest) {
      this.ingestInARow++;
      return this.ingest.shift();
    }
    this.ingestInARow = 0;
    return this.background.shift() ?? this.ingest.shift();
  }

  private pump(): void {
    if (this.busy) return;
    const task = this.next();
    if (!task) return;
    this.busy = true;
    void task().finally(() => {
      this.busy = false;
      // Back to the event loop between tasks: PGlite work resolves within microtasks, so chained
      // tasks would otherwise keep sockets from being read and ingest from ever getting ahead.
      setImmediate(() => this.pump());
    });
  }
}
