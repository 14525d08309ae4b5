// Time is a dependency so that tests run on a fixed clock and expiry logic is testable.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
