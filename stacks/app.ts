import type { App } from 'cdktf';
import { environments } from './environments';
import { STATE_STACK_NAME, stackNameFor } from './stack-names';
import { stateBackendSettings } from './state-backend';
import { StateStack } from './state-stack';
import { SuspenseStack } from './suspense-stack';

export { STATE_STACK_NAME, stackNameFor } from './stack-names';

/**
 * Adds every stack of the project to `app`: the state bucket and one stack per environment, configured from
 * `env` (SUSPENSE_* variables; see README) and the app's context.
 */
export function addStacks(app: App, env: NodeJS.ProcessEnv = process.env): { state: StateStack; environments: SuspenseStack[] } {
  const state = stateBackendSettings(app, env);
  return {
    state: new StateStack(app, STATE_STACK_NAME, { state }),
    environments: environments(env).map((config) => new SuspenseStack(app, stackNameFor(config), { config, state })),
  };
}
