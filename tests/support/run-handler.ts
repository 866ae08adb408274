import * as path from 'node:path';
import { startHandlerProcess, type RuntimeSettings } from '../../sandbox/lambda-runner';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
/** Node flags that let the runner load a handler from TypeScript source. */
export const FROM_SOURCE = ['-r', path.join(PROJECT_ROOT, 'tools/register-ts.js')] as const;
/**
 * The init (loading the handler) a test's execution environment may take: loading TypeScript source took over
 * Lambda's 10 s on a crowded machine, and no test here is about the init's time limit.
 */
export const TEST_INIT_TIMEOUT_MS = 120_000;
/** The check function's module, from source: run it with `nodeArgs: FROM_SOURCE`. */
export const CHECK_HANDLER_SOURCE = path.join(PROJECT_ROOT, 'functions/check/handler.ts');

export interface HandlerRun {
  /** Milliseconds loading the handler module took (Lambda's Init Duration). */
  readonly initMs: number;
  /** The Node.js version that ran it: `v22.23.5`. */
  readonly nodeVersion: string;
  readonly invocations: readonly {
    readonly response: { statusCode: number; headers: Record<string, string>; body: string };
    /** The handler's duration, measured in its process. */
    readonly ms: number;
  }[];
  /** Whether aws-xray-sdk-core was loaded from outside the task root (never true for a bundle). */
  readonly xrayLoaded: boolean;
  /** Everything the process wrote (its init, then each invocation), line by line: the handler's log lines. */
  readonly logLines: readonly string[];
}

export interface RunHandlerOptions {
  /** Absolute path of the module exporting `handler`: its folder is the task root. */
  readonly modulePath: string;
  readonly events: readonly unknown[];
  /** The process's variables; nothing else is inherited (see startHandlerProcess). */
  readonly env: Record<string, string>;
  /** An X-Ray trace header every invocation runs under. @default none */
  readonly trace?: string;
  /** Extra node flags, e.g. FROM_SOURCE. @default none */
  readonly nodeArgs?: readonly string[];
  /** @default lambdaNode().binary */
  readonly nodeBinary?: string;
  readonly settings?: Partial<RuntimeSettings>;
  /**
   * Keeps the process alive after the invocations until this resolves, for work that finishes after them (trace
   * segments on their way over UDP). @default the process stops once the invocations are done
   */
  readonly stayUntil?: () => Promise<void>;
}

/**
 * Invokes a handler module in a fresh execution environment of the project's Lambda-like runner, with each event
 * in turn (request ids `request-1`, `request-2`...). A failed invocation or init fails the run, with its log.
 */
export async function runHandler(options: RunHandlerOptions): Promise<HandlerRun> {
  const environment = await startHandlerProcess({
    taskRoot: path.dirname(options.modulePath),
    handler: `${path.basename(options.modulePath).replace(/\.[cm]?[jt]s$/, '')}.handler`,
    env: options.env,
    initTimeoutMs: TEST_INIT_TIMEOUT_MS,
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    ...(options.nodeBinary ? { nodeBinary: options.nodeBinary } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  try {
    let initMs = 0;
    let nodeVersion = '';
    const log: string[] = [];
    const invocations: HandlerRun['invocations'][number][] = [];
    let foreign: readonly string[] = [];
    for (const [index, event] of options.events.entries()) {
      const invocation = await environment.invoke({
        payload: JSON.stringify(event),
        requestId: `request-${index + 1}`,
        invokedFunctionArn: `arn:aws:lambda:${options.env.AWS_REGION ?? 'us-east-1'}:123456789012:function:${options.env.AWS_LAMBDA_FUNCTION_NAME ?? 'test-function'}`,
        ...(options.trace ? { trace: options.trace } : {}),
      });
      if (invocation.coldStart) {
        initMs = invocation.coldStart.initMs;
        nodeVersion = invocation.coldStart.nodeVersion ?? '';
        log.push(invocation.coldStart.initLog);
      }
      log.push(invocation.log);
      foreign = invocation.foreignModules;
      if (invocation.functionError) throw new Error(`invocation ${index + 1} failed: ${invocation.payload}\n${log.join('')}`);
      invocations.push({ response: JSON.parse(invocation.payload) as HandlerRun['invocations'][number]['response'], ms: invocation.durationMs });
    }
    if (options.stayUntil) await options.stayUntil();
    log.push(environment.takeLog());
    return {
      initMs,
      nodeVersion,
      invocations,
      xrayLoaded: foreign.some((file) => file.includes(`${path.sep}aws-xray-sdk-core${path.sep}`)),
      logLines: log.join('').split('\n').filter((line) => line !== ''),
    };
  } finally {
    await environment.stop();
  }
}

/** Polls `condition` every 10 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
