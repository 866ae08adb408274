import type { App } from 'cdktf';
import { environmentConfig } from './config';
import { DeploymentVariables } from './deployment-variables';
import { environmentProps } from './environments';
import { STATE_STACK_NAME, stackNameFor } from './stack-names';
import { stateBackendSettings } from './state-backend';
import { StateStack } from './state-stack';
import { SuspenseStack } from './suspense-stack';

export { STATE_STACK_NAME, stackNameFor } from './stack-names';

/**
 * Adds every stack of the project to `app`: the state bucket and one stack per environment, configured from
 * `env` (SUSPENSE_* variables; see README). Every variable is read before any stack is built, so one error
 * names every missing or invalid one, and nothing is synthesized with a silent placeholder.
 */
export function addStacks(app: App, env: NodeJS.ProcessEnv = process.env): { state: StateStack; environments: SuspenseStack[] } {
  const variables = new DeploymentVariables(env);
  const state = stateBackendSettings(variables);
  const props = environmentProps(variables);
  variables.check();
  return {
    state: new StateStack(app, STATE_STACK_NAME, { state, environmentAccountIds: props.map((environment) => environment.accountId) }),
    environments: props.map(environmentConfig).map((config) => new SuspenseStack(app, stackNameFor(config), { config, state })),
  };
}
