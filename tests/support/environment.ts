// Environment variables for code under test that reads them from process.env, as Lambda and the CLI do.
import { LOCAL_CREDENTIALS } from './dynalite';

/**
 * The per-attempt timeout reads get unless a test sets its own: a local DynamoDB answers in milliseconds, but on a
 * crowded machine the production 250 ms can pass before it does, and the read would become the fail-open default.
 * Tests about deadlines set theirs (and read-deadline.test.ts proves the exact ones on fake timers).
 */
export const UNHURRIED_REQUEST_TIMEOUT_MS = 10_000;

/** What Lambda would set, plus the local endpoint and the switch settings under test. */
export function lambdaLikeEnvironment(endpoint: string, settings: Record<string, string>): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SUSPENSE_REQUEST_TIMEOUT_MS: String(UNHURRIED_REQUEST_TIMEOUT_MS),
    ...settings,
  };
}

/**
 * Sets `variables` in process.env until the returned function is called. The SDK resolves its endpoint and
 * credentials at the first request, not at init, so they must stay set while the handler runs.
 */
export function withEnvironment(variables: Record<string, string>): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, variables);
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}
