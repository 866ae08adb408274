/**
 * Benchmark contender, never shipped: the check written the way many teams would write it, with Powertools for
 * AWS Lambda: Parameters' DynamoDBProvider reads the switch (through its own cache, `maxAge` seconds) and the
 * Tracer records the handler and the DynamoDB call in X-Ray (manual instrumentation, as Powertools documents it
 * for handlers without middy). Same behaviour as functions/check: the same events, the same 200/503/400 answers,
 * one JSON log line per invocation, the same request timeouts and retries. The event parsing, item parsing and
 * response shaping are suspense's own pure functions, so that the comparison is about reading, caching, tracing
 * and packaging, not about those.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBProvider } from '@aws-lambda-powertools/parameters/dynamodb';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { switchRequestFrom } from '../../functions/check/check-event';
import { errorResponse, switchStateResponse, type ProxyResponse } from '../../functions/switch/proxy-response';
import { ENV, settingsFromEnvironment, SWITCH_KEY } from '../../functions/switch/schema';
import { describeError, writeLogLine } from '../../functions/switch/structured-log';
import { isSuspendedAt, parseIsoUtc, parseSwitchItem } from '../../functions/switch/switch-item';
import type { SwitchState } from '../../functions/switch/switch-state';

const settings = settingsFromEnvironment();
const tracer = new Tracer({ serviceName: 'suspense-check' });

/**
 * DynamoDBProvider returns one attribute of an item (`valueAttr`); a switch's answer needs three (`suspended`,
 * `reason`, `until`), so this provider returns the whole item, keeping Powertools' caching around it.
 */
class SwitchItemProvider extends DynamoDBProvider {
  protected override async _get(name: string): Promise<Record<string, never> | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [this.keyAttr]: { S: name } } }));
    return Item ? (unmarshall(Item) as Record<string, never>) : undefined;
  }
}

const client = tracer.captureAWSv3Client(
  new DynamoDBClient({
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: settings.requestTimeoutMs, requestTimeout: settings.requestTimeoutMs, throwOnRequestTimeout: true },
  }),
);
const provider = new SwitchItemProvider({ tableName: process.env[ENV.table] ?? '', keyAttr: SWITCH_KEY.name, awsSdkV3Client: client });

async function readState(name: string): Promise<SwitchState> {
  const failModeState: SwitchState = { switch: name, suspended: settings.failMode === 'closed', source: 'default' };
  let item: Record<string, unknown> | undefined;
  try {
    item = (await provider.get(name, { maxAge: settings.cacheTtlSeconds })) as Record<string, unknown> | undefined;
  } catch (error) {
    writeLogLine({ level: 'warn', msg: 'switch read failed', switch: name, error: describeError(error) });
    return failModeState;
  }
  // Powertools caches only values it found: a switch without an item (active) is read again on every call.
  if (item === undefined) return { switch: name, suspended: false, source: 'fresh' };
  const parsed = parseSwitchItem(name, item);
  if (!parsed.ok) {
    writeLogLine({ level: 'warn', msg: 'switch item is malformed', switch: name, problem: parsed.problem });
    return failModeState;
  }
  const { record } = parsed;
  if (!isSuspendedAt(record, Date.now())) return { switch: name, suspended: false, source: 'fresh' };
  const untilMs = parseIsoUtc(record.until);
  return {
    switch: name,
    suspended: true,
    source: 'fresh',
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    ...(untilMs !== undefined ? { until: record.until, untilMs } : {}),
  };
}

export const handler = async (event: unknown, context?: { awsRequestId?: string }): Promise<ProxyResponse> => {
  const startedAt = performance.now();
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment('## index.handler');
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    const request = switchRequestFrom(event, settings.defaultSwitch);
    let response: ProxyResponse;
    if (!request.ok) {
      response = errorResponse(400, request.problem);
    } else {
      const state = await readState(request.switch);
      tracer.putAnnotation('switch', state.switch);
      tracer.putAnnotation('suspended', state.suspended);
      response = switchStateResponse(state, Date.now());
    }
    tracer.addResponseAsMetadata(response, 'index.handler');
    writeLogLine({
      level: 'info',
      msg: 'check',
      requestId: context?.awsRequestId,
      statusCode: response.statusCode,
      latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    });
    return response;
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    writeLogLine({ level: 'error', msg: 'check', requestId: context?.awsRequestId, statusCode: 500, error: describeError(error) });
    return errorResponse(500, 'internal error');
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
  }
};
