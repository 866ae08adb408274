import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createCheckHandler, type CheckHandler } from '../../functions/check/check-handler';
import { createDynamoClient } from '../../functions/switch/dynamo-client';
import type { SwitchSettings } from '../../functions/switch/schema';
import type { LogLine } from '../../functions/switch/structured-log';
import { SwitchStore } from '../../functions/switch/switch-store';
import { loadCheckModule } from '../support/check-module';
import { LOCAL_CREDENTIALS, useDynalite } from '../support/dynalite';
import { lambdaLikeEnvironment, UNHURRIED_REQUEST_TIMEOUT_MS } from '../support/environment';
import { consoleTestEvent, functionUrlEvent, httpApiEvent, httpApiV1Event, restApiEvent } from '../support/lambda-events';
import { countRequests, putRawSwitchItem, switchAttributes } from '../support/switch-items';

const TABLE = 'switches';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const context = { awsRequestId: '8f5c1e2a-0000-4000-8000-000000000001' };

const dynamo = useDynalite({ table: TABLE });
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  await putRawSwitchItem(dynamo.client, TABLE, 'orders', switchAttributes({ suspended: false }));
  await putRawSwitchItem(dynamo.client, TABLE, 'payments', switchAttributes({ suspended: true, reason: 'card processor outage', until: '2030-01-01T00:01:30.500Z' }));
  await putRawSwitchItem(dynamo.client, TABLE, 'reports', switchAttributes({ suspended: true, reason: 'quarter close' }));
  await putRawSwitchItem(dynamo.client, TABLE, 'global', switchAttributes({ suspended: false }));
});
afterAll(() => {
  for (const client of clients) client.destroy();
});

/** The check function over a real store and dynalite, with its log lines captured and time fixed at T0. */
function checkFunction(defaultSwitch = 'global', settings: Partial<SwitchSettings> = {}): { handler: CheckHandler; logs: LogLine[]; client: DynamoDBClient } {
  // No test here is about timeouts: reads get far more time than production's 250 ms, which a crowded machine can use up.
  const limits = { requestTimeoutMs: UNHURRIED_REQUEST_TIMEOUT_MS, maxAttempts: 1 };
  const client = createDynamoClient({ ...limits, sdk: { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS } });
  clients.push(client);
  const logs: LogLine[] = [];
  const clock = () => T0;
  const store = new SwitchStore({ tableName: TABLE, client, clock, log: (line) => logs.push(line), settings: { defaultSwitch, ...limits, ...settings } });
  const handler = createCheckHandler({ setup: { ok: true, store, defaultSwitch }, clock, log: (line) => logs.push(line) });
  return { handler, logs, client };
}

