import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TracedInvocation } from './local-function';
import { LocalFunction, ThrottledError } from './local-function';
import { readBody, serveLocally, type LocalHttpServer } from './http-server';

/** Largest synchronous request payload Lambda accepts (6 MB). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Largest asynchronous (Event) request payload Lambda accepts (256 KB). */
const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;
/** Largest response payload a synchronous invocation may return (6 MB). */
const MAX_RESPONSE_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** `X-Amz-Log-Result` carries the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;

const INVOCATIONS_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Function names, partial and full ARNs, with an optional qualifier (the Invoke API's FunctionName pattern). */
const FUNCTION_NAME_PATTERN =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9._-]+)(:(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const;
const LOG_TYPES = ['None', 'Tail'] as const;

/** One request the endpoint answered, for the sandbox's console. */
export interface InvokeApiEvent {
  readonly method: string;
  readonly path: string;
  readonly invocationType: string;
  readonly status: number;
  readonly errorType?: string;
  readonly invocation?: TracedInvocation;
}

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{FunctionName}/invocations`) for one local function, as the
 * AWS SDK and CLI call it: RequestResponse (with the log tail on request), Event and DryRun; function errors as
 * a 200 with X-Amz-Function-Error; and bad requests answered with the status, `x-amzn-ErrorType` and JSON body
 * the real service sends, which the SDK turns into its typed exceptions. Signatures are not checked: anything
 * that can reach the loopback port may invoke, as with any local emulator.
 */
export async function startLambdaInvokeApi(fn: LocalFunction, onEvent: (event: InvokeApiEvent) => void = () => undefined): Promise<LocalHttpServer> {
  return serveLocally(async (request, response) => {
    const event = await handleInvokeRequest(fn, request, response);
    onEvent(event);
  });
}

async function handleInvokeRequest(fn: LocalFunction, request: IncomingMessage, response: ServerResponse): Promise<InvokeApiEvent> {
  const requestId = randomUUID();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const seen = { method: request.method ?? 'GET', path: url.pathname };
  const reject = (status: number, errorType: string, body: Record<string, unknown>, headers: Record<string, string> = {}): InvokeApiEvent => {
    sendJson(response, status, requestId, body, { 'x-amzn-ErrorType': errorType, ...headers });
    return { ...seen, invocationType: String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse'), status, errorType };
  };
  const match = INVOCATIONS_PATH.exec(url.pathname);
  // The service routes on method and path; anything else is an operation it does not have (this endpoint has
  // only Invoke), which it answers with UnknownOperationException.
  if (!match || request.method !== 'POST') {
    request.resume();
    return reject(404, 'UnknownOperationException', {
      Type: 'User',
      message: `The sandbox's Lambda endpoint serves only Invoke (POST /2015-03-31/functions/{FunctionName}/invocations), not ${request.method} ${url.pathname}`,
    });
  }

  let rawName: string;
  try {
    rawName = decodeURIComponent(match[1] as string);
  } catch {
    // What the service says of any name it cannot read: the function name's constraint is not met.
    rawName = match[1] as string;
  }
  const name = FUNCTION_NAME_PATTERN.exec(rawName);
  if (!name || rawName.length > 170) {
    request.resume();
    return reject(400, 'ValidationException', {
      message: `1 validation error detected: Value '${rawName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN.source.slice(1, -1)}`,
    });
  }
  const invocationType = headerValue(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!(INVOCATION_TYPES as readonly string[]).includes(invocationType)) {
    request.resume();
    return reject(400, 'ValidationException', {
      message: `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`,
    });
  }
  const logType = headerValue(request, 'x-amz-log-type') ?? 'None';
  if (!(LOG_TYPES as readonly string[]).includes(logType)) {
    request.resume();
    return reject(400, 'ValidationException', {
      message: `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [${LOG_TYPES.join(', ')}]`,
    });
  }

  const { definition } = fn;
  const nameQualifier = name[9];
  const queryQualifier = url.searchParams.get('Qualifier') ?? undefined;
  if (nameQualifier !== undefined && queryQualifier !== undefined && nameQualifier !== queryQualifier) {
    request.resume();
    return reject(400, 'InvalidParameterValueException', {
      Type: 'User',
      message: 'The derived qualifier from the function name does not match the specified qualifier.',
    });
  }
  const qualifier = nameQualifier ?? queryQualifier;
  const region = name[3]?.slice(0, -1) ?? definition.region;
  const accountId = name[5]?.slice(0, -1) ?? definition.accountId;
  const functionName = name[7] as string;
  const requestedArn = `arn:${definition.partition}:lambda:${region}:${accountId}:function:${functionName}${qualifier ? `:${qualifier}` : ''}`;
  // The sandbox has one function and only its $LATEST version.
  const known =
    functionName === definition.functionName &&
    region === definition.region &&
    accountId === definition.accountId &&
    (qualifier === undefined || qualifier === '$LATEST');
  if (!known) {
    request.resume();
    return reject(404, 'ResourceNotFoundException', { Type: 'User', message: `Function not found: ${requestedArn}` });
  }

  const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  const body = await readBody(request, limit);
  if (body === undefined) {
    return reject(
      413,
      'RequestEntityTooLargeException',
      { Type: 'User', message: `Request must be smaller than ${limit} bytes for the InvokeFunction operation` },
      { connection: 'close' },
    );
  }
  const parsed = parsePayload(body);
  if (!parsed.ok) {
    return reject(400, 'InvalidRequestContentException', { Type: 'User', message: `Could not parse request body into json: ${parsed.problem}` });
  }
  const clientContext = decodeClientContext(headerValue(request, 'x-amz-client-context'));

  if (invocationType === 'DryRun') {
    sendRaw(response, 204, requestId, Buffer.alloc(0), {});
    return { ...seen, invocationType, status: 204 };
  }
  const invoke = () => fn.invoke({ payload: parsed.text, invokedFunctionArn: requestedArn, ...(clientContext ? { clientContext } : {}) });

  if (invocationType === 'Event') {
    // Lambda queues the event and answers at once; the invocation's outcome reaches no caller, only the log.
    sendRaw(response, 202, requestId, Buffer.alloc(0), {});
    const invocation = await invoke().catch(() => undefined);
    return { ...seen, invocationType, status: 202, ...(invocation ? { invocation } : {}) };
  }

  let invocation: TracedInvocation;
  try {
    invocation = await invoke();
  } catch (error) {
    if (error instanceof ThrottledError) {
      return reject(429, 'TooManyRequestsException', { Reason: 'ConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' }, { 'Retry-After': '1' });
    }
    throw error;
  }
  let payload = Buffer.from(invocation.payload, 'utf8');
  let functionError = invocation.functionError;
  if (!functionError && payload.length > MAX_RESPONSE_PAYLOAD_BYTES) {
    functionError = 'Unhandled';
    payload = Buffer.from(
      JSON.stringify({
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD_BYTES} bytes).`,
      }),
    );
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'X-Amz-Executed-Version': '$LATEST',
    ...(invocation.traceRoot ? { 'X-Amzn-Trace-Id': `root=${invocation.traceRoot};sampled=1` } : {}),
    ...(functionError ? { 'X-Amz-Function-Error': functionError } : {}),
    ...(logType === 'Tail' ? { 'X-Amz-Log-Result': logTail(invocation.log) } : {}),
  };
  sendRaw(response, 200, invocation.requestId, payload, headers);
  return { ...seen, invocationType, status: 200, invocation, ...(functionError ? { errorType: functionError } : {}) };
}

/** The Invoke API's event: any JSON text in UTF-8; an empty body is an empty object. */
function parsePayload(body: Buffer): { ok: true; text: string } | { ok: false; problem: string } {
  if (body.length === 0) return { ok: true, text: '{}' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { ok: false, problem: 'Could not parse payload into json: Invalid UTF-8 in the request payload' };
  }
  try {
    JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `Could not parse payload into json: ${(error as Error).message}` };
  }
  return { ok: true, text };
}

/** The base64 JSON of X-Amz-Client-Context, which the function sees as `context.clientContext`. */
function decodeClientContext(header: string | undefined): unknown {
  if (!header) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Base64 of the log's last 4 KB, as Lambda cuts it (by bytes). */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(response: ServerResponse, status: number, requestId: string, body: Record<string, unknown>, headers: Record<string, string>): void {
  sendRaw(response, status, requestId, Buffer.from(JSON.stringify(body)), { 'content-type': 'application/json', ...headers });
}

function sendRaw(response: ServerResponse, status: number, requestId: string, body: Buffer, headers: Record<string, string>): void {
  response.writeHead(status, { 'x-amzn-RequestId': requestId, 'content-length': String(body.length), ...headers });
  response.end(body);
}
