import { environmentConfig, type EnvironmentConfig, type EnvironmentProps } from './config';
import { DeploymentVariables } from './deployment-variables';

/** What each deployed environment sets beyond the defaults; its account and region come from variables. */
const DEPLOYED_ENVIRONMENTS: ReadonlyArray<Omit<EnvironmentProps, 'accountId' | 'region'>> = [
  { environment: 'dev' },
  { environment: 'prod', deletionProtection: true, logRetentionDays: 90 },
];

/**
 * Each environment's props, its account from `SUSPENSE_<ENV>_ACCOUNT_ID` and its region from
 * `SUSPENSE_<ENV>_REGION`. Problems are collected in `variables`: call its check() before using the result.
 */
export function environmentProps(variables: DeploymentVariables): EnvironmentProps[] {
  return DEPLOYED_ENVIRONMENTS.map((declared) => ({
    ...declared,
    ...variables.accountAndRegion(declared.environment, `the AWS account of the ${declared.environment} environment`),
  }));
}

/** The deployed environments, configured from `env` (see environmentProps); throws naming any missing variable. */
export function environments(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig[] {
  const variables = new DeploymentVariables(env);
  const props = environmentProps(variables);
  variables.check();
  return props.map(environmentConfig);
}
