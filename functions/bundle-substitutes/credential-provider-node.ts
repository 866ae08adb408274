/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle only (stacks/bundling/esbuild-bundle.ts
 * aliases it; the CLI and tests keep the SDK's own chain).
 *
 * Why: the SDK's default chain (environment, SSO, ini files, credential process, web identity, container, IMDS)
 * brings about 130 KB of code into the bundle, STS and SSO clients included, all of which V8 parses at every cold
 * start. In Lambda the chain never gets past its first link: the runtime always sets the execution role's
 * credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and sets no AWS_PROFILE. This
 * module is that first link (the SDK's `fromEnv`, field for field), memoized as the chain memoizes.
 *
 * Assumes a standard (on-demand) Lambda execution environment. Anywhere credentials come only from elsewhere (a
 * container credentials endpoint, a profile), the first read fails with the message below, and the switch store
 * then answers with its fail mode and logs the error.
 */

/** AWS credentials as the SDK's signer takes them. */
export interface EnvironmentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
  readonly credentialScope?: string;
  readonly accountId?: string;
  /** The SDK reports where credentials came from in its user agent; `fromEnv` marks them so. */
  readonly $source?: Record<string, string>;
}

/** Thrown when the environment holds no credentials; named as the SDK names its own. */
export class CredentialsProviderError extends Error {
  override readonly name = 'CredentialsProviderError';
  readonly tryNextLink = false;
}

const REFRESH_MARGIN_MS = 300_000;

/** The SDK's rule: credentials that expire are read again once they are within five minutes of expiring. */
export const credentialsTreatedAsExpired = (credentials?: EnvironmentCredentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS;

export const credentialsWillNeedRefresh = (credentials?: EnvironmentCredentials): boolean => credentials?.expiration !== undefined;

/** Credentials from the variables Lambda sets, read as the SDK's `fromEnv` reads them. */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new CredentialsProviderError(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the function bundle reads credentials only from the ' +
        "environment, where Lambda puts the execution role's",
    );
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  const credentialScope = env.AWS_CREDENTIAL_SCOPE;
  const accountId = env.AWS_ACCOUNT_ID;
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiration ? { expiration: new Date(expiration) } : {}),
    ...(credentialScope ? { credentialScope } : {}),
    ...(accountId ? { accountId } : {}),
    $source: { CREDENTIALS_ENV_VARS: 'g' },
  };
}

/** The default credential provider, as the SDK's clients call it. Its options (profiles, SSO...) do not apply here. */
export function defaultProvider(): () => Promise<EnvironmentCredentials> {
  let credentials: EnvironmentCredentials | undefined;
  return async () => {
    if (credentials === undefined || credentialsTreatedAsExpired(credentials)) credentials = credentialsFromEnvironment();
    return credentials;
  };
}
