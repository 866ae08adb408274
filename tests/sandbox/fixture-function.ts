import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOOTSTRAP_FILE } from '../../sandbox/execution-environment';
import type { FunctionDefinition } from '../../sandbox/function-definition';
import { lambdaEnvironment } from '../../sandbox/lambda-environment';
import { LocalFunction } from '../../sandbox/local-function';

export interface FixtureFunction {
  readonly fn: LocalFunction;
  readonly definition: FunctionDefinition;
  readonly taskRoot: string;
  cleanup(): Promise<void>;
}

/** A definition like the stack's, for a hand-written package; tests override what they exercise. */
export function fixtureDefinition(overrides: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return {
    stackName: 'fixture',
    functionName: 'fixture-function',
    accountId: '123456789012',
    region: 'eu-west-1',
    partition: 'aws',
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    handler: 'index.handler',
    memorySizeMb: 256,
    timeoutSeconds: 3,
    environment: { GREETING: 'hello' },
    logGroupName: '/aws/lambda/fixture-function',
    logFormat: 'JSON',
    applicationLogLevel: 'INFO',
    systemLogLevel: 'WARN',
    tracingMode: 'PassThrough',
    zipFile: '/nonexistent/function.zip',
    sourceCodeHash: '',
    ...overrides,
  };
}

/**
 * A function whose package is `files` (name -> source), unpacked into an empty temporary folder and run by the
 * sandbox's local runtime, exactly as the sandbox runs the real bundle.
 */
export function fixtureFunction(files: Record<string, string>, overrides: Partial<FunctionDefinition> = {}): FixtureFunction {
  const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-fixture-'));
  for (const [name, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(taskRoot, name)), { recursive: true });
    fs.writeFileSync(path.join(taskRoot, name), source);
  }
  const definition = fixtureDefinition(overrides);
  const environment = lambdaEnvironment({
    definition,
    taskRoot,
    runtimeDir: path.dirname(BOOTSTRAP_FILE),
    // Nothing listens there; the fixtures do not trace.
    xrayDaemonAddress: '127.0.0.1:2000',
    overrides: [],
  });
  const fn = new LocalFunction({ definition, taskRoot, environment, maxConcurrency: 2 });
  return {
    fn,
    definition,
    taskRoot,
    async cleanup() {
      await fn.stop();
      fs.rmSync(taskRoot, { recursive: true, force: true });
    },
  };
}

/** A handler that answers with what it was given: the event, the context and the environment it saw. */
export const ECHO_HANDLER = `
exports.handler = async (event, context) => ({
  event,
  context: {
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    invokedFunctionArn: context.invokedFunctionArn,
    logGroupName: context.logGroupName,
    remainingMs: context.getRemainingTimeInMillis(),
    clientContext: context.clientContext,
  },
  env: process.env,
  cwd: process.cwd(),
});
`;
