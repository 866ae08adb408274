import { InvalidRequestContentException, InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSuspenseCli } from '../../sandbox/suspense-cli';
import { isListening, printedVariables, processesWorkingIn, startProcess, type SandboxProcess } from './sandbox-process';

/** The cache TTL serve mode runs with here, so that suspend and resume show within a second. */
const CACHE_TTL_SECONDS = 1;
const START_TIMEOUT_MS = 90_000;

const CONSOLE_TEST_EVENT = Buffer.from(JSON.stringify({ key1: 'value1', key2: 'value2', key3: 'value3' }));

describe('npm start -- --serve', () => {
  let sandbox: SandboxProcess;
  let vars: Record<string, string>;
  let lambda: LambdaClient;
  const envFileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-env-file-'));
  const envFile = path.join(envFileDir, 'sandbox.env');

  const port = (url: string) => Number(new URL(url).port);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitForTtl = () => sleep(CACHE_TTL_SECONDS * 1000 + 150);
  /** The CLI in "another terminal": the printed variables, and nothing else, point it at the sandbox. */
  const cli = (...args: string[]) => runSuspenseCli(args, { PATH: process.env.PATH, HOME: process.env.HOME, ...vars });
  /** The check function's answer (an API Gateway proxy response) to the console test event, through the SDK. */
  const invokeCheck = async () => {
    const output = await lambda.send(new InvokeCommand({ FunctionName: vars.SUSPENSE_FUNCTION, LogType: 'Tail', Payload: CONSOLE_TEST_EVENT }));
    const response = JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8'));
    return { output, response, body: JSON.parse(response.body), logTail: Buffer.from(output.LogResult ?? '', 'base64').toString('utf8') };
  };

  beforeAll(async () => {
    sandbox = startProcess(process.execPath, [
      'tools/run-ts.js',
      'sandbox/main.ts',
      '--serve',
      '--cache-ttl',
      String(CACHE_TTL_SECONDS),
      '--vars-file',
      envFile,
    ]);
    vars = printedVariables(await sandbox.waitFor(/^# Ready\./m, START_TIMEOUT_MS));
    lambda = new LambdaClient({
      endpoint: vars.AWS_ENDPOINT_URL_LAMBDA,
      region: vars.AWS_REGION,
      credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID as string, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY as string },
      maxAttempts: 1,
    });
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    lambda?.destroy();
    if (sandbox && sandbox.child.exitCode === null) {
      sandbox.child.kill('SIGKILL');
      await sandbox.exited(10_000);
    }
    fs.rmSync(envFileDir, { recursive: true, force: true });
  });

  it('prints each variable another terminal needs on its own NAME=value line, and writes them to --vars-file', () => {
    expect(vars).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_LAMBDA: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      FUNCTION_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
      SUSPENSE_TABLE: 'suspense-switches-dev',
      SUSPENSE_FUNCTION: 'suspense-check-dev',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      CACHE_TTL_SECONDS: String(CACHE_TTL_SECONDS),
    });
    expect(printedVariables(fs.readFileSync(envFile, 'utf8'))).toEqual(vars);
    expect(new Set([vars.AWS_ENDPOINT_URL_DYNAMODB, vars.AWS_ENDPOINT_URL_LAMBDA, vars.FUNCTION_URL].map((url) => port(url as string))).size).toBe(3);
  });

  it('invokes the function through the real Lambda SDK: 200 for the console test event, with the log tail', async () => {
    const { output, response, body, logTail } = await invokeCheck();

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ switch: 'global', suspended: false });
    const logLine = JSON.parse(logTail.trim().split('\n').pop() as string);
    expect(logLine).toMatchObject({ msg: 'check', requestId: output.$metadata.requestId, statusCode: 200, switch: 'global', suspended: false });
  });

  it('follows the CLI with only the printed variables: suspend -> invoke says 503 with Retry-After -> resume -> 200 after the cache TTL', async () => {
    const suspend = await cli('suspend', 'global', '--reason', 'serve-mode test', '--until', '30m');
    expect({ exitCode: suspend.exitCode, stderr: suspend.stderr }).toEqual({ exitCode: 0, stderr: '' });
    await waitForTtl();

    const suspended = await invokeCheck();
    const invokedByCli = await cli('invoke', '--json');
    const status = await cli('status', 'global', '--json');
    const list = await cli('list', '--json');

    expect(suspended.response.statusCode).toBe(503);
    expect(Number(suspended.response.headers['retry-after'])).toBeGreaterThan(1700);
    expect(Number(suspended.response.headers['retry-after'])).toBeLessThanOrEqual(1800);
    expect(suspended.body).toMatchObject({ switch: 'global', suspended: true, reason: 'serve-mode test' });
    expect(invokedByCli.exitCode).toBe(0);
    const view = JSON.parse(invokedByCli.stdout);
    expect(view).toMatchObject({ function: vars.SUSPENSE_FUNCTION, statusCode: 200, executedVersion: '$LATEST', functionError: null });
    expect(view.payload.statusCode).toBe(503);
    expect(view.logTail).toContain('"statusCode":503');
    expect({ exitCode: status.exitCode, view: JSON.parse(status.stdout) }).toMatchObject({ exitCode: 0, view: { switch: 'global', state: 'suspended' } });
    expect({ exitCode: list.exitCode, switches: JSON.parse(list.stdout).map((v: { switch: string }) => v.switch) }).toEqual({ exitCode: 0, switches: ['global'] });

    const resume = await cli('resume', 'global');
    expect(resume.exitCode).toBe(0);
    await waitForTtl();

    const resumed = await invokeCheck();
    expect(resumed.response.statusCode).toBe(200);
    expect(resumed.body).toEqual({ switch: 'global', suspended: false });
  });

  it('answers HTTP requests on the function URL for /switches/<name> and ?switch=', async () => {
    const suspend = await cli('suspend', 'payments', '--reason', 'url test', '--until', '10m');
    expect(suspend.exitCode).toBe(0);

    const byPath = await fetch(`${vars.FUNCTION_URL}switches/payments`);
    const byQuery = await fetch(`${vars.FUNCTION_URL}?switch=orders`);
    const invalid = await fetch(`${vars.FUNCTION_URL}switches/not%20valid`);

    expect(byPath.status).toBe(503);
    expect(Number(byPath.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(await byPath.json()).toMatchObject({ switch: 'payments', suspended: true, reason: 'url test' });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('content-type')).toBe('application/json');
    expect(await byQuery.json()).toEqual({ switch: 'orders', suspended: false });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toContain('invalid switch name');
  });

  it('answers bad requests as the real service does, and keeps serving', async () => {
    const unknown = await lambda.send(new InvokeCommand({ FunctionName: 'no-such-function', Payload: CONSOLE_TEST_EVENT })).catch((error: unknown) => error);
    const malformed = await lambda.send(new InvokeCommand({ FunctionName: vars.SUSPENSE_FUNCTION, Payload: Buffer.from('{not json') })).catch((error: unknown) => error);
    const wrongMethod = await fetch(`${vars.AWS_ENDPOINT_URL_LAMBDA}/2015-03-31/functions/${vars.SUSPENSE_FUNCTION}/invocations`);

    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect((unknown as Error).message).toBe('Function not found: arn:aws:lambda:eu-west-1:111111111111:function:no-such-function');
    expect(malformed).toBeInstanceOf(InvalidRequestContentException);
    expect((malformed as Error).message).toMatch(/^Could not parse request body into json: /);
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect((await invokeCheck()).output.StatusCode).toBe(200);
  });

  it('stops on SIGINT: exit 0, every port closed, no execution environment left, work folder and env file removed', async () => {
    const workDir = vars.SANDBOX_DIR as string;
    expect(fs.existsSync(workDir)).toBe(true);
    expect(processesWorkingIn(workDir).length).toBeGreaterThan(0);

    sandbox.child.kill('SIGINT');
    const exitCode = await sandbox.exited(15_000);

    expect(exitCode).toBe(0);
    for (const url of [vars.AWS_ENDPOINT_URL_DYNAMODB, vars.AWS_ENDPOINT_URL_LAMBDA, vars.FUNCTION_URL]) {
      expect({ url, listening: await isListening(port(url as string)) }).toEqual({ url, listening: false });
    }
    expect(processesWorkingIn(workDir)).toEqual([]);
    expect(fs.existsSync(workDir)).toBe(false);
    expect(fs.existsSync(envFile)).toBe(false);
  });
});
