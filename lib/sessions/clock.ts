/** The one time source for every expiry decision. Tests pass a fake one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface FakeClock extends Clock {
  set(at: Date | number): void;
  advance(ms: number): void;
}

/** A clock that only moves when told to. */
export function createFakeClock(start: Date | number = Date.UTC(2026, 0, 1)): FakeClock {
  let current = typeof start === "number" ? start : start.getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = typeof at === "number" ? at : at.getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
