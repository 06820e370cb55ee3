import { describe, expect, it } from 'vitest';
import { LaneScheduler } from './lane-scheduler.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LaneScheduler', () => {
  it('runs one task at a time, ingest first, without starving background work', async () => {
    const scheduler = new LaneScheduler(2);
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const gate = deferred();
    const task = (name: string, wait?: Promise<void>) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (wait) await wait;
      order.push(name);
      running--;
      return name;
    };
    const first = scheduler.run('background', task('b0', gate.promise));
    const rest = [
      scheduler.run('background', task('b1')),
      scheduler.run('background', task('b2')),
      scheduler.run('ingest', task('i1')),
      scheduler.run('ingest', task('i2')),
      scheduler.run('ingest', task('i3')),
      scheduler.run('ingest', task('i4')),
    ];
    expect(scheduler.waiting).toBe(6);
    gate.resolve();
    expect(await first).toBe('b0');
    await Promise.all(rest);
    expect(maxRunning).toBe(1);
    // b0 was running; then ingest in bursts of 2, background in between.
    expect(order).toEqual(['b0', 'i1', 'i2', 'b1', 'i3', 'i4', 'b2']);
  });

  it('passes errors to the caller and keeps going', async () => {
    const scheduler = new LaneScheduler();
    await expect(scheduler.run('ingest', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(scheduler.run('background', async () => 7)).resolves.toBe(7);
  });
});
