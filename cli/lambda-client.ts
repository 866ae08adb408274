import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * The client for `invoke`. A test invocation runs exactly once, like the console's Test button: no retries,
 * which would run the function again. The request may take as long as the function does, up to `timeoutMs`.
 * The SDK itself honours AWS_ENDPOINT_URL_LAMBDA.
 */
/** As for DynamoDB: a reachable endpoint accepts a connection in milliseconds. */
const CONNECTION_TIMEOUT_MS = 1500;

export function createLambdaClient(options: { readonly region?: string; readonly timeoutMs: number }): LambdaClient {
  return new LambdaClient({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}
