import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';

import { CONSOLE_TEST_EVENT } from '../../functions/check/console-test-event';

/** The Lambda console's default test event ("hello-world" template). */
export const consoleTestEvent = CONSOLE_TEST_EVENT;

/** An API Gateway REST API (v1) proxy event, as sent for `GET /switches/{switch}` or `GET /check?switch=`. */
export function restApiEvent(options: { pathSwitch?: string; querySwitch?: string } = {}): APIGatewayProxyEvent {
  const path = options.pathSwitch !== undefined ? `/switches/${options.pathSwitch}` : '/check';
  return {
    resource: options.pathSwitch !== undefined ? '/switches/{switch}' : '/check',
    path,
    httpMethod: 'GET',
    headers: { Accept: 'application/json', Host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    multiValueHeaders: { Accept: ['application/json'], Host: ['abc123.execute-api.eu-west-1.amazonaws.com'] },
    queryStringParameters: options.querySwitch !== undefined ? { switch: options.querySwitch } : null,
    multiValueQueryStringParameters: options.querySwitch !== undefined ? { switch: [options.querySwitch] } : null,
    pathParameters: options.pathSwitch !== undefined ? { switch: options.pathSwitch } : null,
    stageVariables: null,
    requestContext: {
      accountId: '111111111111',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: 'GET',
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '203.0.113.7', user: null, userAgent: 'curl/8.5.0',
        userArn: null,
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1767225600000,
      resourceId: 'abcdef',
      resourcePath: options.pathSwitch !== undefined ? '/switches/{switch}' : '/check',
    },
    body: null,
    isBase64Encoded: false,
  };
}

/** An HTTP API (v2) event, as sent for the route `GET /switches/{switch}` or `GET /check?switch=`. */
export function httpApiEvent(options: { pathSwitch?: string; querySwitch?: string } = {}): APIGatewayProxyEventV2 {
  const rawPath = options.pathSwitch !== undefined ? `/switches/${options.pathSwitch}` : '/check';
  const rawQueryString = options.querySwitch !== undefined ? `switch=${encodeURIComponent(options.querySwitch)}` : '';
  return {
    version: '2.0',
    routeKey: options.pathSwitch !== undefined ? 'GET /switches/{switch}' : 'GET /check',
    rawPath,
    rawQueryString,
    headers: { accept: 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    ...(options.querySwitch !== undefined ? { queryStringParameters: { switch: options.querySwitch } } : {}),
    ...(options.pathSwitch !== undefined ? { pathParameters: { switch: options.pathSwitch } } : {}),
    requestContext: {
      accountId: '111111111111',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: options.pathSwitch !== undefined ? 'GET /switches/{switch}' : 'GET /check',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    isBase64Encoded: false,
  };
}

/** A Lambda function URL event: no route, so no path parameters; the switch is in the path or the query. */
export function functionUrlEvent(options: { rawPath?: string; querySwitch?: string } = {}): LambdaFunctionURLEvent {
  const rawPath = options.rawPath ?? '/';
  const rawQueryString = options.querySwitch !== undefined ? `switch=${encodeURIComponent(options.querySwitch)}` : '';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { accept: 'application/json', host: 'abcdefghij.lambda-url.eu-west-1.on.aws' },
    ...(options.querySwitch !== undefined ? { queryStringParameters: { switch: options.querySwitch } } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abcdefghij',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'd2a5f9a0-0a3e-4b8e-9f43-3c5f0c4f5a11',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    isBase64Encoded: false,
  };
}

/**
 * A REST API (v1) event for a greedy `/{proxy+}` resource: the path is the caller's, no `switch` path parameter.
 * (Also what a REST API's `ANY /{proxy+}` sends for `/`, with `path` `/` and no parameters.)
 */
export function restApiProxyEvent(requestPath: string): APIGatewayProxyEvent {
  const event = restApiEvent();
  return {
    ...event,
    resource: '/{proxy+}',
    path: requestPath,
    pathParameters: requestPath === '/' ? null : { proxy: requestPath.slice(1) },
    requestContext: { ...event.requestContext, resourcePath: '/{proxy+}', path: `/prod${requestPath}` },
  };
}

/**
 * An HTTP API (v2) event for a route without a `switch` parameter: `$default`, or a greedy `GET /{proxy+}`. On a
 * named stage (`stage` other than `$default`), `rawPath` starts with the stage, as API Gateway sends it.
 */
export function httpApiRouteEvent(options: { routeKey: '$default' | 'GET /{proxy+}'; path: string; stage?: string }): APIGatewayProxyEventV2 {
  const event = httpApiEvent();
  const stage = options.stage ?? '$default';
  const rawPath = stage === '$default' ? options.path : `/${stage}${options.path === '/' ? '' : options.path}`;
  const { pathParameters: _none, ...withoutParameters } = event;
  return {
    ...withoutParameters,
    routeKey: options.routeKey,
    rawPath,
    ...(options.routeKey === '$default' || options.path === '/' ? {} : { pathParameters: { proxy: options.path.slice(1) } }),
    requestContext: { ...event.requestContext, routeKey: options.routeKey, stage, http: { ...event.requestContext.http, path: rawPath } },
  };
}

/**
 * An HTTP API event in payload format 1.0 for the greedy route `GET /{proxy+}`: REST-API-like fields plus
 * `version: '1.0'`. Unlike a REST API's, its `path` starts with a named stage (`/prod/switches/orders`).
 */
export function httpApiV1Event(options: { path: string; stage: string }): APIGatewayProxyEvent & { version: '1.0' } {
  const event = restApiEvent();
  const path = options.stage === '$default' ? options.path : `/${options.stage}${options.path === '/' ? '' : options.path}`;
  return {
    version: '1.0',
    ...event,
    resource: '/{proxy+}',
    path,
    pathParameters: options.path === '/' ? null : { proxy: options.path.slice(1) },
    requestContext: {
      ...event.requestContext,
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      extendedRequestId: 'JKJaXmPLvHcESHA=',
      path,
      resourceId: 'GET /{proxy+}',
      resourcePath: '/{proxy+}',
      stage: options.stage,
    },
  };
}
