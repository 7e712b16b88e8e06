import type { Clock } from '../../src/domain/ports/clock.js';

/** A clock that moves only when a test moves it. */
export function createFakeClock(start: string | Date = '2026-11-27T01:00:00.000Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    set: (at: string | Date) => {
      now = new Date(at).getTime();
    },
    advance: (ms: number) => {
      now += ms;
    },
  } satisfies Clock & Record<string, unknown>;
}

export type FakeClock = ReturnType<typeof createFakeClock>;
