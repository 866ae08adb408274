/**
 * The check function (its real module, functions/check/handler.ts, configured by environment variables) while
 * DynamoDB is unreachable, hanging, throttling or slow, through a fault-injecting proxy in front of dynalite.
 *
 * Settings under test: cache TTL 1 s, staleness bound 2 s, 100 ms per attempt, 2 attempts: a whole read is
 * bounded by readDeadlineMs = 100 × 2 + 100 = 300 ms. The store reads the time from Date, which the tests freeze
 * and move (freezeDate); timeouts stay real, so every latency below is measured, not simulated, and asserted only
 * against a wide bound: that a read ends at its deadline exactly is asserted with fake timers (read-deadline.test.ts).
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CheckHandler } from '../../functions/check/check-handler';
import { readDeadlineMs } from '../../functions/switch/dynamo-client';
import { DEFAULT_SETTINGS } from '../../functions/switch/schema';
import { startXrayDaemonStub } from '../../sandbox/xray-daemon-stub';
import { useDynalite } from '../support/dynalite';
import { lambdaLikeEnvironment, withEnvironment } from '../support/environment';
import { FAULTS, pollPhasePassed, startFaultProxy, type FaultMode, type FaultProxy } from '../support/fault-proxy';
import { printFigure } from '../support/figures';
import { consoleTestEvent, restApiEvent } from '../support/lambda-events';
import { CHECK_HANDLER_SOURCE, FROM_SOURCE, runHandler, waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';
import { captureStdout, freezeDate, loadCheckModule, type CapturedLog } from '../support/check-module';

const TABLE = 'switches';
const SETTINGS = { cacheTtlSeconds: 1, maxStaleSeconds: 2, requestTimeoutMs: 100, maxAttempts: 2 };
const SETTINGS_ENV = {
  SUSPENSE_TABLE: TABLE,
  SUSPENSE_CACHE_TTL_SECONDS: String(SETTINGS.cacheTtlSeconds),
  SUSPENSE_MAX_STALE_SECONDS: String(SETTINGS.maxStaleSeconds),
  SUSPENSE_REQUEST_TIMEOUT_MS: String(SETTINGS.requestTimeoutMs),
  SUSPENSE_MAX_ATTEMPTS: String(SETTINGS.maxAttempts),
};
/**
 * The requests of one successful read: one, or on a crowded machine a retry after a first attempt that ran out of its
 * 100 ms (the attempts themselves are proved on fake timers in read-deadline.test.ts).
 */
const ONE_READ = {
  $$typeof: Symbol.for('jest.asymmetricMatcher'),
  asymmetricMatch: (requests: unknown) => Number.isInteger(requests) && (requests as number) >= 1 && (requests as number) <= SETTINGS.maxAttempts,
  toAsymmetricMatcher: () => `1 to ${SETTINGS.maxAttempts} requests`,
};
/** 300 ms: the most one read may take, every attempt and the pause between them included. */
const READ_DEADLINE_MS = readDeadlineMs(SETTINGS);
/** The deployed function's timeout (stacks/config.ts). */
const LAMBDA_TIMEOUT_MS = 5000;
/**
 * Real time, on a machine that may be busy, is asserted against half the Lambda timeout (the stack refuses read
 * settings whose deadline reaches it): on a quiet machine the slowest answer takes about 300 ms, over 8 times less.
 * Each test prints its slowest answer.
 */
const WALL_CLOCK_BOUND_MS = LAMBDA_TIMEOUT_MS / 2;

