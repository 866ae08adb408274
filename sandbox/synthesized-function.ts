import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackNameFor } from '../stacks/stack-names';
import { partitionOf } from '../stacks/config';
import { ALLOW_PLACEHOLDERS_VARIABLE, type PlaceholderUse } from '../stacks/deployment-variables';
import { PROJECT_ROOT } from '../stacks/project-root';
import { LOG_LEVELS, type FunctionDefinition, type LogLevel } from './function-definition';

/** What `cdktf synth` wrote for the sandboxed environment. */
export interface SynthesizedFunction {
  /** The check function. */
  readonly definition: FunctionDefinition;
  /** The alarm trip function, when the environment declares trips. */
  readonly tripDefinition?: FunctionDefinition;
  /** The stack's folder in the synth output (cdk.tf.json and assets/). */
  readonly stackDir: string;
  readonly synthMs: number;
}

/** The environment whose stack the sandbox runs: dev, as a newcomer's first deploy would be. */
const SANDBOX_ENVIRONMENT = 'dev';

/** Longest a synth may take: bundling plus cdktf takes seconds; minutes mean something hangs. */
const SYNTH_TIMEOUT_MS = 120_000;

/**
 * Synthesizes the app into `outdir` exactly as `cdktf synth` does: cdktf.json's `app` command (main.ts, through
 * addStacks and the NodejsFunction construct) runs with CDKTF_OUTDIR and CDKTF_CONTEXT_JSON set, so the zip and
 * the function's settings come from the same code path as a deploy's. A child process rather than an in-process
 * App: it is the mechanism cdktf itself uses, and it keeps cdktf out of the sandbox's own process.
 */
export async function synthesizeFunction(outdir: string, placeholdersFor: PlaceholderUse, env: NodeJS.ProcessEnv = process.env): Promise<SynthesizedFunction> {
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdktf.json'), 'utf8')) as { app: string; context?: object };
  const startedAt = performance.now();
  await runApp(cdktfJson.app, {
    // This output runs locally and is never planned or deployed: unset deployment variables may be placeholders.
    [ALLOW_PLACEHOLDERS_VARIABLE]: placeholdersFor,
    ...env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTEXT_JSON: JSON.stringify(cdktfJson.context ?? {}),
  });
  const synthMs = performance.now() - startedAt;
  return { ...readSynthesizedFunction(outdir), synthMs };
}

/** The sandboxed environment's function in a synth output folder (`cdktf synth`'s, or an App's outdir). */
export function readSynthesizedFunction(outdir: string): Omit<SynthesizedFunction, 'synthMs'> {
  const stackName = stackNameFor({ environment: SANDBOX_ENVIRONMENT });
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string; workingDirectory: string }>;
  };
  const entry = manifest.stacks[stackName];
  if (!entry) throw new Error(`the synth output has no stack "${stackName}" (found: ${Object.keys(manifest.stacks).join(', ')})`);
  const stackDir = path.join(outdir, entry.workingDirectory);
  const stack = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8')) as StackJson;
  const tripDefinition = stack.output?.trip_function_name ? readFunctionDefinition(stackName, stack, stackDir, 'trip_function_name') : undefined;
  return { definition: readFunctionDefinition(stackName, stack, stackDir, 'function_name'), ...(tripDefinition ? { tripDefinition } : {}), stackDir };
}

type StackJson = {
  provider?: { aws?: Array<{ region?: string; allowed_account_ids?: string[] }> };
  output?: Record<string, { value?: unknown }>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
};

/**
 * The aws_lambda_function whose name the stack's output `nameOutput` gives (`function_name`: the check function;
 * `trip_function_name`: the trip function), read into what a runtime needs; throws on anything it cannot honour.
 */
export function readFunctionDefinition(stackName: string, stack: StackJson, stackDir: string, nameOutput: string): FunctionDefinition {
  const reference = stack.output?.[nameOutput]?.value;
  const id = typeof reference === 'string' ? /^\$\{aws_lambda_function\.([^.]+)\.function_name\}$/.exec(reference)?.[1] : undefined;
  const resource = id === undefined ? undefined : (stack.resource?.aws_lambda_function?.[id] as LambdaFunctionJson | undefined);
  if (!resource) throw new Error(`stack ${stackName}'s output ${nameOutput} names no Lambda function of the stack (${JSON.stringify(reference)})`);
  const provider = stack.provider?.aws?.[0];
  const region = literal(provider?.region, 'provider region');
  const accountId = literal(provider?.allowed_account_ids?.[0], 'provider allowed_account_ids');
  const variables = resource.environment?.variables ?? {};
  for (const [name, value] of Object.entries(variables)) literal(value, `environment variable ${name}`);
  const logging = resource.logging_config ?? {};
  const zipFile = path.resolve(stackDir, literal(resource.filename, 'filename'));
  if (!fs.existsSync(zipFile)) throw new Error(`the function's package ${zipFile} does not exist`);

  return {
    stackName,
    functionName: literal(resource.function_name, 'function_name'),
    accountId,
    region,
    partition: partitionOf(region),
    runtime: literal(resource.runtime, 'runtime'),
    architecture: resource.architectures?.[0] ?? 'x86_64',
    handler: literal(resource.handler, 'handler'),
    // Lambda's defaults for the two settings a stack may leave out.
    memorySizeMb: resource.memory_size ?? 128,
    timeoutSeconds: resource.timeout ?? 3,
    environment: { ...variables },
    logGroupName: logGroupName(stack, logging.log_group, literal(resource.function_name, 'function_name')),
    logFormat: logging.log_format === 'JSON' ? 'JSON' : 'Text',
    applicationLogLevel: logLevel(logging.application_log_level, 'INFO'),
    systemLogLevel: logLevel(logging.system_log_level, 'INFO'),
    tracingMode: resource.tracing_config?.mode === 'Active' ? 'Active' : 'PassThrough',
    zipFile,
    sourceCodeHash: resource.source_code_hash ?? '',
  };
}

interface LambdaFunctionJson {
  function_name?: string;
  runtime?: string;
  handler?: string;
  architectures?: string[];
  memory_size?: number;
  timeout?: number;
  filename?: string;
  source_code_hash?: string;
  environment?: { variables?: Record<string, string> };
  logging_config?: { log_format?: string; log_group?: string; application_log_level?: string; system_log_level?: string };
  tracing_config?: { mode?: string };
}

/** A value the sandbox must know now; a Terraform reference (`${...}`) would only be known after apply. */
function literal(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`the stack's function has no ${what}`);
  if (value.includes('${')) throw new Error(`the stack's ${what} is a Terraform reference (${value}), known only after apply`);
  return value;
}

function logGroupName(stack: StackJson, reference: string | undefined, functionName: string): string {
  if (!reference) return `/aws/lambda/${functionName}`;
  const match = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.name\}$/.exec(reference);
  if (!match) return literal(reference, 'log group');
  return literal(stack.resource?.aws_cloudwatch_log_group?.[match[1] as string]?.name, `log group ${match[1]} name`);
}

function logLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as LogLevel) : fallback;
}

function runApp(command: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    // A shell, as the cdktf CLI runs cdktf.json's `app`: it is a command line, not a file.
    const child = spawn(command, { cwd: PROJECT_ROOT, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`synth (${command}) took longer than ${SYNTH_TIMEOUT_MS / 1000} s`));
    }, SYNTH_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`synth (${command}) failed with ${signal ?? `exit code ${code}`}:\n${output.trim()}`));
    });
  });
}