describe('check function', () => {
  it('answers the console test event for the default switch: 200 while active', async () => {
    const { handler, logs } = checkFunction();

    const response = await handler(consoleTestEvent, context);

    expect(response).toEqual({ statusCode: 200, headers: JSON_HEADERS, body: '{"switch":"global","suspended":false}' });
    expect(logs).toEqual([
      {
        level: 'info',
        msg: 'check',
        requestId: context.awsRequestId,
        statusCode: 200,
        switch: 'global',
        suspended: false,
        source: 'fresh',
        latencyMs: expect.any(Number),
      },
    ]);
  });

  it('answers 503 with Retry-After while suspended until a time', async () => {
    const { handler } = checkFunction();

    const response = await handler(restApiEvent({ pathSwitch: 'payments' }), context);

    expect(response).toEqual({ statusCode: 503, headers: { ...JSON_HEADERS, 'retry-after': '91' }, body: expect.any(String) });
    expect(JSON.parse(response.body)).toEqual({
      switch: 'payments',
      suspended: true,
      reason: 'card processor outage',
      until: '2030-01-01T00:01:30.500Z',
    });
  });

  it('answers 503 without Retry-After while suspended with no end', async () => {
    const { handler } = checkFunction();

    const response = await handler(restApiEvent({ pathSwitch: 'reports' }), context);

    expect(response.statusCode).toBe(503);
    expect(response.headers).toEqual(JSON_HEADERS);
    expect(JSON.parse(response.body)).toEqual({ switch: 'reports', suspended: true, reason: 'quarter close', until: null });
  });

  it('answers a switch without an item as active', async () => {
    const { handler } = checkFunction();

    const response = await handler(restApiEvent({ pathSwitch: 'never-written' }), context);

    expect(response).toEqual({ statusCode: 200, headers: JSON_HEADERS, body: '{"switch":"never-written","suspended":false}' });
  });

  it('serves a repeated check from memory and says so in its log line', async () => {
    const { handler, logs } = checkFunction();

    await handler(restApiEvent({ pathSwitch: 'orders' }), context);
    await handler(restApiEvent({ pathSwitch: 'orders' }), context);

    expect(logs.map((line) => line.source)).toEqual(['fresh', 'cached']);
  });

  it.each([
    ['REST API path parameter', restApiEvent({ pathSwitch: 'payments' }), 'payments'],
    ['REST API query parameter', restApiEvent({ querySwitch: 'payments' }), 'payments'],
    ['HTTP API path parameter', httpApiEvent({ pathSwitch: 'payments' }), 'payments'],
    ['HTTP API query parameter', httpApiEvent({ querySwitch: 'payments' }), 'payments'],
    ['function URL path /switches/<name>', functionUrlEvent({ rawPath: '/switches/payments' }), 'payments'],
    ['function URL path with a trailing slash', functionUrlEvent({ rawPath: '/switches/payments/' }), 'payments'],
    ['function URL percent-encoded path', functionUrlEvent({ rawPath: '/switches/p%61yments' }), 'payments'],
    ['function URL query parameter', functionUrlEvent({ querySwitch: 'payments' }), 'payments'],
    ['function URL root path', functionUrlEvent({ rawPath: '/' }), 'orders'],
    ['function URL path with repeated slashes', functionUrlEvent({ rawPath: '//switches//payments' }), 'payments'],
    ['HTTP API payload 1.0 on a named stage', httpApiV1Event({ path: '/switches/payments', stage: 'prod' }), 'payments'],
    ['HTTP API payload 1.0 on a named stage, path /', httpApiV1Event({ path: '/', stage: 'prod' }), 'orders'],
    ['HTTP API payload 1.0 on $default', httpApiV1Event({ path: '/switches/payments', stage: '$default' }), 'payments'],
    ['direct invoke with a path /', { path: '/', switch: 'payments' }, 'payments'],
    ['direct invoke naming the switch', { switch: 'payments' }, 'payments'],
    ['path parameter over query parameter', restApiEvent({ pathSwitch: 'payments', querySwitch: 'reports' }), 'payments'],
    ['path over query parameter on a function URL', functionUrlEvent({ rawPath: '/switches/payments', querySwitch: 'reports' }), 'payments'],
    ['console test event', consoleTestEvent, 'orders'],
    ['empty object', {}, 'orders'],
  ])('reads the switch from a %s', async (_shape, event, expectedSwitch) => {
    const { handler } = checkFunction('orders');

    const response = await handler(event, context);

    expect(JSON.parse(response.body).switch).toBe(expectedSwitch);
    expect(response.statusCode).toBe(expectedSwitch === 'payments' ? 503 : 200);
  });

  it.each([
    ['null', null, 'the event must be a JSON object (an API Gateway, function URL, console test or direct invoke event), got null'],
    ['an array', [consoleTestEvent], 'the event must be a JSON object (an API Gateway, function URL, console test or direct invoke event), got an array'],
    ['a string', 'payments', 'the event must be a JSON object (an API Gateway, function URL, console test or direct invoke event), got a string'],
    ['a number', 42, 'the event must be a JSON object (an API Gateway, function URL, console test or direct invoke event), got a number'],
    ['undefined', undefined, 'the event must be a JSON object (an API Gateway, function URL, console test or direct invoke event), got nothing'],
    ['an invalid path parameter', restApiEvent({ pathSwitch: 'no spaces' }), 'invalid switch name "no spaces" in path parameter "switch": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['an invalid query parameter', httpApiEvent({ querySwitch: 'a,b' }), 'invalid switch name "a,b" in query parameter "switch": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['an empty query parameter', functionUrlEvent({ querySwitch: '' }), 'invalid switch name "" in query parameter "switch": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['a name over 64 characters', restApiEvent({ pathSwitch: 'x'.repeat(65) }), `invalid switch name "${'x'.repeat(64)}…" in path parameter "switch": use 1-64 characters of A-Z a-z 0-9 . _ -`],
    ['a nested path', functionUrlEvent({ rawPath: '/switches/a/b' }), 'invalid switch name "a/b" in the path /switches/<name>: use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['broken percent-encoding', functionUrlEvent({ rawPath: '/switches/%E0%A4%A' }), 'the path "/switches/%E0%A4%A" is not valid percent-encoding'],
    ['a function URL path that names no switch', functionUrlEvent({ rawPath: '/switchs/orders' }), 'no switch at the path "/switchs/orders": use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['a REST API path that names no switch', restApiEvent(), 'no switch at the path "/check": use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['an HTTP API route whose path names no switch', httpApiEvent(), 'no switch at the path "/check": use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['a direct invoke naming a switch that is not a string', { switch: 42 }, 'the event\'s "switch" field must be a string, got a number'],
    ['a path of two slashes', functionUrlEvent({ rawPath: '//' }), 'no switch at the path "//": use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['an HTTP request with a top-level switch', { switch: 'payments', requestContext: {} }, 'the event\'s "switch" field is read only from a direct invoke (an event without requestContext or httpMethod): use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['a REST-like request with a top-level switch', { switch: 'payments', httpMethod: 'GET' }, 'the event\'s "switch" field is read only from a direct invoke (an event without requestContext or httpMethod): use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['an HTTP API request at / with a top-level switch', { ...functionUrlEvent({ rawPath: '/' }), switch: 'payments' }, 'the event\'s "switch" field is read only from a direct invoke (an event without requestContext or httpMethod): use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['HTTP API payload 1.0 on a named stage, path that names no switch', httpApiV1Event({ path: '/orders', stage: 'prod' }), 'no switch at the path "/orders": use /switches/<name>, ?switch=<name>, or / for the default switch'],
    ['a path that is not a string', { rawPath: ['/'] }, 'rawPath must be a string, got an array'],
    ['a path parameter that is not a string', { pathParameters: { switch: ['payments'] } }, 'path parameter "switch" must be a string, got an array'],
    ['pathParameters that are not an object', { pathParameters: 'payments' }, 'pathParameters must be an object, got a string'],
    ['queryStringParameters that are not an object', { queryStringParameters: [1] }, 'queryStringParameters must be an object, got an array'],
  ])('answers 400 with a clear message for %s', async (_case, event, message) => {
    const { handler, logs } = checkFunction();

    const response = await handler(event, context);

    expect(response).toEqual({ statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ error: message }) });
    expect(logs).toEqual([
      { level: 'info', msg: 'check', requestId: context.awsRequestId, statusCode: 400, error: message, latencyMs: expect.any(Number) },
    ]);
  });

  it('answers 404 for a switch outside SUSPENSE_SWITCHES, without reading DynamoDB', async () => {
    const { handler, logs, client } = checkFunction('global', { switches: ['global', 'payments'] });
    const requests = countRequests(client);

    const undeclared = await handler(restApiEvent({ pathSwitch: 'orders' }), context);
    const declared = await handler(restApiEvent({ pathSwitch: 'payments' }), context);

    const message = 'switch "orders" is not declared here: SUSPENSE_SWITCHES lists the switches this function answers for';
    expect(undeclared).toEqual({ statusCode: 404, headers: JSON_HEADERS, body: JSON.stringify({ error: message }) });
    expect(declared.statusCode).toBe(503);
    expect(requests.count()).toBe(1);
    expect(logs[0]).toEqual({ level: 'info', msg: 'check', requestId: context.awsRequestId, statusCode: 404, switch: 'orders', error: message, latencyMs: expect.any(Number) });
  });

  it('answers a reason of 350 KB written by another tool with a body under 3 KB', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'verbose', switchAttributes({ suspended: true, reason: 'x'.repeat(350_000) }));
    const { handler, logs } = checkFunction();

    const response = await handler(restApiEvent({ pathSwitch: 'verbose' }), context);

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).reason).toBe(`${'x'.repeat(499)}…`);
    expect(response.body.length).toBeLessThan(3000);
    for (const line of logs) expect(JSON.stringify(line).length).toBeLessThan(1000);
  });

  it('does not read switch names from the prototype chain', async () => {
    const { handler } = checkFunction('orders');
    const pathParameters = Object.create({ switch: 'payments' }) as Record<string, unknown>;

    const response = await handler({ pathParameters, queryStringParameters: JSON.parse('{"__proto__":{"switch":"payments"}}') }, context);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ switch: 'orders', suspended: false });
  });

  it('answers 500 with a generic body, and logs the error, when something unexpected fails', async () => {
    const logs: LogLine[] = [];
    const failingStore = { readSwitch: () => Promise.reject(new TypeError('boom at line 3')) } as unknown as SwitchStore;
    const handler = createCheckHandler({ setup: { ok: true, store: failingStore, defaultSwitch: 'global' }, log: (line) => logs.push(line) });

    const response = await handler(consoleTestEvent, context);

    expect(response).toEqual({ statusCode: 500, headers: JSON_HEADERS, body: '{"error":"internal error"}' });
    expect(logs).toEqual([
      {
        level: 'error',
        msg: 'check',
        requestId: context.awsRequestId,
        statusCode: 500,
        error: 'TypeError: boom at line 3',
        stack: expect.stringContaining('TypeError: boom at line 3'),
        latencyMs: expect.any(Number),
      },
    ]);
  });

  it('answers 500 and logs the problem on every invocation when misconfigured', async () => {
    const logs: LogLine[] = [];
    const handler = createCheckHandler({ setup: { ok: false, problem: 'SUSPENSE_TABLE is not set' }, log: (line) => logs.push(line) });

    const first = await handler(consoleTestEvent, context);
    const second = await handler(consoleTestEvent, context);

    expect(first).toEqual({ statusCode: 500, headers: JSON_HEADERS, body: '{"error":"the check function is misconfigured; its log says how"}' });
    expect(second).toEqual(first);
    expect(logs).toEqual([
      { level: 'error', msg: 'check', requestId: context.awsRequestId, statusCode: 500, error: 'SUSPENSE_TABLE is not set', latencyMs: expect.any(Number) },
      { level: 'error', msg: 'check', requestId: context.awsRequestId, statusCode: 500, error: 'SUSPENSE_TABLE is not set', latencyMs: expect.any(Number) },
    ]);
  });

  it('logs without a request id when invoked without a context', async () => {
    const { handler, logs } = checkFunction();

    await handler(consoleTestEvent);

    expect(logs).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(logs[0]))).not.toHaveProperty('requestId');
  });
});

