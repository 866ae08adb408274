import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DEFAULT_SETTINGS, type RequestLimits } from './schema';
import { switchTracer } from './tracing';

export { readDeadlineMs, RETRY_PAUSE_ALLOWANCE_MS, type RequestLimits } from './schema';

export interface DynamoClientOptions extends Partial<RequestLimits> {
  /** Milliseconds to establish a connection. @default requestTimeoutMs */
  readonly connectionTimeoutMs?: number;
  /**
   * Further SDK settings (region, credentials, endpoint...). The endpoint normally comes from the standard
   * `AWS_ENDPOINT_URL_DYNAMODB` variable, which the SDK reads itself.
   * @default {}
   */
  readonly sdk?: DynamoDBClientConfig;
}

/**
 * A DynamoDB client with bounded attempts: connecting and each whole request have a timeout (`requestTimeoutMs`
 * unless told otherwise), so a server that accepts and never answers costs one timeout per attempt, not the
 * Lambda timeout. Traced with X-Ray when running in Lambda. The check function uses it through
 * sharedDynamoClient; the CLI can call it with an operator's longer limits.
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_SETTINGS.requestTimeoutMs;
  const maxAttempts = options.maxAttempts ?? DEFAULT_SETTINGS.maxAttempts;
  if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0)) {
    throw new RangeError(`requestTimeoutMs must be a number of milliseconds above 0, got ${requestTimeoutMs}`);
  }
  const connectionTimeoutMs = options.connectionTimeoutMs ?? requestTimeoutMs;
  if (!(Number.isFinite(connectionTimeoutMs) && connectionTimeoutMs > 0)) {
    throw new RangeError(`connectionTimeoutMs must be a number of milliseconds above 0, got ${connectionTimeoutMs}`);
  }
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  }
  const client = new DynamoDBClient({
    maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...options.sdk,
  });
  return switchTracer().instrumentClient(client);
}

const sharedClients = new Map<string, DynamoDBClient>();

/**
 * One client per execution environment and set of limits, reused by every read: its connections stay open
 * between invocations, which is most of a warm read's speed.
 */
export function sharedDynamoClient(limits: RequestLimits = DEFAULT_SETTINGS): DynamoDBClient {
  const key = `${limits.requestTimeoutMs}/${limits.maxAttempts}`;
  let client = sharedClients.get(key);
  if (!client) {
    client = createDynamoClient({ requestTimeoutMs: limits.requestTimeoutMs, maxAttempts: limits.maxAttempts });
    sharedClients.set(key, client);
  }
  return client;
}
