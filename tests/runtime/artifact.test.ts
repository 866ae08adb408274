import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { addStacks } from '../../stacks/app';
import { readSynthesizedFunction } from '../../sandbox/synthesized-function';
import type { FunctionDefinition } from '../../sandbox/function-definition';
import { startXrayDaemonStub } from '../../sandbox/xray-daemon-stub';
import { extractZip, type ExtractedFile } from '../../sandbox/zip-extract';
import { LOCAL_CREDENTIALS, startDynamo, type LocalDynamo } from '../support/dynalite';
import { consoleTestEvent, restApiEvent } from '../support/lambda-events';
import { HANDLER_RUNNER, runHandler, waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';

/** Issue 5's ceiling for the deployment package. */
const MAX_ZIP_BYTES = 150_000;
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';

/**
 * The shipped artifact: the zip that synth put in the dev stack's output, unpacked into an empty folder with no
 * node_modules anywhere above it, run by a fresh Node process as the Lambda runtime would run it.
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
  let runner: string;
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    const outdir = tempDir('suspense-synth-');
    const app = new App({ outdir });
    addStacks(app, { ...process.env, SUSPENSE_ALLOW_PLACEHOLDERS: 'test' });
    app.synth();
    definition = readSynthesizedFunction(outdir).definition;

    const zip = fs.readFileSync(definition.zipFile);
    zipBytes = zip.length;
    functionDir = tempDir('suspense-artifact-');
    unpacked = extractZip(zip, functionDir);
    // The runner lives in a folder of its own, so that the function's folder holds exactly what the zip holds.
    runner = path.join(tempDir('suspense-runner-'), 'handler-runner.js');
    fs.copyFileSync(HANDLER_RUNNER, runner);

    dynamo = await startDynamo();
    await dynamo.createSwitchTable(definition.environment.SUSPENSE_TABLE!);
    await putRawSwitchItem(dynamo.client, definition.environment.SUSPENSE_TABLE!, 'maintenance', switchAttributes({
      suspended: true,
      reason: 'planned maintenance',
      until: new Date(Date.now() + 3_600_000).toISOString(),
    }));
  });
  afterAll(async () => {
    await dynamo?.stop();
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The variables the stack sets, plus what Lambda would provide and the local endpoint. */
  const functionEnvironment = (): Record<string, string> => ({
    ...definition.environment,
    AWS_REGION: definition.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  it('holds the bundle and nothing else, within the size budget, with no node_modules above it', () => {
    expect(definition.handler).toBe('index.handler');
    expect(unpacked.map((file) => file.name)).toEqual(['index.js']);
    expect(zipBytes).toBeLessThanOrEqual(MAX_ZIP_BYTES);
    for (let dir = functionDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    }
  });

  it('answers the console test event and a suspended switch in a fresh Node process', async () => {
    const run = await runHandler({
      modulePath: path.join(functionDir, 'index.js'),
      runner,
      cwd: functionDir,
      events: [consoleTestEvent, restApiEvent({ pathSwitch: 'maintenance' })],
      env: functionEnvironment(),
    });

    const [consoleInvocation, suspendedInvocation] = run.invocations;
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
    expect(run.stderr).toBe('');
    expect(run.stdoutLines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'info', msg: 'check', requestId: 'request-1', switch: 'global', statusCode: 200, source: 'fresh' }),
      expect.objectContaining({ level: 'info', msg: 'check', requestId: 'request-2', switch: 'maintenance', statusCode: 503, source: 'fresh' }),
    ]);

    console.log(
      `shipped artifact: function.zip ${zipBytes} bytes (index.js ${unpacked[0]!.bytes} bytes); ` +
        `module load ${run.loadMs.toFixed(1)} ms; first invocation ${consoleInvocation!.ms.toFixed(1)} ms; ` +
        `second ${suspendedInvocation!.ms.toFixed(1)} ms`,
    );
  });

  it('traces its DynamoDB read through X-Ray when run as in Lambda', async () => {
    const daemon = await startXrayDaemonStub();
    try {
      const documents = () => daemon.documentsFor(TRACE_ROOT);
      const run = await runHandler({
        modulePath: path.join(functionDir, 'index.js'),
        runner,
        cwd: functionDir,
        events: [restApiEvent({ pathSwitch: 'maintenance' })],
        env: {
          ...functionEnvironment(),
          AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
          LAMBDA_TASK_ROOT: functionDir,
          _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
          AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        },
        stayUntil: () => waitFor(() => documents().some((d) => d.name === 'DynamoDB') && documents().some((d) => d.name === 'readSwitch'), 10000),
      });

      expect(run.invocations[0]!.response.statusCode).toBe(503);
      expect(run.stderr).toBe('');
      expect(documents().find((d) => d.name === 'DynamoDB')).toEqual(
        expect.objectContaining({ namespace: 'aws', aws: expect.objectContaining({ operation: 'GetItem', table_name: definition.environment.SUSPENSE_TABLE }) }),
      );
      expect(documents().find((d) => d.name === 'readSwitch')?.annotations).toEqual({ switch: 'maintenance', suspended: true, source: 'fresh' });
      console.log(`shipped artifact in Lambda mode (X-Ray loaded at init): module load ${run.loadMs.toFixed(1)} ms; first invocation ${run.invocations[0]!.ms.toFixed(1)} ms`);
    } finally {
      await daemon.stop();
    }
  });
});
