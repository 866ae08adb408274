/**
 * `invoke`: a test invocation of a deployed function, as the Lambda console's Test button does it: synchronous,
 * with the last 4 KB of its log (LogType Tail), printed with the status, any function error and the payload.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { quote } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import type { CommandLine } from './command-line';
import { DEFAULT_INVOKE_TIMEOUT_SECONDS } from './command-specs';
import { deadlineSignal, endpointOverrideNote, regionOption, stringOption, timeoutSeconds } from './common-options';
import { CliFailure, EXIT, UsageError, type FailureContext } from './errors';
import { readStackResource } from './stack-outputs';
import { CONSOLE_TEST_EVENT } from '../functions/check/console-test-event';

type RunLine = Extract<CommandLine, { kind: 'run' }>;


/** Largest synchronous Invoke payload Lambda accepts. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** Function names, partial and full ARNs, with an optional qualifier. */
const FUNCTION_NAME = /^[A-Za-z0-9_.:$-]{1,170}$/;

export interface InvokeArguments {
  /** From --function; else read from the --stack outputs when running. */
  readonly functionName?: string;
  readonly payload: string;
  readonly json: boolean;
  readonly timeoutSeconds: number;
  readonly region?: string;
}

/** Checks the arguments and reads the event before anything is invoked. */
export async function readInvokeArguments(line: RunLine, io: CliIo): Promise<InvokeArguments> {
  const { options } = line;
  const functionName = stringOption(options, 'function');
  if (functionName !== undefined && !FUNCTION_NAME.test(functionName)) {
    throw new UsageError(`invalid --function ${quote(functionName)}: give a function name or ARN`, 'invoke');
  }
  if (functionName !== undefined && stringOption(options, 'stack') !== undefined) {
    throw new UsageError('pass --function or --stack, not both', 'invoke');
  }
  if (functionName === undefined && stringOption(options, 'stack') === undefined) {
    throw new UsageError('no function: pass --function <name> or --stack <stack>', 'invoke');
  }
  const eventFile = stringOption(options, 'event');
  const region = regionOption(options, 'invoke');
  return {
    ...(functionName === undefined ? {} : { functionName }),
    payload: eventFile === undefined ? JSON.stringify(CONSOLE_TEST_EVENT) : await readEvent(eventFile, io),
    json: options.get('json') === true,
    timeoutSeconds: timeoutSeconds(options, 'invoke', DEFAULT_INVOKE_TIMEOUT_SECONDS),
    ...(region === undefined ? {} : { region }),
  };
}

async function readEvent(file: string, io: CliIo): Promise<string> {
  let text: string;
  try {
    const stat = await fs.stat(path.resolve(io.cwd, file));
    if (!stat.isFile()) throw new UsageError(`--event ${quote(file)} is not a file`, 'invoke');
    if (stat.size > MAX_EVENT_BYTES) throw new UsageError(`--event ${quote(file)} is larger than Lambda's 6 MB payload limit`, 'invoke');
    text = await fs.readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --event ${quote(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'invoke');
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--event ${quote(file)} is not valid JSON: ${(error as Error).message}`, 'invoke');
  }
  return text;
}

/** What an invocation returned, as `--json` prints it. */
export interface InvokeView {
  readonly function: string;
  readonly statusCode: number | null;
  readonly executedVersion: string | null;
  /** `Unhandled` or `Handled` when the function failed, else null. */
  readonly functionError: string | null;
  /** The response parsed as JSON, or its text when it is not JSON. */
  readonly payload: unknown;
  /** The decoded log tail, or null when Lambda returned none. */
  readonly logTail: string | null;
}

export async function runInvoke(line: RunLine, parsed: InvokeArguments, io: CliIo, context: FailureContext): Promise<number> {
  const stack = stringOption(line.options, 'stack');
  const target = parsed.functionName !== undefined ? { name: parsed.functionName } : await readStackResource(stack as string, 'function_name', 'invoke', io.cwd);
  const functionName = target.name;
  const region = parsed.region ?? target.region;
  const note = endpointOverrideNote(line.options, io.env, 'AWS_ENDPOINT_URL_LAMBDA');
  if (note) io.stderr(note);
  Object.assign(context, { service: 'Lambda', subject: `function "${functionName}"`, timeoutSeconds: parsed.timeoutSeconds });

  // Loaded only here: `--help` and bad input should not pay for the SDK (see run.ts on require).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { InvokeCommand } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
  const { createLambdaClient } = require('./lambda-client') as typeof import('./lambda-client');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const client = createLambdaClient({ timeoutMs: parsed.timeoutSeconds * 1000, ...(region ? { region } : {}) });
  try {
    const output = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
        Payload: Buffer.from(parsed.payload, 'utf8'),
      }),
      { abortSignal: deadlineSignal(parsed.timeoutSeconds) },
    );
    const text = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
    const view: InvokeView = {
      function: functionName,
      statusCode: output.StatusCode ?? null,
      executedVersion: output.ExecutedVersion ?? null,
      functionError: output.FunctionError ?? null,
      payload: parseJson(text),
      logTail: output.LogResult ? Buffer.from(output.LogResult, 'base64').toString('utf8') : null,
    };
    io.stdout(parsed.json ? `${JSON.stringify(view, null, 2)}\n` : renderInvoke(view));
    if (view.functionError) throw new CliFailure(`function "${functionName}" reported an error (${view.functionError})`);
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

function renderInvoke(view: InvokeView): string {
  const lines = [
    `Function: ${view.function}${view.executedVersion ? ` (${terminalSafe(view.executedVersion)})` : ''}`,
    `Status: ${view.statusCode ?? '-'}`,
  ];
  if (view.functionError) lines.push(`Function error: ${terminalSafe(view.functionError)}`);
  lines.push('', 'Payload:', typeof view.payload === 'string' ? terminalSafe(view.payload) : JSON.stringify(view.payload, null, 2));
  lines.push('', 'Log tail:', view.logTail === null ? '(none returned)' : terminalSafe(view.logTail).trimEnd());
  return `${lines.join('\n')}\n`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Keeps line breaks and tabs, replaces other control characters: logs and payloads come from the function. */
function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}