/** Prints the slowest of `durations` and asserts it within `bound`. */
function expectAnsweredWithin(what: string, durations: readonly number[], bound = WALL_CLOCK_BOUND_MS): void {
  const slowest = Math.max(...durations);
  printFigure(what, Math.round(slowest), 'ms', bound);
  expect(slowest).toBeLessThanOrEqual(bound);
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const REASON = 'card processor outage';
const context = { awsRequestId: 'hardening-faults' };

/** [what DynamoDB does, the proxy's mode] */
const FAULT_CASES: readonly (readonly [string, FaultMode])[] = [
  ['unreachable (connection refused)', FAULTS.down],
  ['resetting every connection', FAULTS.refuse],
  ['accepting and never answering', FAULTS.hang],
  ['throttling (ProvisionedThroughputExceededException)', FAULTS.throttle],
  ['throttling (ThrottlingException)', FAULTS.throttlingException],
  ['slower than the request timeout (500 ms)', FAULTS.slow(500)],
];

const dynamo = useDynalite({ table: TABLE });
let proxy: FaultProxy;
let restoreEnvironment: () => void;
let log: CapturedLog;
let failOpen: CheckHandler;
let failClosed: CheckHandler;
/** Each test starts its own hour, so that cache entries of earlier tests never matter. */
let hour = Date.parse('2030-01-01T00:00:00.000Z');
let t0 = hour;

/** The frozen clock as a warn line's timestamp spells it. */
const FROZEN_ISO = (): string => new Date(Date.now()).toISOString();

/** Moves the frozen clock to `ms` after the test's start. */
function at(ms: number): void {
  jest.setSystemTime(t0 + ms);
}

/** A suspended switch of this test's own, so that no other test has it in cache. */
let switchNumber = 0;
async function suspendedSwitch(): Promise<string> {
  const name = `payments-${++switchNumber}`;
  await putRawSwitchItem(dynamo.client, TABLE, name, switchAttributes({ suspended: true, reason: REASON }));
  return name;
}

interface Invocation {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  /** Wall-clock milliseconds the invocation took. */
  readonly ms: number;
  /** `source` in the invocation's log line. */
  readonly source: unknown;
  /** GetItem requests that reached the proxy (or connections it refused) during the invocation. */
  readonly requests: number;
}

async function invoke(handler: CheckHandler, name: string): Promise<Invocation> {
  log.clear();
  // A read that gave up may have written a request the proxy has not read yet (on a busy machine, long after):
  // it belongs to that read, so it is counted before this invocation starts and after this one ends.
  await pollPhasePassed();
  const before = proxy.count('GetItem') + proxy.refusedConnections;
  const startedAt = performance.now();
  const response = await handler(restApiEvent({ pathSwitch: name }), context);
  const ms = performance.now() - startedAt;
  await pollPhasePassed();
  const checks = log.checks();
  expect(checks).toHaveLength(1);
  return {
    statusCode: response.statusCode,
    headers: response.headers,
    body: JSON.parse(response.body),
    ms,
    source: checks[0]!.source,
    requests: proxy.count('GetItem') + proxy.refusedConnections - before,
  };
}

/**
 * Arrange step: a switch of this test's own, read fresh (one GetItem) while DynamoDB works. On a crowded machine
 * even a working DynamoDB can miss the 100 ms attempts under test; such a read is not what the test is about, so
 * it is taken again with a new switch (never read, so nothing of the miss is cached), at most 5 times.
 */
async function readFresh(handler: CheckHandler, create: () => Promise<string> = suspendedSwitch): Promise<{ name: string; fresh: Invocation }> {
  for (let attempt = 1; ; attempt++) {
    const name = await create();
    const fresh = await invoke(handler, name);
    if ((fresh.source === 'fresh' && fresh.requests === 1) || attempt === 5) return { name, fresh };
    printFigure('arrange read missed its 100 ms attempts on a busy machine, retried with a new switch', attempt, 'attempts');
  }
}

const suspendedBody = (name: string) => ({ switch: name, suspended: true, reason: REASON, until: null });

beforeAll(async () => {
  proxy = await startFaultProxy(dynamo.endpoint);
  freezeDate(hour);
  restoreEnvironment = withEnvironment(lambdaLikeEnvironment(proxy.endpoint, SETTINGS_ENV));
  Object.assign(process.env, { SUSPENSE_FAIL_MODE: 'open' });
  failOpen = loadCheckModule();
  Object.assign(process.env, { SUSPENSE_FAIL_MODE: 'closed' });
  failClosed = loadCheckModule();
  log = captureStdout();
  // A new execution environment's first request loads the SDK's lazy parts and opens a connection: on a busy
  // machine that alone can outlast the 100 ms attempts under test, which would turn a test's first read into a
  // failure. Lambda's own first request pays it too; these tests are about what follows.
  for (const handler of [failOpen, failClosed]) await handler(restApiEvent({ pathSwitch: 'warm-up' }), context);
  log.clear();
});
beforeEach(async () => {
  await proxy.setMode(FAULTS.pass);
  hour += 3_600_000;
  t0 = hour;
  at(0);
});
afterAll(async () => {
  log?.restore();
  jest.useRealTimers();
  restoreEnvironment?.();
  await proxy?.stop();
});

describe('check function when DynamoDB fails (TTL 1 s, staleness bound 2 s, 2 attempts of 100 ms)', () => {
  it('bounds a whole read at 300 ms, against a Lambda timeout of 5 s', () => {
    expect(READ_DEADLINE_MS).toBe(300);
  });

  it.each(FAULT_CASES)(
    `DynamoDB %s: holds a suspension it read past the staleness bound (fail mode open), none waiting for the Lambda timeout`,
    async (fault, mode) => {
      const { name, fresh } = await readFresh(failOpen);
      const suspended = { statusCode: 503, headers: JSON_HEADERS, body: suspendedBody(name) };

      await proxy.setMode(mode);
      at(500);
      const cached = await invoke(failOpen, name);
      at(1000);
      const firstFailure = await invoke(failOpen, name);
      at(1500);
      const staleFromMemory = await invoke(failOpen, name);
      at(2000);
      const secondFailure = await invoke(failOpen, name);
      at(2999);
      const lastStale = await invoke(failOpen, name);
      at(3000);
      const pastTheBound = await invoke(failOpen, name);
      at(3500);
      const heldFromMemory = await invoke(failOpen, name);

      expect(fresh).toMatchObject({ ...suspended, source: 'fresh', requests: ONE_READ });
      expect(cached).toMatchObject({ ...suspended, source: 'cached', requests: 0 });
      expect(firstFailure).toMatchObject({ ...suspended, source: 'stale' });
      expect(staleFromMemory).toMatchObject({ ...suspended, source: 'stale', requests: 0 });
      expect(secondFailure).toMatchObject({ ...suspended, source: 'stale' });
      expect(lastStale).toMatchObject({ ...suspended, source: 'stale', requests: 0 });
      // A failure never lifts a suspension: past the bound it is still the last value DynamoDB gave.
      expect(pastTheBound).toMatchObject({ ...suspended, source: 'stale' });
      expect(heldFromMemory).toMatchObject({ ...suspended, source: 'stale', requests: 0 });
      // An outage costs one bounded read per switch per TTL, never one per invocation.
      for (const failed of [firstFailure, secondFailure, pastTheBound]) expect(failed.requests).toBeLessThanOrEqual(SETTINGS.maxAttempts);
      const invocations = [fresh, cached, firstFailure, staleFromMemory, secondFailure, lastStale, pastTheBound, heldFromMemory];
      expectAnsweredWithin(`check function, DynamoDB ${fault}: slowest answer`, invocations.map((invocation) => invocation.ms));
    },
  );

  it.each(FAULT_CASES)('DynamoDB %s: serves a switch read active as stale within the bound, then the fail-closed default', async (_fault, mode) => {
    const { name } = await readFresh(failClosed, async () => {
      const running = `running-${++switchNumber}`;
      await putRawSwitchItem(dynamo.client, TABLE, running, switchAttributes({ suspended: false }));
      return running;
    });
    await proxy.setMode(mode);

    at(1000);
    const stale = await invoke(failClosed, name);
    at(3000);
    const pastTheBound = await invoke(failClosed, name);

    expect(stale).toMatchObject({ statusCode: 200, body: { switch: name, suspended: false }, source: 'stale' });
    expect(pastTheBound).toMatchObject({
      statusCode: 503,
      headers: JSON_HEADERS,
      body: { switch: name, suspended: true, reason: 'the switch could not be read; failing closed', until: null },
      source: 'default',
    });
    expect(pastTheBound.ms).toBeLessThanOrEqual(WALL_CLOCK_BOUND_MS);
  });

  it.each([
    ['open', () => failOpen, { statusCode: 200, body: { switch: 'global', suspended: false } }],
    ['closed', () => failClosed, { statusCode: 503, body: { switch: 'global', suspended: true, reason: 'the switch could not be read; failing closed', until: null } }],
  ] as const)('answers a switch it never read with the fail-%s default at once when DynamoDB hangs', async (failMode, handler, expected) => {
    await proxy.setMode(FAULTS.hang);
    log.clear();

    const startedAt = performance.now();
    const response = await handler()(consoleTestEvent, context);
    const ms = performance.now() - startedAt;

    expect({ statusCode: response.statusCode, body: JSON.parse(response.body) }).toEqual(expected);
    expect(log.lines).toEqual([
      { timestamp: FROZEN_ISO(), level: 'warn', msg: 'switch read failed', switch: 'global', error: expect.any(String), source: 'default', suspended: expected.body.suspended },
      expect.objectContaining({ level: 'info', msg: 'check', statusCode: expected.statusCode, switch: 'global', source: 'default' }),
    ]);
    expectAnsweredWithin(`check function, fail-${failMode} default of a switch never read`, [ms]);
  });

  it('logs each failed read as a warning naming the switch, the error and what was served instead', async () => {
    const { name } = await readFresh(failOpen);
    await proxy.setMode(FAULTS.throttle);
    at(1000);

    await invoke(failOpen, name);

    expect(log.lines).toEqual([
      { timestamp: FROZEN_ISO(), level: 'warn', msg: 'switch read failed', switch: name, error: expect.stringMatching(/^(ProvisionedThroughputExceededException|AbortError): /), source: 'stale', suspended: true },
      { level: 'info', msg: 'check', requestId: context.awsRequestId, statusCode: 503, switch: name, suspended: true, source: 'stale', latencyMs: expect.any(Number) },
    ]);
  });

  it('never hangs: 20 concurrent invocations against a hanging DynamoDB all answer, sharing one read', async () => {
    const { name } = await readFresh(failOpen);
    await proxy.setMode(FAULTS.hang);
    at(1000);
    proxy.reset();

    const startedAt = performance.now();
    const responses = await Promise.all(Array.from({ length: 20 }, () => failOpen(restApiEvent({ pathSwitch: name }), context)));
    const ms = performance.now() - startedAt;

    expect(new Set(responses.map((response) => response.statusCode))).toEqual(new Set([503]));
    expectAnsweredWithin('check function, 20 concurrent invocations against a hanging DynamoDB', [ms]);
    expect(proxy.count('GetItem')).toBeLessThanOrEqual(SETTINGS.maxAttempts);
  });
});

describe('check function recovering from a DynamoDB outage', () => {
  it('returns fresh state (changed during the outage) at the first read after the TTL once DynamoDB answers again', async () => {
    const { name } = await readFresh(failOpen);
    await proxy.setMode(FAULTS.down);
    at(1000);
    const duringOutage = await invoke(failOpen, name);
    // An operator resumes the switch meanwhile; the function cannot know yet.
    await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: { switch: { S: name }, ...switchAttributes({ suspended: false, version: 2 }) } }));

    await proxy.setMode(FAULTS.pass);
    at(1999);
    const beforeTheTtl = await invoke(failOpen, name);
    at(2000);
    const afterTheTtl = await invoke(failOpen, name);
    at(2500);
    const cachedAgain = await invoke(failOpen, name);

    expect(duringOutage).toMatchObject({ statusCode: 503, source: 'stale' });
    expect(beforeTheTtl).toMatchObject({ statusCode: 503, source: 'stale', requests: 0 });
    expect(afterTheTtl).toMatchObject({ statusCode: 200, body: { switch: name, suspended: false }, source: 'fresh', requests: ONE_READ });
    expect(cachedAgain).toMatchObject({ statusCode: 200, source: 'cached', requests: 0 });
  });

  it('replaces a fail-mode default with fresh state at the first read after the TTL', async () => {
    const name = await suspendedSwitch();
    await proxy.setMode(FAULTS.throttle);
    const duringOutage = await invoke(failOpen, name);

    await proxy.setMode(FAULTS.pass);
    at(999);
    const beforeTheTtl = await invoke(failOpen, name);
    at(1000);
    const afterTheTtl = await invoke(failOpen, name);

    expect(duringOutage).toMatchObject({ statusCode: 200, source: 'default' });
    expect(beforeTheTtl).toMatchObject({ statusCode: 200, source: 'default', requests: 0 });
    expect(afterTheTtl).toMatchObject({ statusCode: 503, body: suspendedBody(name), source: 'fresh', requests: ONE_READ });
  });
});

