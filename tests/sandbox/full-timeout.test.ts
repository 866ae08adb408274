import { fullTimeout, type TimeoutClock } from '../../sandbox/full-timeout';

/** A clock the test moves, and the timers armed on it. */
function testClock(startAt: number) {
  let now = startAt;
  let nextHandle = 1;
  const armed = new Map<number, { fire: () => void; ms: number }>();
  const clock: TimeoutClock = {
    now: () => now,
    setTimeout: (fire, ms) => {
      armed.set(nextHandle, { fire, ms });
      return nextHandle++;
    },
    clearTimeout: (handle) => void armed.delete(handle as number),
  };
  return {
    clock,
    armed,
    /** Moves the clock to `at` and fires the one timer armed, as Node would (early or late by its own clock). */
    fireAt(at: number) {
      now = at;
      const [[handle, timer]] = [...armed];
      armed.delete(handle);
      timer.fire();
    },
  };
}

describe('fullTimeout', () => {
  it('fires once the whole time has passed by the clock', () => {
    const test = testClock(10.25);
    const fire = jest.fn();
    const timeout = fullTimeout(1000, fire, test.clock);

    expect(timeout.startedAt).toBe(10.25);
    expect([...test.armed.values()].map(({ ms }) => ms)).toEqual([1000]);
    test.fireAt(1010.25);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(test.armed.size).toBe(0);
  });

  it('does not fire when the timer comes early by the clock (999.69 ms of 1 s, as seen in CI), and arms one for what is left', () => {
    const test = testClock(0);
    const fire = jest.fn();
    fullTimeout(1000, fire, test.clock);

    test.fireAt(999.69);
    expect(fire).not.toHaveBeenCalled();
    expect([...test.armed.values()].map(({ ms }) => ms)).toEqual([1]);

    test.fireAt(1000.4);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('cancels the timer armed last, the re-armed one included', () => {
    const test = testClock(0);
    const fire = jest.fn();
    const timeout = fullTimeout(1000, fire, test.clock);
    test.fireAt(998);
    expect(test.armed.size).toBe(1);

    timeout.cancel();
    expect(test.armed.size).toBe(0);
    expect(fire).not.toHaveBeenCalled();
  });

  it('runs on Node\'s timers and performance.now() by default', async () => {
    const fired = await new Promise<number>((resolve) => {
      const timeout = fullTimeout(20, () => resolve(performance.now() - timeout.startedAt));
    });
    expect(fired).toBeGreaterThanOrEqual(20);
  });
});
