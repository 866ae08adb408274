/**
 * The check function (its real module, functions/check/handler.ts, configured by environment variables) while
 * DynamoDB is unreachable, hanging, throttling or slow, through a fault-injecting proxy in front of dynalite.
 *
 * Settings under test: cache TTL 1 s, staleness bound 2 s, 100 ms per attempt, 2 attempts: a whole read is
 * bounded by readDeadlineMs = 100 × 2 + 100 = 300 ms. The store reads the time from Date, which the tests freeze
 * and move (freezeDate); timeouts stay real, so every latency below is measured, not simulated.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckHandler } from '../../functions/check/check-handler';
import { readDeadlineMs } from '../../functions/switch/dynamo-client';
import { DEFAULT_SETTINGS } from '../../functions/switch/schema';
import { startXrayDaemonStub } from '../../sandbox/xray-daemon-stub';
import { startDynamo, type LocalDynamo } from '../support/dynalite';
import { FAULTS, startFaultProxy, type FaultMode, type FaultProxy } from '../support/fault-proxy';
import { consoleTestEvent, restApiEvent } from '../support/lambda-events';
import { runHandler, waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';
import { captureStdout, freezeDate, lambdaLikeEnvironment, loadCheckModule, withEnvironment, type CapturedLog } from './support/check-module';

const TABLE = 'switches';
const SETTINGS = { cacheTtlSeconds: 1, maxStaleSeconds: 2, requestTimeoutMs: 100, maxAttempts: 2 };
const SETTINGS_ENV = {
  SUSPENSE_TABLE: TABLE,
  SUSPENSE_CACHE_TTL_SECONDS: String(SETTINGS.cacheTtlSeconds),
  SUSPENSE_MAX_STALE_SECONDS: String(SETTINGS.maxStaleSeconds),
  SUSPENSE_REQUEST_TIMEOUT_MS: String(SETTINGS.requestTimeoutMs),
  SUSPENSE_MAX_ATTEMPTS: String(SETTINGS.maxAttempts),
};
/** 300 ms: the most one read may take, every attempt and the pause between them included. */
const READ_DEADLINE_MS = readDeadlineMs(SETTINGS);
/**
 * What an invocation may take beyond the read deadline: building the answer and the log line takes well under a
 * millisecond, the rest is room for a busy test machine (two Jest workers on two cores). The Lambda timeout is 5 s.
 */
const MARGIN_MS = 250;
const BUDGET_MS = READ_DEADLINE_MS + MARGIN_MS;

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

let dynamo: LocalDynamo;
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
  const before = proxy.count('GetItem') + proxy.refusedConnections;
  const startedAt = performance.now();
  const response = await handler(restApiEvent({ pathSwitch: name }), context);
  const ms = performance.now() - startedAt;
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

const suspendedBody = (name: string) => ({ switch: name, suspended: true, reason: REASON, until: null });

beforeAll(async () => {
  dynamo = await startDynamo();
  await dynamo.createSwitchTable(TABLE);
  proxy = await startFaultProxy(dynamo.endpoint);
  freezeDate(hour);
  restoreEnvironment = withEnvironment(lambdaLikeEnvironment(proxy.endpoint, SETTINGS_ENV));
  Object.assign(process.env, { SUSPENSE_FAIL_MODE: 'open' });
  failOpen = loadCheckModule();
  Object.assign(process.env, { SUSPENSE_FAIL_MODE: 'closed' });
  failClosed = loadCheckModule();
  log = captureStdout();
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
  await dynamo?.stop();
});

describe('check function when DynamoDB fails (TTL 1 s, staleness bound 2 s, 2 attempts of 100 ms)', () => {
  it('bounds a whole read at 300 ms, against a Lambda timeout of 5 s', () => {
    expect(READ_DEADLINE_MS).toBe(300);
  });

  it.each(FAULT_CASES)(
    `DynamoDB %s: holds a suspension it read past the staleness bound (fail mode open), each answer within ${BUDGET_MS} ms`,
    async (_fault, mode) => {
      const name = await suspendedSwitch();
      const suspended = { statusCode: 503, headers: JSON_HEADERS, body: suspendedBody(name) };

      const fresh = await invoke(failOpen, name);
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

      expect(fresh).toMatchObject({ ...suspended, source: 'fresh', requests: 1 });
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
      for (const invocation of [fresh, cached, firstFailure, staleFromMemory, secondFailure, lastStale, pastTheBound, heldFromMemory]) {
        expect(invocation.ms).toBeLessThanOrEqual(BUDGET_MS);
      }
    },
  );

  it.each(FAULT_CASES)('DynamoDB %s: serves a switch read active as stale within the bound, then the fail-closed default', async (_fault, mode) => {
    const name = `running-${++switchNumber}`;
    await putRawSwitchItem(dynamo.client, TABLE, name, switchAttributes({ suspended: false }));
    await invoke(failClosed, name);
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
    expect(pastTheBound.ms).toBeLessThanOrEqual(BUDGET_MS);
  });

  it.each([
    ['open', () => failOpen, { statusCode: 200, body: { switch: 'global', suspended: false } }],
    ['closed', () => failClosed, { statusCode: 503, body: { switch: 'global', suspended: true, reason: 'the switch could not be read; failing closed', until: null } }],
  ] as const)('answers a switch it never read with the fail-%s default at once when DynamoDB hangs', async (_mode, handler, expected) => {
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
    expect(ms).toBeLessThanOrEqual(BUDGET_MS);
  });

  it('logs each failed read as a warning naming the switch, the error and what was served instead', async () => {
    const name = await suspendedSwitch();
    await invoke(failOpen, name);
    await proxy.setMode(FAULTS.throttle);
    at(1000);

    await invoke(failOpen, name);

    expect(log.lines).toEqual([
      { timestamp: FROZEN_ISO(), level: 'warn', msg: 'switch read failed', switch: name, error: expect.stringMatching(/^(ProvisionedThroughputExceededException|AbortError): /), source: 'stale', suspended: true },
      { level: 'info', msg: 'check', requestId: context.awsRequestId, statusCode: 503, switch: name, suspended: true, source: 'stale', latencyMs: expect.any(Number) },
    ]);
  });

  it('never hangs: 20 concurrent invocations against a hanging DynamoDB all answer within the budget, sharing one read', async () => {
    const name = await suspendedSwitch();
    await invoke(failOpen, name);
    await proxy.setMode(FAULTS.hang);
    at(1000);
    proxy.reset();

    const startedAt = performance.now();
    const responses = await Promise.all(Array.from({ length: 20 }, () => failOpen(restApiEvent({ pathSwitch: name }), context)));
    const ms = performance.now() - startedAt;

    expect(new Set(responses.map((response) => response.statusCode))).toEqual(new Set([503]));
    expect(ms).toBeLessThanOrEqual(BUDGET_MS);
    expect(proxy.count('GetItem')).toBeLessThanOrEqual(SETTINGS.maxAttempts);
  });
});

