import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ECHO_HANDLER, fixtureFunction, type FixtureFunction } from './fixture-function';
import { printFigure } from '../support/figures';
import { startHandlerProcess } from '../../sandbox/lambda-runner';

describe('local Lambda runtime (sandbox execution environments)', () => {
  let fixture: FixtureFunction | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('runs the handler with the environment and context Lambda gives it, and nothing from the shell', async () => {
    process.env.SANDBOX_TEST_SHELL_ONLY = 'leak';
    fixture = fixtureFunction({ 'index.js': ECHO_HANDLER });

    const invocation = await fixture.fn.invoke({ payload: '{"key1":"value1"}' });

    delete process.env.SANDBOX_TEST_SHELL_ONLY;
    expect(invocation.functionError).toBeUndefined();
    const seen = JSON.parse(invocation.payload);
    expect(seen.event).toEqual({ key1: 'value1' });
    expect(seen.context).toMatchObject({
      functionName: 'fixture-function',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      awsRequestId: invocation.requestId,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fixture-function',
      logGroupName: '/aws/lambda/fixture-function',
    });
    // The deadline is the timeout (3 s) from the invocation's start; how much of it the handler still sees depends
    // on how fast a busy machine delivered the event, so only the upper end is exact.
    expect(seen.context.remainingMs).toBeGreaterThan(0);
    expect(seen.context.remainingMs).toBeLessThanOrEqual(3000);
    expect(seen.env).toMatchObject({
      GREETING: 'hello',
      AWS_LAMBDA_FUNCTION_NAME: 'fixture-function',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_LEVEL: 'INFO',
      LAMBDA_TASK_ROOT: fixture.taskRoot,
      _HANDLER: 'index.handler',
      TZ: ':UTC',
    });
    expect(seen.env.SANDBOX_TEST_SHELL_ONLY).toBeUndefined();
    expect(seen.env._X_AMZN_TRACE_ID).toBeUndefined();
    expect(seen.cwd).toBe(fixture.taskRoot);
  });

  it('captures console output in Lambda\'s JSON log format with the request id, and drops what is below the log level', async () => {
    fixture = fixtureFunction({
      'index.js': `
        console.log('loading');
        exports.handler = async () => {
          console.info('info line');
          console.debug('debug line');
          console.error(new TypeError('bad thing'));
          process.stdout.write('{"raw":true}\\n');
          return 'done';
        };`,
    });

    const invocation = await fixture.fn.invoke({ payload: '{}' });

    const lines = invocation.log.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { timestamp: expect.any(String), level: 'INFO', requestId: invocation.requestId, message: 'info line' },
      {
        timestamp: expect.any(String),
        level: 'ERROR',
        requestId: invocation.requestId,
        message: 'bad thing',
        errorType: 'TypeError',
        errorMessage: 'bad thing',
        stackTrace: expect.arrayContaining(['TypeError: bad thing']),
      },
      { raw: true },
    ]);
    expect(JSON.parse(invocation.coldStart?.initLog ?? '')).toMatchObject({ level: 'INFO', message: 'loading' });
    expect(invocation.payload).toBe('"done"');
  });

  it('reports a thrown error as the Invoke API does: Unhandled, with errorType, errorMessage and trace', async () => {
    fixture = fixtureFunction({ 'index.js': 'exports.handler = async () => { throw new RangeError("out of range"); };' });

    const invocation = await fixture.fn.invoke({ payload: '{}' });

    expect(invocation.functionError).toBe('Unhandled');
    const error = JSON.parse(invocation.payload);
    expect(error).toMatchObject({ errorType: 'RangeError', errorMessage: 'out of range' });
    expect(error.trace[0]).toBe('RangeError: out of range');
    expect(invocation.log).toContain('"message":"Invoke Error"');
  });

  it('stops an invocation at the function\'s timeout, reports Sandbox.Timedout, and starts the next one cold', async () => {
    fixture = fixtureFunction(
      { 'index.js': 'exports.handler = async (event) => { console.log("started"); await new Promise((r) => setTimeout(r, event.ms)); return "late"; };' },
      { timeoutSeconds: 1 },
    );

    const timedOut = await fixture.fn.invoke({ payload: '{"ms":5000}' });
    const next = await fixture.fn.invoke({ payload: '{"ms":0}' });

    expect(timedOut.functionError).toBe('Unhandled');
    expect(JSON.parse(timedOut.payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds`,
    });
    // What the runtime decided: the invocation ran for its timeout, not for the 5 s the handler asked for.
    expect(timedOut.durationMs).toBe(1000);
    expect(timedOut.roundTripMs).toBeGreaterThanOrEqual(1000);
    printFigure('sandbox invocation stopped at a 1 s timeout, round trip', Math.round(timedOut.roundTripMs), 'ms', 5000);
    expect(timedOut.roundTripMs).toBeLessThan(5000);
    expect(timedOut.log).toContain('"message":"started"');
    expect(timedOut.log).toContain('Task timed out after 1.00 seconds');
    expect(next.cold).toBe(true);
    expect(next.payload).toBe('"late"');
  });

  it('fails an init that outlasts initTimeoutMs with Sandbox.Timedout naming that limit, and never runs the handler', async () => {
    const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-slow-init-'));
    // Loading blocks for 3 s: far past the 200 ms limit however busy the machine, so the timer always fires first.
    fs.writeFileSync(path.join(taskRoot, 'index.js'), "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);\nexports.handler = async () => 'ran';\n");
    try {
      const environment = await startHandlerProcess({ taskRoot, handler: 'index.handler', env: {}, initTimeoutMs: 200 });
      try {
        const invocation = await environment.invoke({ payload: '{}', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:slow-init' });

        expect(invocation.functionError).toBe('Unhandled');
        expect(JSON.parse(invocation.payload)).toMatchObject({
          errorType: 'Sandbox.Timedout',
          errorMessage: 'INIT_REPORT Init Duration: 200.00 ms Phase: init Status: timeout',
        });
      } finally {
        await environment.stop();
      }
    } finally {
      fs.rmSync(taskRoot, { recursive: true, force: true });
    }
  });

  it('reuses a warm environment for the next invocation, keeping what the handler cached in memory', async () => {
    fixture = fixtureFunction({ 'index.js': 'let calls = 0; exports.handler = async () => ++calls;' });

    const first = await fixture.fn.invoke({ payload: '{}' });
    const second = await fixture.fn.invoke({ payload: '{}' });

    expect([first.payload, second.payload]).toEqual(['1', '2']);
    expect([first.cold, second.cold]).toEqual([true, false]);
    expect(first.coldStart).toBeDefined();
    expect(second.coldStart).toBeUndefined();
  });

  it('reports a handler that is not exported as Runtime.HandlerNotFound, on every invocation, never as throttling', async () => {
    fixture = fixtureFunction({ 'index.js': 'exports.other = async () => 1;' });

    // More invocations than the fixture's 2 environments: failed environments must not stay counted.
    const invocations = [];
    for (let attempt = 0; attempt < 4; attempt++) invocations.push(await fixture.fn.invoke({ payload: '{}' }));

    for (const invocation of invocations) {
      expect(invocation.functionError).toBe('Unhandled');
      expect(JSON.parse(invocation.payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' });
    }
  });

  it('names modules the function loaded from outside its package, which Lambda would not have', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-elsewhere-'));
    const foreign = path.join(elsewhere, 'helper.js');
    fs.writeFileSync(foreign, 'module.exports = 42;');
    fixture = fixtureFunction({ 'index.js': `exports.handler = async () => require(${JSON.stringify(foreign)});` });

    const invocation = await fixture.fn.invoke({ payload: '{}' });

    fs.rmSync(elsewhere, { recursive: true, force: true });
    expect(invocation.payload).toBe('42');
    expect(invocation.foreignModules).toEqual([foreign]);
  });

  it('reports an uncaught exception for the running invocation and replaces the environment', async () => {
    fixture = fixtureFunction({
      'index.js': `exports.handler = async (event) => {
        if (event.crash) { setTimeout(() => { throw new Error('escaped'); }, 0); await new Promise((r) => setTimeout(r, 1000)); }
        return 'fine';
      };`,
    });

    const crashed = await fixture.fn.invoke({ payload: '{"crash":true}' });
    const after = await fixture.fn.invoke({ payload: '{}' });

    expect(crashed.functionError).toBe('Unhandled');
    expect(JSON.parse(crashed.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'escaped' });
    expect(after).toMatchObject({ payload: '"fine"', cold: true });
  });
});