describe('check function module (functions/check/handler.ts)', () => {
  const savedEnv = { ...process.env };
  let stdout: string[];

  beforeEach(() => {
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...savedEnv };
  });

  function loadHandler(env: Record<string, string | undefined>): CheckHandler {
    process.env = { ...savedEnv, ...lambdaLikeEnvironment(dynamo.endpoint, {}), ...env };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete process.env[name];
    return loadCheckModule();
  }

  it('reads its configuration from the environment and writes exactly one JSON log line per invocation', async () => {
    const handler = loadHandler({ SUSPENSE_TABLE: TABLE, SUSPENSE_DEFAULT_SWITCH: 'reports' });

    const first = await handler(consoleTestEvent, context);
    const second = await handler(consoleTestEvent, context);

    expect(first.statusCode).toBe(503);
    expect(JSON.parse(first.body)).toEqual({ switch: 'reports', suspended: true, reason: 'quarter close', until: null });
    expect(second).toEqual(first);
    expect(stdout).toHaveLength(2);
    expect(stdout.map((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toEqual([true, true]);
    expect(stdout.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'info', msg: 'check', switch: 'reports', statusCode: 503, source: 'fresh', requestId: context.awsRequestId }),
      expect.objectContaining({ level: 'info', msg: 'check', switch: 'reports', statusCode: 503, source: 'cached', requestId: context.awsRequestId }),
    ]);
  });

  it('loads without SUSPENSE_TABLE, then answers 500 and logs which variable is missing', async () => {
    const handler = loadHandler({ SUSPENSE_TABLE: undefined });

    const response = await handler(consoleTestEvent, context);

    expect(response).toEqual({ statusCode: 500, headers: JSON_HEADERS, body: '{"error":"the check function is misconfigured; its log says how"}' });
    expect(stdout).toHaveLength(1);
    expect(JSON.parse(stdout[0]!)).toEqual(
      expect.objectContaining({ level: 'error', msg: 'check', statusCode: 500, error: expect.stringMatching(/^SUSPENSE_TABLE is not set/) }),
    );
  });

  it('loads with an unusable setting, then answers 500 naming the variable', async () => {
    const handler = loadHandler({ SUSPENSE_TABLE: TABLE, SUSPENSE_FAIL_MODE: 'sideways' });

    const response = await handler(consoleTestEvent, context);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(stdout[0]!).error).toBe('SUSPENSE_FAIL_MODE must be "open" or "closed", got "sideways"');
  });

  it('loads with declared switches that leave out the default switch, then answers 500 naming the variable', async () => {
    const handler = loadHandler({ SUSPENSE_TABLE: TABLE, SUSPENSE_SWITCHES: 'orders,payments' });

    const response = await handler(consoleTestEvent, context);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(stdout[0]!).error).toBe('SUSPENSE_SWITCHES must include the default switch "global"');
  });

  it('answers from the declared switches and fail-closed list it reads from the environment', async () => {
    const handler = loadHandler({ SUSPENSE_TABLE: TABLE, SUSPENSE_SWITCHES: 'global,orders', SUSPENSE_FAIL_CLOSED_SWITCHES: 'orders' });

    const declared = await handler(restApiEvent({ pathSwitch: 'orders' }), context);
    const undeclared = await handler(restApiEvent({ pathSwitch: 'reports' }), context);

    expect([declared.statusCode, undeclared.statusCode]).toEqual([200, 404]);
  });
});
