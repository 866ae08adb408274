import type { App } from 'cdktf';
import type { EnvironmentConfig } from './config';
import { environments } from './environments';
import { stateBackendSettings } from './state-backend';
import { StateStack } from './state-stack';
import { SuspenseStack } from './suspense-stack';

export const STATE_STACK_NAME = 'suspense-state';
export const stackNameFor = (config: EnvironmentConfig): string => `suspense-${config.environment}`;

/** Adds every stack of the project to `app`: the state bucket and one stack per environment. */
export function addStacks(app: App, configs: readonly EnvironmentConfig[] = environments()): {
  state: StateStack;
  environments: SuspenseStack[];
} {
  const state = stateBackendSettings(app);
  return {
    state: new StateStack(app, STATE_STACK_NAME, { state }),
    environments: configs.map((config) => new SuspenseStack(app, stackNameFor(config), { config, state })),
  };
}
