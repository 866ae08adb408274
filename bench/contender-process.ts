import * as path from 'node:path';
import type { ExecutionEnvironment } from '../sandbox/execution-environment';
import { startHandlerProcess } from '../sandbox/lambda-runner';
import type { BuiltPackage } from './build/package-dir';
import type { RunContext } from './run-context';

export interface ContenderRun<T> {
  readonly result: T;
  /** What the contender wrote on stderr: a healthy one writes nothing. */
  readonly stderr: string;
}

/**
 * Runs `use` on a fresh execution environment of the project's Lambda-like runner (sandbox/lambda-runner.ts) for
 * one unpacked package, with the deployed function's variables, memory and timeout, on the Node the benchmark
 * runs functions on; stops it afterwards. A run still going after `timeoutMs` is stuck, not slow: its environment
 * is stopped, which fails the run.
 */
export async function withContender<T>(
  context: RunContext,
  pkg: BuiltPackage,
  overrides: Readonly<Record<string, string>>,
  timeoutMs: number,
  use: (environment: ExecutionEnvironment) => Promise<T>,
): Promise<ContenderRun<T>> {
  const environment = await startHandlerProcess({
    taskRoot: pkg.taskRoot,
    handler: `${path.relative(pkg.taskRoot, pkg.handlerModule).replace(/\.[cm]?js$/, '')}.handler`,
    env: context.envFor(pkg.taskRoot, overrides),
    nodeBinary: context.node.binary,
    settings: context.settings,
  });
  const timer = setTimeout(() => void environment.stop(), timeoutMs);
  try {
    return { result: await use(environment), stderr: environment.stderr };
  } finally {
    clearTimeout(timer);
    await environment.stop();
  }
}
