import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { addStacks } from '../../stacks/app';
import { readSynthesizedFunction } from '../../sandbox/synthesized-function';
import type { FunctionDefinition } from '../../sandbox/function-definition';
import { BOOTSTRAP_FILE } from '../../sandbox/execution-environment';
import { lambdaEnvironment, unpackFunctionZip } from '../../sandbox/lambda-runner';
import { LocalFunction } from '../../sandbox/local-function';
import { startXrayDaemonStub, type XrayDaemonStub } from '../../sandbox/xray-daemon-stub';
import type { ExtractedFile } from '../../sandbox/zip-extract';
import { LOCAL_CREDENTIALS, useDynalite } from '../support/dynalite';
import { printFigure } from '../support/figures';
import { UNHURRIED_REQUEST_TIMEOUT_MS } from '../support/environment';
import { FAULTS, startFaultProxy } from '../support/fault-proxy';
import { consoleTestEvent, functionUrlEvent, httpApiEvent, httpApiRouteEvent, httpApiV1Event, restApiEvent, restApiProxyEvent } from '../support/lambda-events';
import { NODES_REQUIRED, nodesUnderTest } from '../support/lambda-nodes';
import { runHandler, waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';
import { useTempDirs } from '../support/temp-dirs';

/** Issue 5's ceiling for the deployment package. */
const MAX_ZIP_BYTES = 150_000;

/**
 * The shipped artifact: the zip that synth put in the dev stack's output, unpacked alone into an empty folder with
 * no node_modules anywhere above it, run by the project's Lambda-like runner with the variables Lambda sets for the
 * stack's definition (active tracing included), on this machine's Node and on the Node versions of the Lambda
 * runtimes (fetched by `npm run fetch-node`; required with CI=true).
 */
describe('shipped check function artifact', () => {
  const tempDir = useTempDirs();
  let definition: FunctionDefinition;
  let zipBytes: number;
  let unpacked: ExtractedFile[];
  let functionDir: string;
  const dynamo = useDynalite();
  let daemon: XrayDaemonStub;

  beforeAll(async () => {
    const outdir = tempDir('suspense-synth-');
    const app = new App({ outdir });
    addStacks(app, { ...process.env, SUSPENSE_ALLOW_PLACEHOLDERS: 'test' });
    app.synth();
    definition = readSynthesizedFunction(outdir).definition;

    const zip = fs.readFileSync(definition.zipFile);
    zipBytes = zip.length;
    functionDir = path.join(tempDir('suspense-artifact-'), 'task');
    unpacked = unpackFunctionZip(zip, functionDir);

    daemon = await startXrayDaemonStub();
    await dynamo.createSwitchTable(definition.environment.SUSPENSE_TABLE!);
    await putRawSwitchItem(dynamo.client, definition.environment.SUSPENSE_TABLE!, 'maintenance', switchAttributes({
      suspended: true,
      reason: 'planned maintenance',
      until: new Date(Date.now() + 3_600_000).toISOString(),
    }));
    await putRawSwitchItem(dynamo.client, definition.environment.SUSPENSE_TABLE!, 'orders', switchAttributes({ suspended: true, reason: 'incident 7' }));
  });
  afterAll(() => daemon?.stop());

  /** What Lambda sets for the stack's definition, plus the local endpoint and dummy credentials. */
  const functionEnvironment = (nodeBinary: string): Record<string, string> =>
    lambdaEnvironment({
      definition,
      taskRoot: functionDir,
      runtimeDir: path.dirname(BOOTSTRAP_FILE),
      xrayDaemonAddress: daemon.address,
      nodeBinary,
      overrides: [
        { name: 'AWS_ENDPOINT_URL_DYNAMODB', value: dynamo.endpoint, reason: 'local DynamoDB' },
        { name: 'AWS_ACCESS_KEY_ID', value: LOCAL_CREDENTIALS.accessKeyId, reason: 'dummy credentials' },
        { name: 'AWS_SECRET_ACCESS_KEY', value: LOCAL_CREDENTIALS.secretAccessKey, reason: 'dummy credentials' },
        { name: 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', value: 'true', reason: 'Node 20 is older than the SDK wants' },
        // The production 250 ms per attempt can pass before a crowded machine's local DynamoDB answers, and the read
        // would then be the fail-open default; the tests that are about deadlines set their own below.
        { name: 'SUSPENSE_REQUEST_TIMEOUT_MS', value: String(UNHURRIED_REQUEST_TIMEOUT_MS), reason: 'no test of these is about the read deadline' },
      ],
    });
  const run = (nodeBinary: string, events: readonly unknown[], extra: Partial<Parameters<typeof runHandler>[0]> = {}) =>
    runHandler({
      modulePath: path.join(functionDir, 'index.js'),
      events,
      env: functionEnvironment(nodeBinary),
      nodeBinary,
      settings: { memorySizeMb: definition.memorySizeMb, timeoutSeconds: definition.timeoutSeconds },
      ...extra,
    });

  it('holds the bundle and nothing else, within the size budget, with no node_modules above it', () => {
    expect(definition.handler).toBe('index.handler');
    expect(unpacked.map((file) => file.name)).toEqual(['index.js']);
    expect(zipBytes).toBeLessThanOrEqual(MAX_ZIP_BYTES);
    for (let dir = functionDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    }
  });

  describe.each(nodesUnderTest())('on $label', ({ label, binary }) => {
    if (binary === undefined) {
      if (NODES_REQUIRED) it('has the Node binary (CI=true requires it: npm run fetch-node)', () => expect(binary).toBeDefined());
      else it.skip(`needs ${label}: npm run fetch-node`, () => undefined);
      return;
    }

    it('answers the console test event (200) and a suspended switch (503 with Retry-After)', async () => {
      const result = await run(binary, [consoleTestEvent, restApiEvent({ pathSwitch: 'maintenance' })], { trace: 'sampled' });

      const [consoleInvocation, suspendedInvocation] = result.invocations;
      expect(consoleInvocation!.response).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: '{"switch":"global","suspended":false}',
      });
      expect(suspendedInvocation!.response.statusCode).toBe(503);
      expect(Number(suspendedInvocation!.response.headers['retry-after'])).toBeGreaterThan(3500);
      expect(Number(suspendedInvocation!.response.headers['retry-after'])).toBeLessThanOrEqual(3600);
      expect(JSON.parse(suspendedInvocation!.response.body)).toEqual({
        switch: 'maintenance',
        suspended: true,
        reason: 'planned maintenance',
        until: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      // Nothing but the function's own lines: no warning from Node, the SDK or X-Ray.
      expect(result.logLines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ level: 'info', msg: 'check', requestId: 'request-1', switch: 'global', statusCode: 200, source: 'fresh' }),
        expect.objectContaining({ level: 'info', msg: 'check', requestId: 'request-2', switch: 'maintenance', statusCode: 503, source: 'fresh' }),
      ]);
      expect(result.xrayLoaded).toBe(false);
      expect(result.nodeVersion).toBe(execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim());
      printFigure(`shipped artifact on ${label} ${result.nodeVersion}, init (module load)`, Math.round(result.initMs), 'ms');
    });

    it('traces its DynamoDB read through X-Ray: a DynamoDB subsegment and an annotated readSwitch subsegment', async () => {
      // A trace of its own per Node, so that one Node's documents never stand in for another's.
      const traceRoot = `1-5759e988-${randomBytes(12).toString('hex')}`;
      const documents = () => daemon.documentsFor(traceRoot);
      const result = await run(binary, [restApiEvent({ pathSwitch: 'maintenance' })], {
        trace: `Root=${traceRoot};Parent=53995c3f42cd8ad8;Sampled=1`,
        stayUntil: () => waitFor(() => documents().some((d) => d.name === 'DynamoDB') && documents().some((d) => d.name === 'readSwitch'), 10000),
      });

      expect(result.invocations[0]!.response.statusCode).toBe(503);
      expect(documents().find((d) => d.name === 'DynamoDB')).toEqual(
        expect.objectContaining({ namespace: 'aws', aws: expect.objectContaining({ operation: 'GetItem', table_name: definition.environment.SUSPENSE_TABLE }) }),
      );
      expect(documents().find((d) => d.name === 'readSwitch')?.annotations).toEqual({ switch: 'maintenance', suspended: true, source: 'fresh' });
    });
  });

  describe('routes: every event shape names a switch or is refused', () => {
    const ORDERS = { statusCode: 503, body: { switch: 'orders', suspended: true, reason: 'incident 7', until: null } };
    const GLOBAL = { statusCode: 200, body: { switch: 'global', suspended: false } };
    const refused = (path: string) => ({
      statusCode: 400,
      body: { error: `no switch at the path "${path}": use /switches/<name>, ?switch=<name>, or / for the default switch` },
    });
    /** [event shape, sample event, answer]: the table in the README's "The check function" section. */
    const ROUTES: readonly (readonly [string, unknown, { statusCode: number; body: unknown }])[] = [
      ['REST API (v1), route /switches/{switch}', restApiEvent({ pathSwitch: 'orders' }), ORDERS],
      ['REST API (v1), route /check?switch=orders', restApiEvent({ querySwitch: 'orders' }), ORDERS],
      ['REST API (v1), route /check without a switch', restApiEvent(), refused('/check')],
      ['REST API (v1), /{proxy+} with path /switches/orders', restApiProxyEvent('/switches/orders'), ORDERS],
      ['REST API (v1), /{proxy+} with path /orders', restApiProxyEvent('/orders'), refused('/orders')],
      ['REST API (v1), /{proxy+} with path /', restApiProxyEvent('/'), GLOBAL],
      ['HTTP API (v2), $default route, path /switches/orders', httpApiRouteEvent({ routeKey: '$default', path: '/switches/orders' }), ORDERS],
      ['HTTP API (v2), $default route, path /', httpApiRouteEvent({ routeKey: '$default', path: '/' }), GLOBAL],
      ['HTTP API (v2), $default route, path /health', httpApiRouteEvent({ routeKey: '$default', path: '/health' }), refused('/health')],
      ['HTTP API (v2), route GET /switches/{switch}', httpApiEvent({ pathSwitch: 'orders' }), ORDERS],
      ['HTTP API (v2), route GET /check without a switch', httpApiEvent(), refused('/check')],
      ['HTTP API (v2), GET /{proxy+} with path /switches/orders', httpApiRouteEvent({ routeKey: 'GET /{proxy+}', path: '/switches/orders' }), ORDERS],
      ['HTTP API (v2), GET /{proxy+} with path /orders', httpApiRouteEvent({ routeKey: 'GET /{proxy+}', path: '/orders' }), refused('/orders')],
      ['HTTP API (v2), stage prod, GET /{proxy+} with path /prod/switches/orders', httpApiRouteEvent({ routeKey: 'GET /{proxy+}', path: '/switches/orders', stage: 'prod' }), ORDERS],
      ['HTTP API (v2), stage prod, $default route with path /prod', httpApiRouteEvent({ routeKey: '$default', path: '/', stage: 'prod' }), GLOBAL],
      ['function URL, path /switches/orders', functionUrlEvent({ rawPath: '/switches/orders' }), ORDERS],
      ['function URL, path /?switch=orders', functionUrlEvent({ querySwitch: 'orders' }), ORDERS],
      ['HTTP API payload 1.0, stage prod, GET /{proxy+} with path /prod/switches/orders', httpApiV1Event({ path: '/switches/orders', stage: 'prod' }), ORDERS],
      ['function URL, path /', functionUrlEvent({ rawPath: '/' }), GLOBAL],
      ['function URL, path //', functionUrlEvent({ rawPath: '//' }), refused('//')],
      ['function URL, path /switchs/orders', functionUrlEvent({ rawPath: '/switchs/orders' }), refused('/switchs/orders')],
      ['Lambda console test event', consoleTestEvent, GLOBAL],
      ['direct invoke {"switch":"orders"}', { switch: 'orders' }, ORDERS],
      ['direct invoke {}', {}, GLOBAL],
    ];
    let answers: Map<string, { statusCode: number; body: unknown }>;

    beforeAll(async () => {
      const run = await runHandler({ modulePath: path.join(functionDir, 'index.js'), events: ROUTES.map(([, event]) => event), env: functionEnvironment(process.execPath) });
      answers = new Map(ROUTES.map(([shape], index) => {
        const { response } = run.invocations[index]!;
        return [shape, { statusCode: response.statusCode, body: JSON.parse(response.body) as unknown }];
      }));
    });

    it.each(ROUTES)('%s', (shape, _event, expected) => {
      expect(answers.get(shape)).toEqual(expected);
    });
  });

  describe('during a DynamoDB outage (TTL 1 s, staleness bound 2 s)', () => {
    /** A warm local Lambda of the shipped package, reading through a proxy the test breaks. */
    async function outageFunction(endpoint: string) {
      const settings = {
        SUSPENSE_CACHE_TTL_SECONDS: '1',
        SUSPENSE_MAX_STALE_SECONDS: '2',
        // Generous: the first read of a cold environment on a busy machine must not time out (the refused
        // connections of the outage fail at once whatever the timeout).
        SUSPENSE_REQUEST_TIMEOUT_MS: '1000',
        SUSPENSE_MAX_ATTEMPTS: '2',
        SUSPENSE_FAIL_CLOSED_SWITCHES: 'payments',
        SUSPENSE_SWITCHES: 'global,maintenance,orders,payments,checkout',
      };
      const outageDefinition = { ...definition, tracingMode: 'PassThrough' as const, environment: { ...definition.environment, ...settings } };
      const override = (name: string, value: string) => ({ name, value, reason: 'test' });
      const environment = lambdaEnvironment({
        definition: outageDefinition,
        taskRoot: functionDir,
        runtimeDir: path.dirname(BOOTSTRAP_FILE),
        xrayDaemonAddress: '127.0.0.1:2000',
        overrides: [
          override('AWS_ENDPOINT_URL_DYNAMODB', endpoint),
          override('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId),
          override('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey),
          override('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true'),
        ],
      });
      const fn = new LocalFunction({ definition: outageDefinition, taskRoot: functionDir, environment, maxConcurrency: 1 });
      const answer = async (event: unknown, cold = false) => {
        const invocation = await (cold ? fn.invokeCold({ payload: JSON.stringify(event) }) : fn.invoke({ payload: JSON.stringify(event) }));
        const response = JSON.parse(invocation.payload) as { statusCode: number; body: string };
        return { statusCode: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown>, log: invocation.log };
      };
      return { fn, answer };
    }

    it('keeps answering 503 for a switch it read suspended, past the staleness bound, and warns that it holds it', async () => {
      const proxy = await startFaultProxy(dynamo.endpoint);
      const { fn, answer } = await outageFunction(proxy.endpoint);
      try {
        const first = await answer(restApiEvent({ pathSwitch: 'orders' }));
        const readAt = Date.now();
        await proxy.setMode(FAULTS.down);
        const during: { statusCode: number; source: unknown; atMs: number }[] = [];
        let log = '';
        // Past TTL + bound (3 s) by two TTLs: every answer from the first failure to well past the bound.
        while (Date.now() - readAt < 5_000) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const next = await answer(restApiEvent({ pathSwitch: 'orders' }));
          log += next.log;
          during.push({ statusCode: next.statusCode, source: checkLine(next.log)?.source, atMs: Date.now() - readAt });
        }

        expect(first).toMatchObject({ statusCode: 503, body: { switch: 'orders', suspended: true, reason: 'incident 7' } });
        expect(checkLine(first.log)?.source).toBe('fresh');
        expect(during.filter((answered) => answered.atMs > 3_500).length).toBeGreaterThan(0);
        for (const answered of during) expect(answered).toMatchObject({ statusCode: 503, source: expect.stringMatching(/^(cached|stale)$/) });
        expect(log).toContain('"msg":"suspension held past the staleness bound","switch":"orders"');
        console.log(`shipped artifact, DynamoDB down: ${during.length} answers over ${during.at(-1)!.atMs} ms after the read, all 503`);
      } finally {
        await fn.stop();
        await proxy.stop();
      }
    });

    it('answers a fail-closed switch 503 from a cold environment, others by the fail mode, and reads nothing for an undeclared name', async () => {
      const proxy = await startFaultProxy(dynamo.endpoint);
      const { fn, answer } = await outageFunction(proxy.endpoint);
      try {
        const undeclared = await answer(restApiEvent({ pathSwitch: 'reports' }), true);
        const getItemsForUndeclared = proxy.count('GetItem');
        await proxy.setMode(FAULTS.down);
        const payments = await answer(restApiEvent({ pathSwitch: 'payments' }), true);
        const checkout = await answer(restApiEvent({ pathSwitch: 'checkout' }), true);

        expect(undeclared).toMatchObject({
          statusCode: 404,
          body: { error: 'switch "reports" is not declared here: SUSPENSE_SWITCHES lists the switches this function answers for' },
        });
        expect(getItemsForUndeclared).toBe(0);
        expect(payments).toMatchObject({ statusCode: 503, body: { switch: 'payments', suspended: true, reason: 'the switch could not be read; failing closed', until: null } });
        expect(checkLine(payments.log)?.source).toBe('default');
        expect(checkout).toMatchObject({ statusCode: 200, body: { switch: 'checkout', suspended: false } });
      } finally {
        await fn.stop();
        await proxy.stop();
      }
    });
  });
});

/** The `msg: "check"` line in an invocation's log. */
function checkLine(log: string): Record<string, unknown> | undefined {
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (parsed.msg === 'check') return parsed;
  }
  return undefined;
}
