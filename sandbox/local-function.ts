import { ExecutionEnvironment, type ExecutionEnvironmentOptions, type Invocation } from './execution-environment';
import { functionArn, type FunctionDefinition } from './function-definition';

export interface LocalFunctionOptions {
  readonly definition: FunctionDefinition;
  /** The unpacked package. */
  readonly taskRoot: string;
  /** The full process environment of each execution environment (see lambdaEnvironment()). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Execution environments that may exist at once; an invocation finding all of them busy is throttled, as
   * Lambda throttles past a function's concurrency. @default 10
   */
  readonly maxConcurrency?: number;
  /** The Node.js binary and flags of each execution environment. @default see ExecutionEnvironmentOptions */
  readonly runtime?: ExecutionEnvironmentOptions;
}

export interface InvokeOptions {
  /** The event as JSON text. */
  readonly payload: string;
  /** The ARN the caller named (qualified or not). @default the function's unqualified ARN */
  readonly invokedFunctionArn?: string;
  readonly clientContext?: unknown;
}

/** An invocation and the X-Ray trace it was recorded under (with active tracing). */
export interface TracedInvocation extends Invocation {
  readonly traceRoot?: string;
  /** Whether the invocation had to start a new execution environment. */
  readonly cold: boolean;
}

/** No execution environment was free and no more may be started: Lambda's TooManyRequestsException. */
export class ThrottledError extends Error {
  override readonly name = 'ThrottledError';
}

/**
 * The function as Lambda runs it: a pool of execution environments that grows when invocations overlap,
 * reuses warm ones, and replaces the ones that died (timeout, crash, failed init).
 */
export class LocalFunction {
  readonly definition: FunctionDefinition;
  private readonly environments = new Set<ExecutionEnvironment>();
  /** Environments started by invokeCold(): never reused, stopped with the function. */
  private readonly retired = new Set<ExecutionEnvironment>();
  private starting = 0;
  private stopped = false;
  private readonly maxConcurrency: number;

  constructor(private readonly options: LocalFunctionOptions) {
    this.definition = options.definition;
    this.maxConcurrency = options.maxConcurrency ?? 10;
  }

  get arn(): string {
    return functionArn(this.definition);
  }

  /** Invokes on a warm idle environment when there is one, else on a new one. */
  async invoke(options: InvokeOptions): Promise<TracedInvocation> {
    if (this.stopped) throw new Error('the local function is stopped');
    let environment = [...this.environments].find((candidate) => candidate.isIdle);
    const cold = !environment;
    if (!environment) {
      if (this.environments.size + this.starting >= this.maxConcurrency) {
        throw new ThrottledError(`all ${this.maxConcurrency} execution environments are busy`);
      }
      environment = await this.startEnvironment();
    }
    return this.run(environment, options, cold);
  }

  /**
   * Invokes on a fresh environment that is never used again: a cold start measured on its own, leaving the warm
   * environments (and their caches) as they were. The environment lives on until stop(), as Lambda freezes an
   * environment rather than killing it: killed at once, it would lose what it still sends (X-Ray segments).
   */
  async invokeCold(options: InvokeOptions): Promise<TracedInvocation> {
    if (this.stopped) throw new Error('the local function is stopped');
    const environment = await ExecutionEnvironment.start(this.definition, this.options.taskRoot, this.options.environment, this.options.runtime);
    this.retired.add(environment);
    return this.run(environment, options, true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.environments, ...this.retired];
    this.environments.clear();
    this.retired.clear();
    await Promise.all(all.map((environment) => environment.stop()));
  }

  private async startEnvironment(): Promise<ExecutionEnvironment> {
    this.starting++;
    try {
      const environment = await ExecutionEnvironment.start(this.definition, this.options.taskRoot, this.options.environment, this.options.runtime);
      if (this.stopped) {
        await environment.stop();
        throw new Error('the local function is stopped');
      }
      this.environments.add(environment);
      return environment;
    } finally {
      this.starting--;
    }
  }

  private async run(environment: ExecutionEnvironment, options: InvokeOptions, cold: boolean): Promise<TracedInvocation> {
    const invocation = await environment.invoke({
      payload: options.payload,
      invokedFunctionArn: options.invokedFunctionArn ?? this.arn,
      ...(this.definition.tracingMode === 'Active' ? { trace: 'sampled' } : {}),
      ...(options.clientContext === undefined ? {} : { clientContext: options.clientContext }),
    });
    const traceRoot = invocation.traceHeader === undefined ? undefined : /Root=([^;]+)/.exec(invocation.traceHeader)?.[1];
    // Lambda discards an environment that timed out, crashed or failed its init; the next invocation starts anew.
    // Only an environment that is idle again after its invocation can serve another one.
    if (!environment.isIdle && this.environments.delete(environment)) await environment.stop();
    return { ...invocation, ...(traceRoot ? { traceRoot } : {}), cold };
  }
}
