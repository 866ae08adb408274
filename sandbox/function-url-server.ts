import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { functionUrlEvent, httpResponseFrom } from './function-url-event';
import { readBody, serveLocally, type LocalHttpServer } from './http-server';
import { MAX_SYNC_PAYLOAD_BYTES } from './lambda-invoke-api';
import { ThrottledError, type LocalFunction, type TracedInvocation } from './local-function';

/** One request the function URL answered, for the sandbox's console. */
export interface FunctionUrlEventRecord {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly invocation?: TracedInvocation;
}

/**
 * A Lambda function URL (auth type NONE) for one local function: every request, whatever its method and path,
 * becomes a payload format 2.0 event, and the function's result becomes the HTTP response. Failures answer as a
 * function URL does: 502 for a function error or a result it cannot map, 413 for a body over 6 MB, 429 when
 * throttled.
 */
export async function startFunctionUrl(fn: LocalFunction, onEvent: (event: FunctionUrlEventRecord) => void = () => undefined): Promise<LocalHttpServer> {
  // Function URL ids are 32 characters of a-z and 0-9.
  const urlId = randomBytes(16).toString('hex');
  return serveLocally(async (request, response) => {
    const record = await answer(fn, urlId, request, response);
    onEvent(record);
  });
}

async function answer(fn: LocalFunction, urlId: string, request: IncomingMessage, response: ServerResponse): Promise<FunctionUrlEventRecord> {
  const method = request.method ?? 'GET';
  const url = request.url ?? '/';
  const fail = (status: number, message: string): FunctionUrlEventRecord => {
    const body = Buffer.from(JSON.stringify({ Message: message }));
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) });
    response.end(body);
    return { method, url, status };
  };
  const body = await readBody(request, MAX_SYNC_PAYLOAD_BYTES);
  if (body === undefined) return fail(413, 'Request Entity Too Large');
  const event = functionUrlEvent(
    { method, url, rawHeaders: request.rawHeaders, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', protocol: `HTTP/${request.httpVersion}` },
    { urlId, region: fn.definition.region },
  );
  let invocation: TracedInvocation;
  try {
    invocation = await fn.invoke({ payload: JSON.stringify(event) });
  } catch (error) {
    if (error instanceof ThrottledError) return fail(429, 'Too Many Requests');
    throw error;
  }
  const mapped = invocation.functionError ? undefined : httpResponseFrom(invocation.payload);
  if (!mapped) return { ...fail(502, 'Internal Server Error'), invocation };
  response.statusCode = mapped.statusCode;
  for (const [name, value] of mapped.headers) response.appendHeader(name, value);
  response.setHeader('content-length', String(mapped.body.length));
  response.setHeader('x-amzn-RequestId', invocation.requestId);
  if (invocation.traceRoot) response.setHeader('x-amzn-trace-id', `Root=${invocation.traceRoot};Sampled=1`);
  response.end(mapped.body);
  return { method, url, status: mapped.statusCode, invocation };
}
