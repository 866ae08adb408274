import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { fullTimeout, type FullTimeout } from './full-timeout';
import { LOG_LEVELS, type FunctionDefinition, type LogLevel } from './function-definition';
import { lambdaNode } from './lambda-node';

/** The runtime client each execution environment runs (plain JavaScript: no TypeScript hook unless a test preloads one). */
export const BOOTSTRAP_FILE = path.join(__dirname, 'runtime', 'bootstrap.js');

/** What an execution environment needs to know about its function. */
export type RuntimeSettings = Pick<FunctionDefinition, 'memorySizeMb' | 'timeoutSeconds' | 'logFormat' | 'systemLogLevel'>;

export interface ExecutionEnvironmentOptions {
  /** The Node.js binary the environment runs on. @default lambdaNode().binary: SUSPENSE_LAMBDA_NODE, else this Node */
  readonly nodeBinary?: string;
  /** Node flags before Lambda's own, e.g. ['-r', 'tools/register-ts.js'] to run a handler from source. @default [] */
  readonly nodeArgs?: readonly string[];
  /**
   * How long loading the handler may take before the init fails with Sandbox.Timedout. Tests that load TypeScript
   * source on a crowded machine need far more than Lambda gives. @default 10 000 (Lambda's, for on-demand functions)
   */
  readonly initTimeoutMs?: number;
}

/** Kept short: a function that warns on every invocation must not fill the caller's memory. */
const MAX_STDERR_CHARS = 64 * 1024;

/** Lambda gives an on-demand function's init phase 10 seconds. */
const LAMBDA_INIT_TIMEOUT_MS = 10_000;

/** What the function returned for an error, as the Invoke API's payload carries it. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** The first invocation of an environment pays for these before its own duration. */
export interface ColdStart {
  /** From spawning the process until the runtime client was ready to load the handler (Node's own start). */
  readonly processStartMs: number;
  /** Loading the handler module: Lambda's "Init Duration". */
  readonly initMs: number;
  /** What the function logged while loading. */
  readonly initLog: string;
  /** The Node.js version the environment runs, `v22.23.5` (absent when the init failed). */
  readonly nodeVersion?: string;
}

export interface InvocationRequest {
  /** The event as JSON text, as the Invoke API receives it. */
  readonly payload: string;
  /** @default a new UUID */
  readonly requestId?: string;
  /**
   * The invocation's X-Ray trace header: one to use as is, `'sampled'` (a new sampled trace, as with active
   * tracing) or `'default-sampling'` (X-Ray's default rule decides). @default none
   */
  readonly trace?: string;
  readonly invokedFunctionArn: string;
  readonly clientContext?: unknown;
}

export interface Invocation {
  readonly requestId: string;
  /** The response (or, with `functionError`, the error) as JSON text. */
  readonly payload: string;
  readonly functionError?: 'Unhandled';
  /** The invocation's log: what the function wrote, plus the runtime's records its log levels let through. */
  readonly log: string;
  /** The handler's duration as measured in the environment (REPORT's Duration). */
  readonly durationMs: number;
  /** From sending the event to receiving the answer, as a caller next to the environment would measure it. */
  readonly roundTripMs: number;
  readonly maxMemoryUsedMb: number;
  /** Present on an environment's first invocation. */
  readonly coldStart?: ColdStart;
  /** Modules the function loaded from outside its package (should be none). */
  readonly foreignModules: readonly string[];
  /** The trace header the invocation ran under, if any. */
  readonly traceHeader?: string;
}

/** Many invocations run inside the environment: see runLoop in runtime/bootstrap.js for each field. */
export interface LoopPlan {
  readonly events: readonly unknown[];
  readonly warmup?: number;
  readonly rounds?: number;
  readonly invocations?: number;
  readonly concurrency?: number;
  readonly latencies?: boolean;
  readonly heap?: boolean;
  readonly throughputSeconds?: number;
  readonly throughputConcurrency?: number;
  readonly expectedStatus?: number;
  readonly trace?: 'sampled' | 'default-sampling';
}

export interface LoopResult {
  /** Answers by statusCode, after the warm-up. */
  readonly statuses: Record<string, number>;
  readonly warmupStatuses: Record<string, number>;
  readonly errors: number;
  readonly warmupErrors: number;
  readonly errorSamples: readonly string[];
  /** Lines the function logged, counted (not kept). */
  readonly logLines: number;
  readonly latenciesUs?: readonly number[];
  /** heapUsed after garbage collection: after the warm-up, then after each round. */
  readonly heapUsed?: readonly number[];
  readonly throughput?: { readonly completed: number; readonly perSecond: number };
  readonly foreignModules: readonly string[];
}

