import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { addStacks } from '../../stacks/app';
import { readSynthesizedFunction } from '../../sandbox/synthesized-function';
import type { FunctionDefinition } from '../../sandbox/function-definition';
import { BOOTSTRAP_FILE } from '../../sandbox/execution-environment';
import { lambdaEnvironment, unpackFunctionZip } from '../../sandbox/lambda-runner';
import { startXrayDaemonStub, type XrayDaemonStub } from '../../sandbox/xray-daemon-stub';
import type { ExtractedFile } from '../../sandbox/zip-extract';
import { LOCAL_CREDENTIALS, startDynamo, type LocalDynamo } from '../support/dynalite';
import { printFigure } from '../support/figures';
import { consoleTestEvent, restApiEvent } from '../support/lambda-events';
import { NODES_REQUIRED, nodesUnderTest } from '../support/lambda-nodes';
import { runHandler, waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';

/** Issue 5's ceiling for the deployment package. */
const MAX_ZIP_BYTES = 150_000;

/**
 * The shipped artifact: the zip that synth put in the dev stack's output, unpacked alone into an empty folder with
 * no node_modules anywhere above it, run by the project's Lambda-like runner with the variables Lambda sets for the
 * stack's definition (active tracing included), on this machine's Node and on the Node versions of the Lambda
 * runtimes (fetched by `npm run fetch-node`; required with CI=true).
 */
describe('shipped check function artifact', () => {
  const temporary: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temporary.push(dir);
    return dir;
  };
  let definition: FunctionDefinition;
  let zipBytes: number;
  let unpacked: ExtractedFile[];
  let functionDir: string;
  let dynamo: LocalDynamo;
  let daemon: XrayDaemonStub;

  beforeAll(async () => {
    const outdir = tempDir('suspense-synth-');
    const app = new App({ outdir });
    addStacks(app);
    app.synth();
    definition = readSynthesizedFunction(outdir).definition;

    const zip = fs.readFileSync(definition.zipFile);
    zipBytes = zip.length;
    functionDir = path.join(tempDir('suspense-artifact-'), 'task');
    unpacked = unpackFunctionZip(zip, functionDir);

    [dynamo, daemon] = await Promise.all([startDynamo(), startXrayDaemonStub()]);
    await dynamo.createSwitchTable(definition.environment.SUSPENSE_TABLE!);
    await putRawSwitchItem(dynamo.client, definition.environment.SUSPENSE_TABLE!, 'maintenance', switchAttributes({
      suspended: true,
      reason: 'planned maintenance',
      until: new Date(Date.now() + 3_600_000).toISOString(),
    }));
  });
  afterAll(async () => {
    await daemon?.stop();
    await dynamo?.stop();
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  });

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
});
