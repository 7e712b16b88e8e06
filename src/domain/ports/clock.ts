/** Time comes from here only, so that services and the dispatcher run on a fake clock in tests. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
