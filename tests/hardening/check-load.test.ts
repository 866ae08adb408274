/**
 * The check function's real module under load, against dynalite through a counting proxy: many concurrent
 * invocations answer correctly, the cache sends at most one GetItem per switch per TTL, and memory stays flat.
 */
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import type { CheckHandler } from '../../functions/check/check-handler';
import { useDynalite } from '../support/dynalite';
import { lambdaLikeEnvironment, UNHURRIED_REQUEST_TIMEOUT_MS, withEnvironment } from '../support/environment';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import { startHandlerProcess, type LoopResult } from '../../sandbox/lambda-runner';
import { printFigure } from '../support/figures';
import { CHECK_HANDLER_SOURCE, FROM_SOURCE, TEST_INIT_TIMEOUT_MS } from '../support/run-handler';
import { restApiEvent } from '../support/lambda-events';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';
import { captureStdout, freezeDate, loadCheckModule, type CapturedLog } from '../support/check-module';

const TABLE = 'switches';
const TTL_MS = 1000;
/** Ten switches, every other one suspended. */
const SWITCHES = Array.from({ length: 10 }, (_, index) => `load-${index}`);
const isSuspended = (name: string): boolean => Number(name.slice('load-'.length)) % 2 === 0;

const dynamo = useDynalite({ table: TABLE });
let proxy: FaultProxy;

beforeAll(async () => {
  for (const name of SWITCHES) {
    await putRawSwitchItem(dynamo.client, TABLE, name, switchAttributes(isSuspended(name) ? { suspended: true, reason: 'load test' } : { suspended: false }));
  }
  proxy = await startFaultProxy(dynamo.endpoint);
});
afterAll(() => proxy?.stop());

/**
 * One attempt of 10 s: these tests count requests per TTL and check every answer, and a request that timed out
 * (a retry, a fail-mode answer) on a busy machine would change both. Timeouts are check-faults.test.ts's subject.
 */
const settingsEnv = (ttlSeconds: number) => ({
  SUSPENSE_TABLE: TABLE,
  SUSPENSE_CACHE_TTL_SECONDS: String(ttlSeconds),
  SUSPENSE_REQUEST_TIMEOUT_MS: String(UNHURRIED_REQUEST_TIMEOUT_MS),
  SUSPENSE_MAX_ATTEMPTS: '1',
});

/** The switch a GetItem request asked for. */
function switchOf(request: ProxiedRequest): string {
  return (JSON.parse(request.body) as { Key: { switch: { S: string } } }).Key.switch.S;
}

function getItemsPerSwitch(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of proxy.requests) if (request.operation === 'GetItem') counts[switchOf(request)] = (counts[switchOf(request)] ?? 0) + 1;
  return counts;
}

/** Statuses of `count` invocations started together, spread over the switches. */
async function burst(handler: CheckHandler, count: number): Promise<number[]> {
  const responses = await Promise.all(
    Array.from({ length: count }, (_, index) => handler(restApiEvent({ pathSwitch: SWITCHES[index % SWITCHES.length] }), { awsRequestId: `load-${index}` })),
  );
  return responses.map((response, index) => {
    // Every answer is the right one, not merely a 200.
    expect(response.statusCode).toBe(isSuspended(SWITCHES[index % SWITCHES.length]!) ? 503 : 200);
    return response.statusCode;
  });
}

