import { randomUUID } from 'node:crypto';

export { CONSOLE_TEST_EVENT } from '../functions/check/console-test-event';

export interface RestApiRequest {
  readonly method: string;
  /** The API's resource template, e.g. `/switches/{switch}`. */
  readonly resource: string;
  /** The request path, e.g. `/switches/payments`. */
  readonly path: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** @default 'prod' */
  readonly stage?: string;
  readonly accountId: string;
  readonly region: string;
}

/**
 * An API Gateway REST API (v1) Lambda proxy integration event, with every field API Gateway sends, so that a
 * handler reading any of them sees what it would behind a deployed API. Absent parameters are null, as API
 * Gateway sends them.
 */
export function restApiProxyEvent(request: RestApiRequest): Record<string, unknown> {
  const apiId = 'sandboxapi';
  const stage = request.stage ?? 'prod';
  const domainName = `${apiId}.execute-api.${request.region}.amazonaws.com`;
  const headers = { Accept: 'application/json', Host: domainName, 'User-Agent': 'suspense-sandbox', ...request.headers };
  const now = new Date();
  const multi = <T extends Readonly<Record<string, string>> | undefined>(values: T) =>
    values ? Object.fromEntries(Object.entries(values).map(([name, value]) => [name, [value]])) : null;
  return {
    resource: request.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: multi(headers),
    queryStringParameters: request.queryStringParameters ?? null,
    multiValueQueryStringParameters: multi(request.queryStringParameters),
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: request.accountId,
      apiId,
      domainName,
      domainPrefix: apiId,
      extendedRequestId: randomUUID(),
      httpMethod: request.method,
      identity: { sourceIp: '127.0.0.1', userAgent: headers['User-Agent'], accountId: null, caller: null, user: null, userArn: null },
      path: `/${stage}${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: 'sandbox',
      resourcePath: request.resource,
      stage,
    },
    body: request.body ?? null,
    isBase64Encoded: false,
  };
}

/** `25/Nov/2025:08:30:00 +0000`, the form of API Gateway's requestTime. */
export function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
