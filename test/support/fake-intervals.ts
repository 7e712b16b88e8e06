import type { IntervalTimers } from '../../src/services/receiver-hub.js';

/** The push hub's timers, run when the test says: `tick` fires every interval once. */
export function fakeIntervals() {
  const running = new Map<number, () => void>();
  const deferred: (() => void)[] = [];
  let next = 0;
  const timers: IntervalTimers = {
    setInterval: (fn) => (running.set(++next, fn), next),
    clearInterval: (h) => void running.delete(h as number),
    defer: (fn) => void deferred.push(fn),
  };
  return {
    timers,
    tick: () => [...running.values()].forEach((fn) => fn()),
    count: () => running.size,
    /** Runs deferred work one turn at a time; returns how many turns it took. */
    drain: () => {
      let turns = 0;
      for (let fn = deferred.shift(); fn; fn = deferred.shift(), turns++) fn();
      return turns;
    },
  };
}