type EnvironmentState = 'starting' | 'idle' | 'busy' | 'dead';

type ChildMessage =
  | { type: 'ready'; bootMs: number; initMs: number; foreignModules: string[]; nodeVersion: string }
  | { type: 'init-error'; error: FunctionErrorPayload; initMs: number }
  | { type: 'log'; text: string; stream: 'stdout' | 'stderr' }
  | { type: 'crash'; error: FunctionErrorPayload }
  | {
      type: 'result';
      requestId: string;
      payload?: string;
      error?: FunctionErrorPayload;
      durationMs: number;
      maxMemoryUsedMb: number;
      foreignModules: string[];
      traceHeader?: string;
      /** The runtime client ends after this result (an uncaught error). */
      final?: boolean;
    }
  | ({ type: 'loop-result' } & LoopResult);

interface PendingInvocation {
  readonly requestId: string;
  /** The invocation's timeout; its startedAt is when the invocation started. */
  readonly timer: FullTimeout;
  readonly log: string[];
  resolve(invocation: Invocation): void;
}

/**
 * One Lambda execution environment: a Node process that loaded the function's package once and runs one
 * invocation at a time, until it is stopped, times out or crashes (after which it is dead, as Lambda would
 * discard it). Runs the package from disk with only the environment it is given.
 */
export class ExecutionEnvironment {
  private state: EnvironmentState = 'starting';
  private readonly child: ChildProcess;
  private readonly spawnedAt = performance.now();
  private coldStart?: ColdStart;
  private coldStartReported = false;
  private initError?: FunctionErrorPayload;
  /** Log written while no invocation runs: the init's, or a previous invocation's late output. */
  private looseLog: string[] = [];
  private pending?: PendingInvocation;
  private maxMemoryUsedMb = 0;
  private readonly exited: Promise<void>;
  private readonly readyWaiters: Array<() => void> = [];
  private initTimer?: FullTimeout;
  private loopWaiter?: { resolve(result: LoopResult): void; reject(error: Error): void };
  private stderrText = '';
  private readonly initTimeoutMs: number;

