import { randomUUID } from 'node:crypto';
import { apiGatewayTime } from './events';

/** An HTTP request as received, before it becomes an event. */
export interface HttpRequestParts {
  readonly method: string;
  /** Path and query exactly as requested (`req.url`). */
  readonly url: string;
  /** Header names and values in arrival order, as Node's `rawHeaders` gives them. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** @default 'HTTP/1.1' */
  readonly protocol?: string;
}

export interface FunctionUrlInfo {
  /** The URL's id: the first label of `<id>.lambda-url.<region>.on.aws`. */
  readonly urlId: string;
  readonly region: string;
}

/**
 * The payload format 2.0 event a Lambda function URL sends for a request (auth type NONE): lower-case headers
 * with repeated values joined by commas, cookies moved out of the headers into `cookies`, query parameters
 * decoded and joined likewise, and a body that is base64-encoded unless its content type is text.
 */
export function functionUrlEvent(request: HttpRequestParts, url: FunctionUrlInfo): Record<string, unknown> {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1).split('#')[0] ?? '';

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] as string).toLowerCase();
    const value = request.rawHeaders[index + 1] as string;
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const domainName = `${url.urlId}.lambda-url.${url.region}.on.aws`;
  headers['x-forwarded-for'] ??= request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const isText = isTextContentType(headers['content-type']);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: url.urlId,
      domainName,
      domainPrefix: url.urlId,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length > 0 ? { body: isText ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    pathParameters: null,
    isBase64Encoded: request.body.length > 0 && !isText,
    stageVariables: null,
  };
}

/** Content types whose bodies reach the function as text; anything else arrives base64-encoded. */
function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/([\w.+-]+\+)?(json|xml)$/.test(type) ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** What the function URL answers. */
export interface HttpResponseParts {
  readonly statusCode: number;
  /** Repeated names allowed (Set-Cookie). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/**
 * The HTTP response for a function's result, as a function URL maps it: a result with `statusCode` is a
 * response (headers, `cookies` as Set-Cookie, a body that may be base64), anything else is a 200 JSON body
 * holding the result. Returns undefined for a result a function URL would reject (its 502).
 */
export function httpResponseFrom(payload: string): HttpResponseParts | undefined {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : payload;
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body, 'utf8') };
  }
  const statusCode = result.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const headers: Array<readonly [string, string]> = [];
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) return undefined;
    for (const [name, value] of Object.entries(result.headers)) headers.push([name.toLowerCase(), String(value)]);
  }
  if (!headers.some(([name]) => name === 'content-type')) headers.push(['content-type', 'application/json']);
  if (Array.isArray(result.cookies)) for (const cookie of result.cookies) headers.push(['set-cookie', String(cookie)]);
  const rawBody = result.body === undefined || result.body === null ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  const body = result.isBase64Encoded === true ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  return { statusCode, headers, body };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
