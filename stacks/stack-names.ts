import type { EnvironmentConfig } from './config';

// Kept apart from stacks/app.ts, which loads cdktf and the provider: the sandbox and the benchmark find stacks in
// synth output by these names without loading either.

export const STATE_STACK_NAME = 'suspense-state';

export const stackNameFor = (config: Pick<EnvironmentConfig, 'environment'>): string => `suspense-${config.environment}`;
