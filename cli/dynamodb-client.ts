/**
 * The CLI's DynamoDB client: the switch library's client factory with an operator's limits. An operator is
 * waiting, so requests fail in seconds with a few retries, where the SDK's defaults have no request timeout at
 * all; the check function's limits (a few hundred milliseconds) would be too tight over a real network. The SDK
 * itself honours AWS_ENDPOINT_URL_DYNAMODB.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../functions/switch/dynamo-client';

/** Limits of one request; the command's overall deadline (--timeout) bounds them all together. */
export const CLI_REQUEST_LIMITS = {
  /** Reads and writes of one small item take milliseconds. */
  requestTimeoutMs: 3000,
  /** A reachable endpoint accepts a connection in milliseconds. */
  connectionTimeoutMs: 1500,
  /** The first attempt included. */
  maxAttempts: 3,
} as const;

export function createCliDynamoClient(options: { readonly region?: string } = {}): DynamoDBClient {
  return createDynamoClient({ ...CLI_REQUEST_LIMITS, sdk: options.region ? { region: options.region } : {} });
}
