import { LOCAL_CREDENTIALS } from './local-dynamo';
import type { Sandbox } from './sandbox';

/** Endpoints the sandbox serves besides DynamoDB, once started. */
export interface SandboxEndpoints {
  readonly lambdaEndpoint?: string;
  readonly functionUrl?: string;
}

/**
 * The variables a terminal needs to use the sandbox with the CLI or any AWS SDK, in the order serve mode prints
 * them: the endpoints through the SDK's standard AWS_ENDPOINT_URL_<SERVICE> variables, the table and function
 * as the CLI reads them (SUSPENSE_TABLE, SUSPENSE_FUNCTION), the stack's region and dummy credentials (the local
 * endpoints check that requests are signed, not by whom).
 */
export function connectionVariables(sandbox: Sandbox, endpoints: SandboxEndpoints = {}): Array<[string, string]> {
  return [
    ['AWS_ENDPOINT_URL_DYNAMODB', sandbox.dynamo.endpoint],
    ...(endpoints.lambdaEndpoint ? ([['AWS_ENDPOINT_URL_LAMBDA', endpoints.lambdaEndpoint]] as Array<[string, string]>) : []),
    ...(endpoints.functionUrl ? ([['FUNCTION_URL', endpoints.functionUrl]] as Array<[string, string]>) : []),
    ['SUSPENSE_TABLE', sandbox.tableName],
    ['SUSPENSE_FUNCTION', sandbox.definition.functionName],
    ['AWS_REGION', sandbox.definition.region],
    ['AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey],
  ];
}

/**
 * The environment for a CLI child process: the caller's, minus anything that would point the SDK at a real
 * account (profiles, session tokens, a global endpoint), plus the sandbox's variables.
 */
export function cliEnvironment(sandbox: Sandbox, endpoints: SandboxEndpoints = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
    delete env[name];
  }
  return {
    ...env,
    ...Object.fromEntries(connectionVariables(sandbox, endpoints)),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
