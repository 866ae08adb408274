import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { FunctionDefinition } from './function-definition';
import { lambdaNode } from './lambda-node';

/** A variable the sandbox sets differently from Lambda, with the reason shown on screen. */
export interface Override {
  readonly name: string;
  readonly value: string;
  readonly reason: string;
}

export interface LambdaEnvironmentOptions {
  readonly definition: FunctionDefinition;
  /** The unpacked package: Lambda's /var/task. */
  readonly taskRoot: string;
  /** The folder of the runtime client (bootstrap.js): Lambda's /var/runtime. */
  readonly runtimeDir: string;
  /** `host:port` of the UDP socket standing in for the X-Ray daemon. */
  readonly xrayDaemonAddress: string;
  /** Applied last; each is shown on screen. */
  readonly overrides: readonly Override[];
  /** The Node.js binary the function runs on: Lambda's PATH starts with its folder. @default lambdaNode().binary */
  readonly nodeBinary?: string;
}

/**
 * The environment of one execution environment's process: the function's own variables from the stack, then the
 * variables Lambda's Node.js runtime sets (which win over the function's, as Lambda reserves them), then the
 * sandbox's overrides. Nothing is inherited from the shell that started the sandbox: in Lambda the function sees
 * only what its configuration and the runtime put there.
 */
export function lambdaEnvironment(options: LambdaEnvironmentOptions): Record<string, string> {
  const { definition } = options;
  const [daemonHost = '127.0.0.1', daemonPort = '2000'] = options.xrayDaemonAddress.split(':');
  const runtimeEnv: Record<string, string> = {
    _HANDLER: definition.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: definition.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_REGION: definition.region,
    AWS_DEFAULT_REGION: definition.region,
    LAMBDA_TASK_ROOT: options.taskRoot,
    LAMBDA_RUNTIME_DIR: options.runtimeDir,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    // Lambda's PATH starts with its Node.js; here, the one the function runs on.
    PATH: [path.dirname(options.nodeBinary ?? lambdaNode().binary), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    // Lambda's NODE_PATH also lists the runtime's own AWS SDK; the sandbox leaves it out, so that a bundle that
    // silently relies on it (another SDK version than the one tested) fails here instead of passing.
    NODE_PATH: options.taskRoot,
    ...(definition.logFormat === 'JSON'
      ? { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: definition.applicationLogLevel }
      : {}),
    // Set by Lambda whether or not tracing is active; the trace header itself comes with each invocation.
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: `${daemonHost}:${daemonPort}`,
    _AWS_XRAY_DAEMON_ADDRESS: daemonHost,
    _AWS_XRAY_DAEMON_PORT: daemonPort,
  };
  const overrides = Object.fromEntries(options.overrides.map((override) => [override.name, override.value]));
  return { ...definition.environment, ...runtimeEnv, ...overrides };
}

/** `2024/01/31/[$LATEST]<32 hex>`, the form of Lambda's log stream names. */
function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}