describe('check function under load', () => {
  describe('with the clock moved by the test', () => {
    const T0 = Date.parse('2030-01-01T00:00:00.000Z');
    let restoreEnvironment: () => void;
    let handler: CheckHandler;
    let log: CapturedLog;

    beforeAll(() => {
      freezeDate(T0);
      restoreEnvironment = withEnvironment(lambdaLikeEnvironment(proxy.endpoint, settingsEnv(TTL_MS / 1000)));
      handler = loadCheckModule();
      log = captureStdout({ keep: false });
    });
    afterAll(() => {
      log.restore();
      restoreEnvironment();
      jest.useRealTimers();
    });

    it('answers 6000 invocations, 200 at a time, with zero errors and exactly one GetItem per switch per TTL', async () => {
      proxy.reset();
      const windows = 6;
      // Within each TTL window: a burst at its start, more through it, the last a millisecond before it ends.
      const offsets = [0, 250, 500, 750, 999];
      const statuses: number[] = [];

      for (let window = 0; window < windows; window++) {
        for (const offset of offsets) {
          jest.setSystemTime(T0 + window * TTL_MS + offset);
          statuses.push(...(await burst(handler, 200)));
        }
      }

      expect(statuses).toHaveLength(6000);
      expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(getItemsPerSwitch()).toEqual(Object.fromEntries(SWITCHES.map((name) => [name, windows])));
      expect(proxy.counts()).toEqual({ GetItem: windows * SWITCHES.length });
    });
  });

  describe('with the real clock', () => {
    it('keeps to one GetItem per switch per TTL through 3 s of sustained concurrent invocations', async () => {
      const restoreEnvironment = withEnvironment(lambdaLikeEnvironment(proxy.endpoint, settingsEnv(TTL_MS / 1000)));
      const log = captureStdout({ keep: false });
      try {
        const handler = loadCheckModule();
        proxy.reset();
        let invocations = 0;
        const startedAt = Date.now();
        // At least 3 s, and on a crowded machine until every switch was read twice (so that the cache's re-reads are
        // seen at all), for at most a minute.
        const readTwice = () => SWITCHES.every((name) => (getItemsPerSwitch()[name] ?? 0) >= 2);
        const going = () => Date.now() - startedAt < 3000 || (Date.now() - startedAt < 60_000 && !readTwice());
        const worker = async (): Promise<void> => {
          while (going()) {
            const name = SWITCHES[invocations++ % SWITCHES.length]!;
            const response = await handler(restApiEvent({ pathSwitch: name }), { awsRequestId: `sustained-${invocations}` });
            expect(response.statusCode).toBe(isSuspended(name) ? 503 : 200);
            // Each invocation is a task of its own, as in Lambda: cache hits alone would never let I/O through.
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        await Promise.all(Array.from({ length: 50 }, worker));
        const elapsedMs = Date.now() - startedAt;

        // A read expires TTL after it completed, so reads of one switch are at least a TTL apart.
        const mostReads = 1 + Math.floor(elapsedMs / TTL_MS);
        const perSwitch = getItemsPerSwitch();
        expect(Object.keys(perSwitch).sort()).toEqual([...SWITCHES].sort());
        for (const name of SWITCHES) {
          expect(perSwitch[name]).toBeLessThanOrEqual(mostReads);
          expect(perSwitch[name]).toBeGreaterThanOrEqual(2);
        }
        printFigure('check function, sustained invocations in 3 s', invocations, 'invocations');
        // About 78 000 on a quiet machine: a busy one gets fewer, and the point is only that they kept coming.
        expect(invocations).toBeGreaterThan(2 * SWITCHES.length);
      } finally {
        log.restore();
        restoreEnvironment();
      }
    });
  });

  describe('memory', () => {
    /**
     * Runs the check function from source in an execution environment of the project's runner (its own process,
     * with --expose-gc: a Jest worker's heap holds the test framework's garbage too) and has it invoke the handler
     * `warmup` times, then `rounds` times `invocations` more, 100 at a time, reading heapUsed after garbage
     * collection after the warm-up and after each round.
     */
    async function probeMemory(run: { warmup: number; rounds: number; invocations: number }, env: Record<string, string>, trace?: 'sampled'): Promise<LoopResult & { xrayLoaded: boolean }> {
      const environment = await startHandlerProcess({
        taskRoot: path.dirname(CHECK_HANDLER_SOURCE),
        handler: 'handler.handler',
        nodeArgs: FROM_SOURCE,
        initTimeoutMs: TEST_INIT_TIMEOUT_MS,
        env: { ...lambdaLikeEnvironment(proxy.endpoint, settingsEnv(TTL_MS / 1000)), ...env },
      });
      try {
        const result = await environment.loop({
          events: SWITCHES.map((name) => ({ pathParameters: { switch: name } })),
          concurrency: 100,
          heap: true,
          ...(trace ? { trace } : {}),
          ...run,
        });
        expect(environment.takeLog()).toBe('');
        return { ...result, xrayLoaded: result.foreignModules.some((file) => file.includes(`${path.sep}aws-xray-sdk-core${path.sep}`)) };
      } finally {
        await environment.stop();
      }
    }

    /**
     * Heap growth per invocation over the last `rounds` rounds (least squares over their heap figures). V8 keeps
     * compiling and settling the hot paths for a long while after a warm-up (about +0.4 MB in all, over hundreds of
     * thousands of invocations, then flat), so first-against-last says more about V8 than about the code; the slope
     * over the last rounds is what a leak shows in: a log line, a request id or a subsegment kept per invocation
     * is 50 bytes or more, every invocation, forever.
     */
    function bytesPerInvocation(heapUsed: readonly number[], invocationsPerRound: number, rounds: number): number {
      const points = heapUsed.slice(-(rounds + 1)).map((bytes, index) => ({ x: index * invocationsPerRound, y: bytes }));
      const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
      const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
      const covariance = points.reduce((sum, point) => sum + (point.x - meanX) * (point.y - meanY), 0);
      const variance = points.reduce((sum, point) => sum + (point.x - meanX) ** 2, 0);
      return covariance / variance;
    }
    const printHeap = (what: string, heapUsed: readonly number[]) =>
      process.stderr.write(`  figure: ${what}: heapUsed after warm-up and each round ${heapUsed.map((bytes) => (bytes / 1024 ** 2).toFixed(2)).join(' ')} MB\n`);

    /**
     * Bounds on the slope, each over 5 times the figure of a healthy run (under 1 byte an invocation without X-Ray;
     * 2 to 7 with it, as V8's late compilations of the SDK still land in the last rounds), and under the 50
     * bytes or more an invocation that a leak of one small object each would add.
     */
    const LEAK_BOUND_BYTES = 8;
    /** Each probe takes about 10 s on a quiet machine; on a crowded one, many times that. */
    const MEMORY_TEST_TIMEOUT_MS = 300_000;
    const LEAK_BOUND_BYTES_WITH_XRAY = 32;

    it('stays flat across 150 000 invocations: over the last 75 000, the heap grows by under 8 bytes an invocation', async () => {
      const run = { warmup: 20_000, rounds: 6, invocations: 25_000 };
      const result = await probeMemory(run, {});

      expect(result.xrayLoaded).toBe(false);
      expect(result.statuses).toEqual({ 200: 75_000, 503: 75_000 });
      expect(result.logLines).toBe(170_000);
      const slope = bytesPerInvocation(result.heapUsed!, run.invocations, 3);
      printHeap('check function heap', result.heapUsed!);
      printFigure('check function heap growth over the last 3 rounds', slope, 'bytes an invocation', LEAK_BOUND_BYTES);
      expect(slope).toBeLessThan(LEAK_BOUND_BYTES);
    }, MEMORY_TEST_TIMEOUT_MS);

    // With X-Ray, V8 keeps compiling the SDK's hot paths well after the warm-up: a few hundred KB of code and its
    // metadata arrive once, then the heap holds. A subsegment kept per invocation would be hundreds of bytes each.
    it('stays flat with X-Ray active across 90 000 invocations: over the last 45 000, the heap grows by under 32 bytes an invocation', async () => {
      const sink = dgram.createSocket('udp4');
      let datagrams = 0;
      sink.on('message', () => datagrams++);
      await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
      try {
        const result = await probeMemory(
          { warmup: 10_000, rounds: 6, invocations: 15_000 },
          { AWS_LAMBDA_FUNCTION_NAME: 'suspense-check-memory', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${sink.address().port}` },
          'sampled',
        );

        expect(result.xrayLoaded).toBe(true);
        expect(result.statuses).toEqual({ 200: 45_000, 503: 45_000 });
        expect(datagrams).toBeGreaterThan(0);
        const slope = bytesPerInvocation(result.heapUsed!, 15_000, 3);
        printHeap('check function heap, X-Ray active', result.heapUsed!);
        printFigure('check function heap growth with X-Ray over the last 3 rounds', slope, 'bytes an invocation', LEAK_BOUND_BYTES_WITH_XRAY);
        expect(slope).toBeLessThan(LEAK_BOUND_BYTES_WITH_XRAY);
      } finally {
        sink.close();
      }
    }, MEMORY_TEST_TIMEOUT_MS);
  });
});
