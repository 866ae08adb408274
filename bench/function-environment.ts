import * as path from 'node:path';
import { BOOTSTRAP_FILE } from '../sandbox/execution-environment';
import type { FunctionDefinition } from '../sandbox/function-definition';
import { lambdaEnvironment } from '../sandbox/lambda-environment';

/** Dummy credentials, set the way Lambda sets a role's: dynalite checks that requests are signed, not by whom. */
const BENCH_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_SESSION_TOKEN: 'bench-session' };

export interface FunctionEnvironmentOptions {
  /** The shipped function's definition: its variables, region and memory apply to every contender alike. */
  readonly definition: FunctionDefinition;
  readonly taskRoot: string;
  /** `host:port` of the UDP socket standing in for the X-Ray daemon. */
  readonly xrayDaemonAddress: string;
  /** The benchmark's DynamoDB. */
  readonly dynamoEndpoint: string;
  /** Variables a contender sets differently (poc-style turns its cache off). @default {} */
  readonly overrides?: Readonly<Record<string, string>>;
  /** The Node.js the contenders run on. */
  readonly nodeBinary: string;
}

/**
 * A contender process's whole environment: what Lambda's Node.js runtime sets for the deployed function (active
 * tracing included, so the X-Ray SDK loads and traces as in Lambda) and the function's own variables, plus the
 * local endpoint. Nothing is inherited from the shell running the benchmark.
 */
export function functionEnvironment(options: FunctionEnvironmentOptions): Record<string, string> {
  const overrides = [
    { name: 'AWS_ENDPOINT_URL_DYNAMODB', value: options.dynamoEndpoint, reason: 'the benchmark DynamoDB (dynalite on loopback)' },
    { name: 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', value: 'true', reason: 'the SDK warns once per process on Node 20' },
    ...Object.entries(options.overrides ?? {}).map(([name, value]) => ({ name, value, reason: 'set by the contender' })),
  ];
  return {
    ...lambdaEnvironment({
      definition: options.definition,
      taskRoot: options.taskRoot,
      runtimeDir: path.dirname(BOOTSTRAP_FILE),
      xrayDaemonAddress: options.xrayDaemonAddress,
      nodeBinary: options.nodeBinary,
      overrides,
    }),
    ...BENCH_CREDENTIALS,
  };
}
