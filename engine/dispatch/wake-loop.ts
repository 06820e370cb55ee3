/**
 * The loop behind a queue kept in a table (HL7 deliveries, DICOM deliveries): one pass at a time,
 * woken by a kick (new rows committed), by a timer (a retry falling due, or the poll interval that
 * finds what nobody announced), and never spinning when the store fails. A kick that arrives while a
 * pass runs is not lost: another pass follows. The queue supplies the work; this owns the state.
 */

export interface WakeLoopWork {
  /**
   * Processes what is due until nothing is (or `active()` turns false). Resolves false when it failed
   * and has reported why itself; throws for a failure it did not report.
   */
  drainDue(active: () => boolean): Promise<boolean>;
  /** Milliseconds until the next look, after a pass that went well. */
  nextWakeMs(): Promise<number>;
  /** The pause after a failed pass. */
  readonly retryAfterFailureMs: number;
  onError(err: unknown): void;
}

export class WakeLoop {
  private running = false;
  private paused = false;
  private kicked = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly work: WakeLoopWork) {}

  get active(): boolean {
    return this.running && !this.paused;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  start(): void {
    this.running = true;
    this.paused = false;
    this.kick();
  }

  /** No pass runs until resume() (a pass under way finishes its current round). */
  pause(): void {
    this.paused = true;
    this.clearTimer();
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  /** Look now rather than at the next timer. */
  kick(): void {
    if (!this.active) return;
    this.kicked = true;
    if (this.loop) return;
    this.loop = this.runLoop().finally(() => {
      this.loop = null;
      // A kick after the pass's last look at the store (while it planned its timer) is not lost.
      if (this.kicked) this.kick();
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    await this.loop;
    this.resolveIdle();
  }

  /** Resolves once the pass under way (if any) has ended. */
  async settled(): Promise<void> {
    await this.loop;
  }

  /**
   * Resolves when `anyDue` says nothing is due (or the loop is stopped or paused), running passes
   * until then; at most `maxPasses` of them (tests).
   */
  async drain(anyDue: () => Promise<boolean>, maxPasses = Number.POSITIVE_INFINITY): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      await this.settled();
      if (!this.active || !(await anyDue())) return;
      await this.pass();
    }
  }

  /** Kicks and resolves when that pass has ended (at once when the loop is stopped or paused). */
  async pass(): Promise<void> {
    if (!this.active) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.kick();
    await idle;
  }

  private async runLoop(): Promise<void> {
    let failed = false;
    try {
      while (this.active && this.kicked && !failed) {
        this.kicked = false;
        failed = !(await this.work.drainDue(() => this.active));
      }
      if (!failed && this.active) this.setTimer(await this.work.nextWakeMs());
    } catch (err) {
      failed = true;
      this.work.onError(err);
    }
    // The store is unreachable or failing: look again in a while instead of spinning.
    if (failed && this.active) this.setTimer(this.work.retryAfterFailureMs);
    this.resolveIdle();
  }

  private setTimer(ms: number): void {
    this.clearTimer();
    // Node timers cap at 2^31-1 ms; a far retry is re-planned when it fires.
    this.timer = setTimeout(() => this.kick(), Math.min(ms, 2 ** 31 - 1));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
