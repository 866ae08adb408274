import * as fs from 'node:fs';
import * as path from 'node:path';
import { useTempDirs } from '../support/temp-dirs';
import { baseEnv, runCli } from './cli-harness';
import { startFakeLambda, type FakeLambda } from './fake-lambda';
import { UNSAFE } from './hostile-text';

const CHECK_RESPONSE = {
  statusCode: 503,
  headers: { 'content-type': 'application/json', 'retry-after': '120' },
  body: '{"switch":"global","suspended":true}',
};
/** What a function may answer and log: text that would drive the operator's terminal. */
const HOSTILE_PAYLOAD = { statusCode: 503, body: '\u009b2J\u202eevil\u001b]0;title\u0007', reason: 'one\u2028two' };
const HOSTILE_LOG = 'START\n\u001b[2J\u001b[31mred\u009b0m\t\u202eevil\r\nEND\n';
const CHECK_LOG = [
  'START RequestId: 6f1c Version: $LATEST',
  '{"level":"info","switch":"global","suspended":true,"cache":"miss","latencyMs":4}',
  'END RequestId: 6f1c',
  'REPORT RequestId: 6f1c\tDuration: 5.01 ms\tBilled Duration: 6 ms',
  '',
].join('\n');

let lambda: FakeLambda;
const tempDir = useTempDirs();
let workDir: string;

beforeAll(async () => {
  lambda = await startFakeLambda({
    'suspense-check': { payload: JSON.stringify(CHECK_RESPONSE), log: CHECK_LOG },
    failing: {
      payload: JSON.stringify({ errorType: 'Error', errorMessage: 'boom' }),
      log: 'START RequestId: 1\n\u001b[31mERROR\u001b[0m boom\nEND RequestId: 1\n',
      functionError: 'Unhandled',
    },
    'plain-text': { payload: 'not json', log: '' },
    hostile: { payload: JSON.stringify(HOSTILE_PAYLOAD), log: HOSTILE_LOG },
  });
  workDir = tempDir('suspense-invoke-');
});

afterAll(() => lambda.stop());

function invoke(...args: string[]) {
  return runCli(['invoke', ...args], { env: { ...baseEnv(), AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint }, cwd: workDir });
}

function invokeWith(env: Record<string, string>, ...args: string[]) {
  return runCli(['invoke', ...args], { env: { ...baseEnv(), AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint, ...env }, cwd: workDir });
}

describe('suspense CLI: invoke', () => {
  it('invokes with the console test event and tail logs, and prints status, payload and the decoded log tail', async () => {
    lambda.invocations.length = 0;

    const result = await invoke('--function', 'suspense-check');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'Function: suspense-check ($LATEST)',
        'Status: 200',
        '',
        'Payload:',
        JSON.stringify(CHECK_RESPONSE, null, 2),
        '',
        'Log tail:',
        CHECK_LOG.trimEnd(),
        '',
      ].join('\n'),
    );
    expect(lambda.invocations).toHaveLength(1);
    const [request] = lambda.invocations;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/2015-03-31/functions/suspense-check/invocations',
      headers: { 'x-amz-invocation-type': 'RequestResponse', 'x-amz-log-type': 'Tail' },
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({ key1: 'value1', key2: 'value2', key3: 'value3' });
  });

  it('sends the event from --event, and answers --json with status, payload and log tail', async () => {
    const event = { rawPath: '/switches/api', pathParameters: { switch: 'api' }, requestContext: { http: { method: 'GET' } } };
    fs.writeFileSync(path.join(workDir, 'event.json'), JSON.stringify(event, null, 2));
    lambda.invocations.length = 0;

    const result = await invoke('--function', 'suspense-check', '--event', 'event.json', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      function: 'suspense-check',
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: null,
      payload: CHECK_RESPONSE,
      logTail: CHECK_LOG,
    });
    expect(JSON.parse(lambda.invocations[0]?.body ?? '')).toEqual(event);
  });

  it('prints the function error with the payload and the log (control characters replaced), and exits 1', async () => {
    const result = await invoke('--function', 'failing');

    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'Function: failing ($LATEST)',
        'Status: 200',
        'Function error: Unhandled',
        '',
        'Payload:',
        JSON.stringify({ errorType: 'Error', errorMessage: 'boom' }, null, 2),
        '',
        'Log tail:',
        'START RequestId: 1',
        '\ufffd[31mERROR\ufffd[0m boom',
        'END RequestId: 1',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('suspense: function "failing" reported an error (Unhandled)\n');
  });

  it('prints a payload that is not JSON as text', async () => {
    const result = await invoke('--function', 'plain-text');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(['Function: plain-text ($LATEST)', 'Status: 200', '', 'Payload:', 'not json', '', 'Log tail:', '(none returned)', ''].join('\n'));
  });

  it('exits 1 with a clear line for a function that does not exist', async () => {
    const result = await invoke('--function', 'no-such-function');

    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        `suspense: Lambda: function "no-such-function" not found in region us-east-1 at ${lambda.endpoint} (ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function)\n`,
    });
  });

  it('invokes the function named by SUSPENSE_FUNCTION when neither --function nor --stack is given', async () => {
    lambda.invocations.length = 0;

    const result = await invokeWith({ SUSPENSE_FUNCTION: 'suspense-check' }, '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ function: 'suspense-check', statusCode: 200, payload: CHECK_RESPONSE });
    expect(lambda.invocations.map((i) => i.path)).toEqual(['/2015-03-31/functions/suspense-check/invocations']);
  });

  it('lets --function win over SUSPENSE_FUNCTION', async () => {
    const result = await invokeWith({ SUSPENSE_FUNCTION: 'suspense-check' }, '--function', 'plain-text', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ function: 'plain-text', payload: 'not json' });
  });

  it('exits 2 and names the variable when SUSPENSE_FUNCTION is not a function name, invoking nothing', async () => {
    lambda.invocations.length = 0;

    const result = await invokeWith({ SUSPENSE_FUNCTION: 'my function' });

    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'suspense: invalid SUSPENSE_FUNCTION "my function": give a function name or ARN (see "suspense invoke --help")\n',
    });
    expect(lambda.invocations).toEqual([]);
  });

  it('escapes what the function answered and logged in --json, so that it parses back to the same data', async () => {
    const result = await invoke('--function', 'hostile', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(JSON.parse(result.stdout)).toMatchObject({ payload: HOSTILE_PAYLOAD, logTail: HOSTILE_LOG });
  });

  it('shows what the function answered and logged with U+FFFD for control characters, keeping the log\'s lines and tabs', async () => {
    const result = await invoke('--function', 'hostile');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.replace(/[\n\t]/g, '')).not.toMatch(UNSAFE);
    expect(result.stdout).toContain(['Log tail:', 'START', '\ufffd[2J\ufffd[31mred\ufffd0m\t\ufffdevil\ufffd', 'END', ''].join('\n'));
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{'), result.stdout.indexOf('\n\nLog tail:')))).toEqual(HOSTILE_PAYLOAD);
  });
});
