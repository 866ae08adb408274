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

export interface AlarmStateChangeRequest {
  readonly alarmName: string;
  readonly accountId: string;
  readonly region: string;
  readonly state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** @default the opposite of `state` (OK for ALARM, ALARM otherwise) */
  readonly previousState?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** @default CloudWatch's threshold text */
  readonly reason?: string;
  /** When the alarm entered `state`. @default now */
  readonly stateAt?: Date;
  /** @default a random UUID */
  readonly id?: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/**
 * A "CloudWatch Alarm State Change" event exactly as EventBridge delivers it to a rule's Lambda target, for a
 * metric alarm: every field CloudWatch sends, timestamps in its `+0000` form.
 */
export function alarmStateChangeEvent(request: AlarmStateChangeRequest): Record<string, unknown> {
  const stateAt = request.stateAt ?? new Date();
  const previousState = request.previousState ?? (request.state === 'ALARM' ? 'OK' : 'ALARM');
  const cloudwatchTime = (date: Date) => date.toISOString().replace('Z', '+0000');
  const threshold = (value: number, state: string) =>
    `Threshold Crossed: 1 out of the last 1 datapoints [${value} (${stateAt.toISOString().slice(0, 16)})] was ${state === 'ALARM' ? 'greater than or equal to' : 'not greater than or equal to'} the threshold (5.0) (minimum 1 datapoint for ${previousState} -> ${state} transition).`;
  const reasonData = (value: number) =>
    JSON.stringify({ version: '1.0', queryDate: cloudwatchTime(stateAt), statistic: 'Sum', period: 60, recentDatapoints: [value], threshold: 5.0, evaluatedDatapoints: [{ timestamp: cloudwatchTime(stateAt), sampleCount: 60, value }] });
  return {
    version: '0',
    id: request.id ?? randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: request.accountId,
    time: stateAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: request.region,
    resources: [`arn:${request.partition ?? 'aws'}:cloudwatch:${request.region}:${request.accountId}:alarm:${request.alarmName}`],
    detail: {
      alarmName: request.alarmName,
      state: { value: request.state, reason: request.reason ?? threshold(request.state === 'ALARM' ? 12 : 0, request.state), reasonData: reasonData(request.state === 'ALARM' ? 12 : 0), timestamp: cloudwatchTime(stateAt) },
      previousState: { value: previousState, reason: threshold(0, previousState), reasonData: reasonData(0), timestamp: cloudwatchTime(new Date(stateAt.getTime() - 300_000)) },
      configuration: {
        description: 'checkout 5xx errors',
        metrics: [
          {
            id: 'm1',
            metricStat: { metric: { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: { ApiName: 'checkout' } }, period: 60, stat: 'Sum' },
            returnData: true,
          },
        ],
      },
    },
  };
}
