import { environmentConfig, type EnvironmentConfig, type EnvironmentProps } from './config';
import { DeploymentVariables } from './deployment-variables';

/** The alarm that trips `global` in dev. */
export const DEV_TRIP_ALARM = 'suspense-dev-checkout-5xx';

/** What each deployed environment sets beyond the defaults; its account and region come from variables. */
const DEPLOYED_ENVIRONMENTS: ReadonlyArray<Omit<EnvironmentProps, 'accountId' | 'region'>> = [
  // The trip shows the feature in the plan, the sandbox and the walkthrough; the alarm is the team's own (README "Trips").
  { environment: 'dev', trips: [{ switch: 'global', alarmNames: [DEV_TRIP_ALARM], until: '1h', resumeOnOk: true }] },
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