describe('check function recovering from a DynamoDB outage', () => {
  it('returns fresh state (changed during the outage) at the first read after the TTL once DynamoDB answers again', async () => {
    const name = await suspendedSwitch();
    await invoke(failOpen, name);
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
    expect(afterTheTtl).toMatchObject({ statusCode: 200, body: { switch: name, suspended: false }, source: 'fresh', requests: 1 });
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
    expect(afterTheTtl).toMatchObject({ statusCode: 503, body: suspendedBody(name), source: 'fresh', requests: 1 });
  });
});

describe('check function with the production defaults (250 ms per attempt, 3 attempts)', () => {
  const deadline = readDeadlineMs(DEFAULT_SETTINGS);

  it('bounds a read against a hanging DynamoDB at 950 ms, and answers within it plus the margin', async () => {
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
    expect(invocation.ms).toBeLessThanOrEqual(deadline + MARGIN_MS);
  });
});

describe('check function tracing under faults', () => {
  const PROJECT_ROOT = path.resolve(__dirname, '../..');
  const TRACE_ROOT = '1-6759e988-bd862e3fe1be46a994272794';

  it('annotates each read in X-Ray with where its answer came from: fresh, stale, default', async () => {
    const name = await suspendedSwitch();
    const daemon = await startXrayDaemonStub();
    const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-task-root-'));
    try {
      const reads = () => daemon.documentsFor(TRACE_ROOT).filter((document) => document.name === 'readSwitch');
      // DynamoDB answers the first read, then hangs: the child runs its invocations back to back, so the proxy
      // switches by itself.
      proxy.setModeAfter(1, FAULTS.hang);

      const run = await runHandler({
        modulePath: path.join(PROJECT_ROOT, 'functions/check/handler.ts'),
        nodeArgs: ['-r', path.join(PROJECT_ROOT, 'tools/register-ts.js')],
        cwd: PROJECT_ROOT,
        // TTL 0: every invocation asks DynamoDB, so the second one meets the outage without waiting.
        events: [restApiEvent({ pathSwitch: name }), restApiEvent({ pathSwitch: name }), restApiEvent({ pathSwitch: 'never-read' })],
        env: {
          ...lambdaLikeEnvironment(proxy.endpoint, { ...SETTINGS_ENV, SUSPENSE_CACHE_TTL_SECONDS: '0', SUSPENSE_MAX_STALE_SECONDS: '60', SUSPENSE_FAIL_MODE: 'open' }),
          AWS_LAMBDA_FUNCTION_NAME: 'suspense-check-hardening',
          LAMBDA_TASK_ROOT: taskRoot,
          _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
          AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        },
        stayUntil: () => waitFor(() => reads().length >= 3, 10_000),
      });

      expect(run.xrayLoaded).toBe(true);
      expect(run.invocations.map((invocation) => invocation.response.statusCode)).toEqual([503, 503, 200]);
      for (const failed of run.invocations.slice(1)) expect(failed.ms).toBeLessThanOrEqual(BUDGET_MS);
      expect(reads().map((document) => document.annotations)).toEqual([
        { switch: name, suspended: true, source: 'fresh' },
        { switch: name, suspended: true, source: 'stale' },
        { switch: 'never-read', suspended: false, source: 'default' },
      ]);
      const checks = run.stdoutLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'check');
      expect(checks.map((line) => line.source)).toEqual(['fresh', 'stale', 'default']);
    } finally {
      await daemon.stop();
      fs.rmSync(taskRoot, { recursive: true, force: true });
    }
  });
});
