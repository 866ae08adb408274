import { DEFAULT_REGION, environmentConfig, type EnvironmentConfig } from './config';

/**
 * The deployed environments. Account IDs come from the environment so that the repository names no account;
 * the placeholders make synth and offline plans work, and the provider's `allowed_account_ids` makes a deploy
 * with a placeholder fail before it changes anything.
 */
/** The alarm that trips `global` in dev. */
export const DEV_TRIP_ALARM = 'suspense-dev-checkout-5xx';

export function environments(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig[] {
  return [
    environmentConfig({
      environment: 'dev',
      accountId: env.SUSPENSE_DEV_ACCOUNT_ID || '111111111111',
      region: env.SUSPENSE_DEV_REGION || DEFAULT_REGION,
      // Shows the feature in the plan, the sandbox and the walkthrough; the alarm is the team's own (README "Trips").
      trips: [{ switch: 'global', alarmNames: [DEV_TRIP_ALARM], until: '1h', resumeOnOk: true }],
    }),
    environmentConfig({
      environment: 'prod',
      accountId: env.SUSPENSE_PROD_ACCOUNT_ID || '222222222222',
      region: env.SUSPENSE_PROD_REGION || DEFAULT_REGION,
      deletionProtection: true,
      logRetentionDays: 90,
    }),
  ];
}
