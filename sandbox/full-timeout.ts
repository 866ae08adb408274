/** The clock a timeout is measured and armed with. */
export interface TimeoutClock {
  now(): number;
  setTimeout(fire: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** performance.now() and Node's timers. */
export const NODE_CLOCK: TimeoutClock = {
  now: () => performance.now(),
  setTimeout: (fire, ms) => setTimeout(fire, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface FullTimeout {
  /** `clock.now()` when it was armed: what the timeout is measured from. */
  readonly startedAt: number;
  cancel(): void;
}

/**
 * Calls `fire` once `ms` have passed by `clock.now()`, never before. Node's timers count from the event loop's
 * millisecond clock, so a 1 s setTimeout can fire at 999.69 ms by performance.now() (seen in a CI run, against the
 * sandbox's round trip of a timed-out invocation); Lambda never stops an init or an invocation before its limit, so
 * a timer that comes early is armed again for what is left.
 */
export function fullTimeout(ms: number, fire: () => void, clock: TimeoutClock = NODE_CLOCK): FullTimeout {
  const startedAt = clock.now();
  let handle: unknown;
  const check = () => {
    const remainingMs = ms - (clock.now() - startedAt);
    if (remainingMs > 0) handle = clock.setTimeout(check, Math.ceil(remainingMs));
    else fire();
  };
  handle = clock.setTimeout(check, ms);
  return { startedAt, cancel: () => clock.clearTimeout(handle) };
}
