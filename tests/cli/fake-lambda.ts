/**
 * A tiny stand-in for the Lambda Invoke API on 127.0.0.1 (ephemeral port), enough for `suspense invoke`:
 * POST /2015-03-31/functions/<name>/invocations, answered like Lambda answers a RequestResponse invocation.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFunction {
  /** The payload the function returns (sent as-is). */
  readonly payload: string;
  /** The log tail, sent base64 in X-Amz-Log-Result when the request asks for `Tail`. */
  readonly log: string;
  /** X-Amz-Function-Error, when the function failed. */
  readonly functionError?: 'Unhandled' | 'Handled';
}

export interface RecordedInvocation {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeLambda {
  readonly endpoint: string;
  readonly invocations: RecordedInvocation[];
  stop(): Promise<void>;
}

export async function startFakeLambda(functions: Record<string, FakeFunction>): Promise<FakeLambda> {
  const invocations: RecordedInvocation[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      invocations.push({ method: request.method ?? '', path, headers: request.headers, body });
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
      const fn = match && Object.prototype.hasOwnProperty.call(functions, match[1] as string) ? functions[match[1] as string] : undefined;
      if (request.method !== 'POST' || !match || !fn) {
        const message = `Function not found: arn:aws:lambda:us-east-1:123456789012:function:${match?.[1] ?? ''}`;
        response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', message }));
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
      if (request.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = Buffer.from(fn.log, 'utf8').toString('base64');
      if (fn.functionError) headers['x-amz-function-error'] = fn.functionError;
      response.writeHead(200, headers);
      response.end(fn.payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    invocations,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
