/**
 * `invoke`: a test invocation of a deployed function, as the Lambda console's Test button does it: synchronous,
 * with the last 4 KB of its log (LogType Tail), printed with the status, any function error and the payload.
 */
import { endpointOverrideNote, resolveResource, withAwsClient } from './aws-session';
import type { CliIo } from './cli-io';
import type { InvokeFunctionCommand } from './commands';
import { CliFailure, EXIT } from './errors';
import { checkFunctionName } from './invoke-arguments';
import { terminalJson, terminalText } from './terminal-text';

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

export async function runInvoke(command: InvokeFunctionCommand, io: CliIo): Promise<number> {
  const target = await resolveResource(command.function, 'function_name', command.command, io, checkFunctionName);
  const functionName = target.name;
  const region = command.region ?? target.region;
  const note = endpointOverrideNote(command.function, 'Lambda', io.env);
  if (note) io.stderr(note);

  // Loaded only here: `--help` and bad input should not pay for the SDK (see run.ts on require).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { InvokeCommand } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
  const { createLambdaClient } = require('./lambda-client') as typeof import('./lambda-client');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const client = createLambdaClient({ timeoutMs: command.timeoutSeconds * 1000, ...(region ? { region } : {}) });
  const session = { service: 'Lambda', subject: `function "${functionName}"`, client, options: command, io } as const;
  const view = await withAwsClient(session, async (lambda, abortSignal): Promise<InvokeView> => {
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', LogType: 'Tail', Payload: Buffer.from(command.payload, 'utf8') }),
      { abortSignal },
    );
    const text = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
    return {
      function: functionName,
      statusCode: output.StatusCode ?? null,
      executedVersion: output.ExecutedVersion ?? null,
      functionError: output.FunctionError ?? null,
      payload: parseJson(text),
      logTail: output.LogResult ? Buffer.from(output.LogResult, 'base64').toString('utf8') : null,
    };
  });
  io.stdout(command.json ? terminalJson(view) : renderInvoke(view));
  if (view.functionError) throw new CliFailure(`function "${functionName}" reported an error (${view.functionError})`);
  return EXIT.ok;
}

/** The payload and the log tail come from the function: line breaks and tabs kept, other control characters not. */
function renderInvoke(view: InvokeView): string {
  const lines = [
    `Function: ${view.function}${view.executedVersion ? ` (${terminalText(view.executedVersion)})` : ''}`,
    `Status: ${view.statusCode ?? '-'}`,
  ];
  if (view.functionError) lines.push(`Function error: ${terminalText(view.functionError)}`);
  lines.push('', 'Payload:', typeof view.payload === 'string' ? terminalText(view.payload, { multiline: true }) : terminalJson(view.payload).trimEnd());
  lines.push('', 'Log tail:', view.logTail === null ? '(none returned)' : terminalText(view.logTail, { multiline: true }).trimEnd());
  return `${lines.join('\n')}\n`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
