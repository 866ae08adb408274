import * as fs from 'node:fs';
import { connectionVariables } from './connection-variables';
import { formatMs } from './format';
import { startFunctionUrl, type FunctionUrlEventRecord } from './function-url-server';
import { startLambdaInvokeApi, type InvokeApiEvent } from './lambda-invoke-api';
import type { TracedInvocation } from './local-function';
import { startSandbox } from './sandbox';

type Write = (text: string) => void;

export interface ServeOptions {
  /** Replaces the stack's cache TTL (printed). @default the stack's value */
  readonly cacheTtlSeconds?: number;
  /** Also writes the NAME=value lines to this file (for `set -a; . file`), removed on exit. @default none */
  readonly envFile?: string;
}

/** A running serve-mode sandbox. */
export interface ServingSandbox {
  stop(): Promise<void>;
}

/**
 * `npm start -- --serve`: the sandbox stays up with a Lambda Invoke API endpoint and a function URL in front of
 * the function, and prints one `NAME=value` line per variable another terminal needs. Every request is logged
 * with its status, latency and the function's log lines.
 */
export async function serve(write: Write, options: ServeOptions = {}): Promise<ServingSandbox> {
  const sandbox = await startSandbox({
    ...(options.cacheTtlSeconds === undefined ? {} : { cacheTtlSeconds: options.cacheTtlSeconds }),
    progress: (line) => write(`# ${line}\n`),
  });
  try {
    const lambdaApi = await startLambdaInvokeApi(sandbox.fn, (event) => write(describeInvokeApiEvent(event)));
    sandbox.onStop(() => lambdaApi.stop());
    const functionUrl = await startFunctionUrl(sandbox.fn, (event) => write(describeFunctionUrlEvent(event)));
    sandbox.onStop(() => functionUrl.stop());

    const { definition } = sandbox;
    write(`# function ${definition.functionName} from stack ${definition.stackName} (${definition.runtime}, ${definition.memorySizeMb} MB, timeout ${definition.timeoutSeconds} s)\n`);
    for (const override of sandbox.overrides) write(`# set differently from Lambda: ${override.name}=${override.value} (${override.reason})\n`);
    write(`# work folder ${sandbox.workDir} (removed on exit)\n`);
    const variables = [
      ...connectionVariables(sandbox, { lambdaEndpoint: lambdaApi.endpoint, functionUrl: `${functionUrl.endpoint}/` }),
      ['CACHE_TTL_SECONDS', String(sandbox.cacheTtlSeconds)],
      ['SANDBOX_DIR', sandbox.workDir],
    ];
    const lines = variables.map(([name, value]) => `${name}=${value}\n`).join('');
    write(lines);
    const { envFile } = options;
    if (envFile) {
      fs.writeFileSync(envFile, lines);
      sandbox.onStop(async () => fs.rmSync(envFile, { force: true }));
      write(`# In another terminal: set -a; . ${envFile}; set +a   then:\n`);
    } else {
      write('# In another terminal, export the NAME=value lines above (or start with --vars-file sandbox.env), then:\n');
    }
    write('#   npx suspense list | status global | suspend global --reason "..." --until 30m | resume global\n');
    write('#   npx suspense invoke\n');
    write(`#   curl ${functionUrl.endpoint}/switches/global   or   curl '${functionUrl.endpoint}/?switch=payments'\n`);
    write('# Ready. Ctrl-C stops everything.\n');
    return { stop: () => sandbox.stop() };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

function describeInvokeApiEvent(event: InvokeApiEvent): string {
  const what = event.errorType === 'UnknownOperationException' ? `${event.method} ${event.path}` : `Invoke ${event.invocationType}`;
  const head = `[lambda] ${what} -> ${event.status}${event.errorType ? ` ${event.errorType}` : ''}`;
  return event.invocation ? describeInvocation(head, event.invocation) : `${head}\n`;
}

function describeFunctionUrlEvent(event: FunctionUrlEventRecord): string {
  const head = `[url] ${event.method} ${event.url} -> ${event.status}`;
  return event.invocation ? describeInvocation(head, event.invocation) : `${head}\n`;
}

function describeInvocation(head: string, invocation: TracedInvocation): string {
  const cold = invocation.coldStart;
  const timing = cold
    ? `cold ${formatMs(cold.processStartMs + cold.initMs + invocation.roundTripMs)} (start ${formatMs(cold.processStartMs)} + init ${formatMs(cold.initMs)} + invoke ${formatMs(invocation.roundTripMs)})`
    : `warm ${formatMs(invocation.roundTripMs)}`;
  const lines = [`${head} ${timing} request ${invocation.requestId}`];
  for (const line of invocation.log.split('\n').filter(Boolean)) lines.push(`    ${line}`);
  return `${lines.join('\n')}\n`;
}
