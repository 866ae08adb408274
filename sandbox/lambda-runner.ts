/**
 * The one Lambda-like runner that the sandbox, the benchmark and the tests share:
 * - unpackFunctionZip: a deployment package unpacked alone, as Lambda's /var/task;
 * - lambdaEnvironment (lambda-environment.ts): the variables Lambda sets for a function definition;
 * - ExecutionEnvironment (execution-environment.ts, runtime/bootstrap.js): a child process that loads the handler
 *   as Lambda's Node.js runtime does, invokes it with Lambda's context and trace header, and reports answers, logs
 *   and timings (or, for many invocations at once, a loop's figures);
 * - lambdaNode (lambda-node.ts): the Node.js it runs on (SUSPENSE_LAMBDA_NODE, the fetched Node 22, or this one).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecutionEnvironment, type ExecutionEnvironmentOptions, type RuntimeSettings } from './execution-environment';
import { lambdaNode } from './lambda-node';
import { extractZip, type ExtractedFile } from './zip-extract';

export { ExecutionEnvironment, type Invocation, type LoopPlan, type LoopResult, type RuntimeSettings } from './execution-environment';
export { lambdaEnvironment, type Override } from './lambda-environment';
export { lambdaNode, majorOf, type LambdaNode } from './lambda-node';

/**
 * Unpacks a deployment package into `taskRoot` (created; it must not exist or be empty). Refuses a folder with a
 * node_modules above it: Node resolves bare imports through every node_modules above a module, so a bundle that
 * is missing a dependency would pass here and fail in Lambda.
 */
export function unpackFunctionZip(zip: Buffer, taskRoot: string): ExtractedFile[] {
  for (let dir = path.dirname(path.resolve(taskRoot)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(candidate)) {
      throw new Error(`${candidate} exists: the unpacked package could resolve modules from it, which Lambda could not; set TMPDIR elsewhere`);
    }
    if (path.dirname(dir) === dir) break;
  }
  fs.mkdirSync(taskRoot, { recursive: true });
  if (fs.readdirSync(taskRoot).length > 0) throw new Error(`${taskRoot} is not empty: a package is unpacked alone`);
  return extractZip(zip, taskRoot);
}

export interface HandlerProcessOptions extends ExecutionEnvironmentOptions {
  /** The folder holding the handler module: Lambda's /var/task. */
  readonly taskRoot: string;
  /** `module.export` relative to taskRoot, as Lambda's handler setting: `index.handler`. */
  readonly handler: string;
  /**
   * The process's variables. Nothing is inherited; the runner adds LAMBDA_TASK_ROOT, _HANDLER and (unless given)
   * a PATH that starts with the Node.js it runs on.
   */
  readonly env: Readonly<Record<string, string>>;
  /** @default 640 MB, 60 s, JSON logs without the runtime's START/REPORT records */
  readonly settings?: Partial<RuntimeSettings>;
}

const TEST_SETTINGS: RuntimeSettings = { memorySizeMb: 640, timeoutSeconds: 60, logFormat: 'JSON', systemLogLevel: 'WARN' };

/** One execution environment for a handler outside a synthesized stack (a contender, a test's handler). */
export function startHandlerProcess(options: HandlerProcessOptions): Promise<ExecutionEnvironment> {
  const nodeBinary = options.nodeBinary ?? lambdaNode().binary;
  const env = {
    PATH: [path.dirname(nodeBinary), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    ...options.env,
    LAMBDA_TASK_ROOT: options.taskRoot,
    _HANDLER: options.handler,
  };
  return ExecutionEnvironment.start({ ...TEST_SETTINGS, ...options.settings }, options.taskRoot, env, {
    nodeBinary,
    nodeArgs: options.nodeArgs ?? [],
    ...(options.initTimeoutMs === undefined ? {} : { initTimeoutMs: options.initTimeoutMs }),
  });
}
