import type { Timers } from '../../src/receiver/ports.js';
import type { FakeClock } from './fake-clock.js';

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * Timers on a fake clock. `advanceTo` runs every timer due up to the target in order, moving the clock
 * to each one's due time, and lets the system under test settle (finish its I/O) between them, so a
 * test drives a day of schedule in milliseconds and nothing ever sleeps.
 */
export function createFakeTime(clock: FakeClock) {
  const queue: Pending[] = [];
  let seq = 0;
  const timers: Timers = {
    setTimeout(fn, ms) {
      const timer = { due: clock.now().getTime() + Math.max(0, ms), seq: seq++, fn };
      queue.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      const i = queue.indexOf(handle as Pending);
      if (i >= 0) queue.splice(i, 1);
    },
  };

  async function advanceTo(target: string | number, settle: () => Promise<unknown>): Promise<void> {
    const end = typeof target === 'string' ? Date.parse(target) : target;
    for (;;) {
      await settle();
      queue.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = queue[0];
      if (!next || next.due > end) {
        if (clock.now().getTime() >= end) return;
        clock.set(new Date(end));
        continue;
      }
      queue.shift();
      if (next.due > clock.now().getTime()) clock.set(new Date(next.due));
      next.fn();
    }
  }

  return {
    timers,
    advanceTo,
    advance: (ms: number, settle: () => Promise<unknown>) => advanceTo(clock.now().getTime() + ms, settle),
    pending: () => queue.length,
  };
}

export type FakeTime = ReturnType<typeof createFakeTime>;
