import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait.ts';
import { WakeLoop, type WakeLoopWork } from './wake-loop.ts';

/** Work that counts its passes; each pass can be held open, fail, or throw. */
function countingWork(options: { nextWakeMs?: number; retryAfterFailureMs?: number } = {}) {
  const state = {
    passes: 0,
    errors: [] as unknown[],
    fail: false,
    throwNext: null as Error | null,
    hold: null as Promise<void> | null,
  };
  const work: WakeLoopWork = {
    async drainDue() {
      state.passes++;
      if (state.hold) await state.hold;
      if (state.throwNext) {
        const err = state.throwNext;
        state.throwNext = null;
        throw err;
      }
      return !state.fail;
    },
    nextWakeMs: async () => options.nextWakeMs ?? 60_000,
    retryAfterFailureMs: options.retryAfterFailureMs ?? 60_000,
    onError: (err) => state.errors.push(err),
  };
  return { state, work };
}

describe('WakeLoop', () => {
  it('runs one pass on start and one more for a kick that came while a pass ran', async () => {
    const { state, work } = countingWork();
    const loop = new WakeLoop(work);
    let release!: () => void;
    state.hold = new Promise<void>((r) => (release = r));
    loop.start();
    await waitFor(() => state.passes === 1, 'first pass', 2000);
    loop.kick();
    loop.kick();
    state.hold = null;
    release();
    await waitFor(() => state.passes === 2, 'second pass', 2000);
    await loop.settled();
    expect(state.passes).toBe(2);
    await loop.stop();
  });

  it('wakes itself after nextWakeMs, and after retryAfterFailureMs when a pass failed or threw', async () => {
    const { state, work } = countingWork({ nextWakeMs: 20, retryAfterFailureMs: 20 });
    const loop = new WakeLoop(work);
    loop.start();
    await waitFor(() => state.passes >= 3, 'timer passes', 2000);
    state.fail = true;
    const failedAt = state.passes;
    await waitFor(() => state.passes >= failedAt + 2, 'passes after failures', 2000);
    state.fail = false;
    state.throwNext = new Error('store down');
    await waitFor(() => state.errors.length === 1, 'error reported', 2000);
    const thrownAt = state.passes;
    await waitFor(() => state.passes > thrownAt, 'pass after the thrown error', 2000);
    expect((state.errors[0] as Error).message).toBe('store down');
    await loop.stop();
  });

  it('runs no pass while paused or stopped; pass() then resolves at once', async () => {
    const { state, work } = countingWork();
    const loop = new WakeLoop(work);
    loop.start();
    await waitFor(() => state.passes === 1, 'first pass', 2000);
    await loop.settled();
    loop.pause();
    expect(loop.isPaused).toBe(true);
    loop.kick();
    await loop.pass();
    expect(state.passes).toBe(1);
    loop.resume();
    await waitFor(() => state.passes === 2, 'pass after resume', 2000);
    await loop.settled();
    await loop.pass();
    expect(state.passes).toBe(3);
    await loop.stop();
    loop.kick();
    await loop.pass();
    expect(state.passes).toBe(3);
  });
});