  private constructor(
    private readonly definition: RuntimeSettings,
    taskRoot: string,
    environment: Readonly<Record<string, string>>,
    options: ExecutionEnvironmentOptions,
  ) {
    this.initTimeoutMs = options.initTimeoutMs ?? LAMBDA_INIT_TIMEOUT_MS;
    this.child = fork(BOOTSTRAP_FILE, [], {
      cwd: taskRoot,
      env: environment,
      execPath: options.nodeBinary ?? lambdaNode().binary,
      execArgv: [...(options.nodeArgs ?? []), ...nodeOptionsFor(definition.memorySizeMb)],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // Output that bypasses the runtime client's capture (Node's own fatal errors) still belongs in the log.
    this.child.stdout?.on('data', (chunk: Buffer) => this.appendLog(chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => this.appendLog(chunk.toString('utf8')));
    this.child.on('message', (message: ChildMessage) => this.onMessage(message));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
    });
    this.child.once('error', () => this.onExit(null, null));
  }

  /**
   * Starts an environment and waits until its init finished. A failed init does not throw: as in Lambda, the
   * invocation that needed the environment reports it (see invoke()).
   */
  static async start(
    definition: RuntimeSettings,
    taskRoot: string,
    environment: Readonly<Record<string, string>>,
    options: ExecutionEnvironmentOptions = {},
  ): Promise<ExecutionEnvironment> {
    const instance = new ExecutionEnvironment(definition, taskRoot, environment, options);
    await instance.ready();
    return instance;
  }

  get isIdle(): boolean {
    return this.state === 'idle';
  }

  private ready(): Promise<void> {
    if (this.state !== 'starting') return Promise.resolve();
    return new Promise((resolve) => {
      this.readyWaiters.push(resolve);
      this.initTimer ??= fullTimeout(this.initTimeoutMs, () => {
        this.initError = {
          errorType: 'Sandbox.Timedout',
          errorMessage: `INIT_REPORT Init Duration: ${this.initTimeoutMs.toFixed(2)} ms Phase: init Status: timeout`,
        };
        this.kill();
      });
    });
  }

  /** The init is over (ready, failed or the process ended): whoever waits for it may go on. */
  private settleReady(): void {
    this.initTimer?.cancel();
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /** Runs one invocation; never rejects: every failure is reported the way the Invoke API reports it. */
  invoke(request: InvocationRequest): Promise<Invocation> {
    const requestId = request.requestId ?? randomUUID();
    if (this.initError || this.state === 'dead') {
      const error = this.initError ?? { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited` };
      return Promise.resolve(this.failedInvocation(requestId, error, 0, this.takeLooseLog()));
    }
    if (this.state !== 'idle') throw new Error(`execution environment is ${this.state}: it runs one invocation at a time`);
    this.state = 'busy';
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const log = this.takeLooseLog();
      const timer = fullTimeout(timeoutMs, () => this.onTimeout());
      this.pending = { requestId, timer, log: log ? [log] : [], resolve };
      this.systemRecord('INFO', 'platform.start', { requestId, version: '$LATEST' }, `START RequestId: ${requestId} Version: $LATEST\n`);
      this.child.send({
        type: 'invoke',
        requestId,
        payload: request.payload,
        deadlineMs: Date.now() + timeoutMs,
        trace: request.trace,
        invokedFunctionArn: request.invokedFunctionArn,
        clientContext: request.clientContext,
      });
    });
  }

  /**
   * Runs many invocations inside the environment (see LoopPlan), for figures a message per invocation would
   * distort. Rejects if the environment failed its init or dies meanwhile; no timeout applies.
   */
  loop(plan: LoopPlan): Promise<LoopResult> {
    if (this.initError) return Promise.reject(new Error(`the function failed its init: ${this.initError.errorType}: ${this.initError.errorMessage}`));
    if (this.state !== 'idle') return Promise.reject(new Error(`execution environment is ${this.state}: it runs one invocation at a time`));
    this.state = 'busy';
    return new Promise((resolve, reject) => {
      this.loopWaiter = { resolve, reject };
      this.child.send({ type: 'loop', plan: { timeoutMs: this.definition.timeoutSeconds * 1000, ...plan } });
    });
  }

  /** What the environment logged outside any invocation (its init, a loop's stderr), taken once. */
  takeLog(): string {
    return this.takeLooseLog();
  }

  /** What the function wrote to stderr so far (its first 64 KB): a healthy function writes nothing there. */
  get stderr(): string {
    return this.stderrText;
  }

  private noteStderr(text: string): void {
    if (this.stderrText.length < MAX_STDERR_CHARS) this.stderrText += text;
  }

  /** Stops the process; resolves once it is gone. */
  async stop(): Promise<void> {
    this.kill();
    await this.exited;
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private onMessage(message: ChildMessage): void {
    switch (message.type) {
      case 'log':
        this.appendLog(message.text);
        if (message.stream === 'stderr') this.noteStderr(message.text);
        return;
      case 'ready': {
        const totalMs = performance.now() - this.spawnedAt;
        this.coldStart = { processStartMs: totalMs - message.initMs, initMs: message.initMs, initLog: this.takeLooseLog(), nodeVersion: message.nodeVersion };
        this.state = 'idle';
        this.settleReady();
        return;
      }
      case 'init-error':
        this.initError = message.error;
        this.coldStart = { processStartMs: performance.now() - this.spawnedAt - message.initMs, initMs: message.initMs, initLog: '' };
        this.settleReady();
        return;
      case 'crash':
        // Between invocations: the environment ends; its log stays for whoever invokes next.
        return;
      case 'loop-result': {
        const { type: _type, ...result } = message;
        const waiter = this.loopWaiter;
        this.loopWaiter = undefined;
        if (this.state === 'busy') this.state = 'idle';
        waiter?.resolve(result);
        return;
      }
      case 'result': {
        const pending = this.pending;
        if (!pending || pending.requestId !== message.requestId) return;
        this.maxMemoryUsedMb = Math.max(this.maxMemoryUsedMb, message.maxMemoryUsedMb);
        this.finish(pending, {
          payload: message.error ? JSON.stringify(message.error) : (message.payload ?? 'null'),
          functionError: message.error ? 'Unhandled' : undefined,
          durationMs: message.durationMs,
          status: message.error ? 'error' : 'success',
          foreignModules: message.foreignModules,
          traceHeader: message.traceHeader,
        });
        if (this.state === 'busy') this.state = message.final ? 'dead' : 'idle';
        return;
      }
    }
  }

  private onTimeout(): void {
    const pending = this.pending;
    if (!pending) return;
    const seconds = this.definition.timeoutSeconds.toFixed(2);
    // Lambda ends an environment whose invocation timed out: whatever the handler was doing must not leak into
    // the next invocation.
    this.state = 'dead';
    this.kill();
    this.systemError(`${new Date().toISOString()} ${pending.requestId} Task timed out after ${seconds} seconds\n`);
    this.finish(pending, {
      payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${seconds} seconds` }),
      functionError: 'Unhandled',
      durationMs: this.definition.timeoutSeconds * 1000,
      status: 'timeout',
      foreignModules: [],
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasStarting = this.state === 'starting';
    this.state = 'dead';
    if (wasStarting && !this.initError) {
      this.initError = { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${exitDescription(code, signal)}` };
    }
    this.settleReady();
    this.loopWaiter?.reject(new Error(`the execution environment exited during a loop (${exitDescription(code, signal)}): ${this.takeLooseLog().slice(-2000)}`));
    this.loopWaiter = undefined;
    const pending = this.pending;
    if (!pending) return;
    const errorMessage = `RequestId: ${pending.requestId} Error: Runtime exited with error: ${exitDescription(code, signal)}`;
    this.systemError(`${errorMessage}\n`);
    this.finish(pending, {
      payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage }),
      functionError: 'Unhandled',
      durationMs: performance.now() - pending.timer.startedAt,
      status: 'error',
      foreignModules: [],
    });
  }

  private finish(
    pending: PendingInvocation,
    outcome: { payload: string; functionError?: 'Unhandled'; durationMs: number; status: string; foreignModules: string[]; traceHeader?: string },
  ): void {
    pending.timer.cancel();
    const roundTripMs = performance.now() - pending.timer.startedAt;
    const coldStart = this.takeColdStart();
    const billedDurationMs = Math.ceil(outcome.durationMs);
    const metrics = {
      durationMs: round(outcome.durationMs),
      billedDurationMs,
      memorySizeMB: this.definition.memorySizeMb,
      maxMemoryUsedMB: this.maxMemoryUsedMb,
      ...(coldStart ? { initDurationMs: round(coldStart.initMs) } : {}),
    };
    this.systemRecord('INFO', 'platform.report', { requestId: pending.requestId, metrics, status: outcome.status }, [
      `END RequestId: ${pending.requestId}\n`,
      `REPORT RequestId: ${pending.requestId}\tDuration: ${metrics.durationMs.toFixed(2)} ms\tBilled Duration: ${billedDurationMs} ms\t` +
        `Memory Size: ${metrics.memorySizeMB} MB\tMax Memory Used: ${metrics.maxMemoryUsedMB} MB` +
        (coldStart ? `\tInit Duration: ${coldStart.initMs.toFixed(2)} ms` : '') +
        '\n',
    ].join(''));
    this.pending = undefined;
    pending.resolve({
      requestId: pending.requestId,
      payload: outcome.payload,
      ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
      log: pending.log.join(''),
      durationMs: outcome.durationMs,
      roundTripMs,
      maxMemoryUsedMb: this.maxMemoryUsedMb,
      ...(coldStart ? { coldStart } : {}),
      foreignModules: outcome.foreignModules,
      ...(outcome.traceHeader ? { traceHeader: outcome.traceHeader } : {}),
    });
  }

  private failedInvocation(requestId: string, error: FunctionErrorPayload, durationMs: number, log: string): Invocation {
    const coldStart = this.takeColdStart();
    return {
      requestId,
      payload: JSON.stringify(error),
      functionError: 'Unhandled',
      log: (coldStart?.initLog ?? '') + log,
      durationMs,
      roundTripMs: 0,
      maxMemoryUsedMb: this.maxMemoryUsedMb,
      ...(coldStart ? { coldStart } : {}),
      foreignModules: [],
    };
  }

  private takeColdStart(): ColdStart | undefined {
    if (this.coldStartReported || !this.coldStart) return undefined;
    this.coldStartReported = true;
    return this.coldStart;
  }

  private appendLog(text: string): void {
    if (this.pending) this.pending.log.push(text);
    else this.looseLog.push(text);
  }

  private takeLooseLog(): string {
    const text = this.looseLog.join('');
    this.looseLog = [];
    return text;
  }

  /**
   * A record of the runtime's own (START, END, REPORT): in the JSON log format a `platform.*` object filtered by
   * the system log level, in the text format the classic lines.
   */
  private systemRecord(level: LogLevel, type: string, record: object, text: string): void {
    if (this.definition.logFormat === 'JSON') {
      if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(this.definition.systemLogLevel)) return;
      this.appendLog(`${JSON.stringify({ time: new Date().toISOString(), type, record })}\n`);
    } else {
      this.appendLog(text);
    }
  }

  /**
   * Timeouts and runtime exits are always written, whatever the system log level: the sandbox's choice, so that
   * the reason an invocation failed is in the log tail the caller sees.
   */
  private systemError(text: string): void {
    this.appendLog(text);
  }
}

/**
 * The heap limits Lambda's Node.js bootstrap derives from the memory setting (a tenth for the young generation,
 * the rest for the old), so that a function that would run out of memory in Lambda runs out here too.
 */
function nodeOptionsFor(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
    `--max-old-space-size=${memorySizeMb - newSpace}`,
  ];
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code ?? 'unknown'}`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
