/**
 * The check function's real module (functions/check/handler.ts) loaded in the test's process, as Lambda loads it:
 * configured from environment variables at init, writing its log lines to stdout, reading the time from Date.
 */
import * as vm from 'node:vm';
import type { CheckHandler } from '../../functions/check/check-handler';
import type { LogLine } from '../../functions/switch/structured-log';

/**
 * A fresh copy of functions/check/handler.ts (its own store, cache and DynamoDB client), initialised from the
 * current process.env: one new execution environment.
 */
export function loadCheckModule(): CheckHandler {
  let handler: CheckHandler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../functions/check/handler') as { handler: CheckHandler }).handler;
  });
  if (!handler) throw new Error('functions/check/handler.ts exported no handler');
  return handler;
}

/** The JSON lines a piece of code writes to stdout. */
export interface CapturedLog {
  readonly lines: LogLine[];
  /** The `msg: "check"` lines: one per invocation. */
  checks(): LogLine[];
  /** Forgets what was captured so far. */
  clear(): void;
  restore(): void;
}

/**
 * Captures stdout line by line (the handler's structured log). A plain replacement rather than jest.spyOn: a spy
 * keeps every call's arguments, which load tests would see as memory growth.
 */
export function captureStdout(options: { readonly keep?: boolean } = {}): CapturedLog {
  const keep = options.keep ?? true;
  const original = process.stdout.write;
  let lines: LogLine[] = [];
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    if (!keep) return true;
    for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line) as LogLine);
    return true;
  }) as typeof process.stdout.write;
  return {
    get lines() {
      return lines;
    },
    checks: () => lines.filter((line) => line.msg === 'check'),
    clear: () => {
      lines = [];
    },
    restore: () => {
      process.stdout.write = original;
    },
  };
}

/**
 * Freezes `Date` at `nowMs` and leaves every timer real. The handler's store reads the time through Date.now,
 * so the test moves its clock (setSystemTime) without waiting, while the SDK's timeouts and the proxy's delays
 * keep real time: a request that hangs still costs its real timeout, and that is what the tests measure.
 * Must be called before the module is loaded: the store keeps the Date.now it finds at init.
 */
export function freezeDate(nowMs: number): void {
  jest.useFakeTimers({
    now: nowMs,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/**
 * Calls `listener` for every promise rejection nobody handles while the returned function has not been called.
 * Registered on the worker's real process: the `process` a Jest test sees is a copy whose events never fire.
 */
export function onUnhandledRejection(listener: (reason: unknown) => void): () => void {
  const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
  hostProcess.on('unhandledRejection', listener);
  return () => hostProcess.off('unhandledRejection', listener);
}