describe('check function with the production defaults (250 ms per attempt, 3 attempts)', () => {
  const deadline = readDeadlineMs(DEFAULT_SETTINGS);

  it('bounds a read against a hanging DynamoDB at 950 ms, and answers before the Lambda timeout', async () => {
    const restore = withEnvironment({ SUSPENSE_FAIL_MODE: 'open', SUSPENSE_REQUEST_TIMEOUT_MS: '', SUSPENSE_MAX_ATTEMPTS: '' });
    let handler: CheckHandler;
    try {
      handler = loadCheckModule();
    } finally {
      restore();
    }
    await proxy.setMode(FAULTS.hang);

    const invocation = await invoke(handler, await suspendedSwitch());

    expect(deadline).toBe(950);
    expect(invocation).toMatchObject({ statusCode: 200, source: 'default' });
    expect(invocation.requests).toBeLessThanOrEqual(DEFAULT_SETTINGS.maxAttempts);
    // About 800 ms on a quiet machine: the bound is over 6 times that.
    expectAnsweredWithin('check function with the production defaults, DynamoDB hanging', [invocation.ms], LAMBDA_TIMEOUT_MS);
  });
});

describe('check function tracing under faults', () => {
  const TRACE_ROOT = '1-6759e988-bd862e3fe1be46a994272794';

  it('annotates each read in X-Ray with where its answer came from: fresh, stale, default', async () => {
    const name = await suspendedSwitch();
    const daemon = await startXrayDaemonStub();
    try {
      const reads = () => daemon.documentsFor(TRACE_ROOT).filter((document) => document.name === 'readSwitch');
      // DynamoDB answers the first read, then hangs: the child runs its invocations back to back, so the proxy
      // switches by itself.
      proxy.setModeAfter(1, FAULTS.hang);

      const run = await runHandler({
        modulePath: CHECK_HANDLER_SOURCE,
        nodeArgs: FROM_SOURCE,
        // TTL 0: every invocation asks DynamoDB, so the second one meets the outage without waiting. One attempt of
        // 1 s: the first read (a new process's first request, X-Ray included) must succeed however busy the machine,
        // and the proxy counts requests to switch to hanging.
        events: [restApiEvent({ pathSwitch: name }), restApiEvent({ pathSwitch: name }), restApiEvent({ pathSwitch: 'never-read' })],
        env: {
          ...lambdaLikeEnvironment(proxy.endpoint, {
            ...SETTINGS_ENV,
            SUSPENSE_CACHE_TTL_SECONDS: '0',
            SUSPENSE_MAX_STALE_SECONDS: '60',
            SUSPENSE_FAIL_MODE: 'open',
            SUSPENSE_REQUEST_TIMEOUT_MS: '1000',
            SUSPENSE_MAX_ATTEMPTS: '1',
          }),
          AWS_LAMBDA_FUNCTION_NAME: 'suspense-check-hardening',
          AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        },
        trace: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
        stayUntil: () => waitFor(() => reads().length >= 3, 10_000),
      });

      expect(run.xrayLoaded).toBe(true);
      expect(run.invocations.map((invocation) => invocation.response.statusCode)).toEqual([503, 503, 200]);
      // About 1 s each on a quiet machine (the one attempt's timeout): the bound is 5 times that.
      expectAnsweredWithin('traced check function, DynamoDB hanging', run.invocations.slice(1).map((invocation) => invocation.ms), LAMBDA_TIMEOUT_MS);
      expect(reads().map((document) => document.annotations)).toEqual([
        { switch: name, suspended: true, source: 'fresh' },
        { switch: name, suspended: true, source: 'stale' },
        { switch: 'never-read', suspended: false, source: 'default' },
      ]);
      const checks = run.logLines.map((line) => JSON.parse(line) as { msg: string; source: string }).filter((line) => line.msg === 'check');
      expect(checks.map((line) => line.source)).toEqual(['fresh', 'stale', 'default']);
    } finally {
      await daemon.stop();
    }
  });
});
