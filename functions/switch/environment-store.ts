import { ENV, settingsFromEnvironment } from './schema';
import { SwitchStore } from './switch-store';

/** The environment does not configure the switch check; the message names the variable and the fix. */
export class SwitchConfigurationError extends Error {
  override readonly name = 'SwitchConfigurationError';
}

/**
 * A store configured from the environment variables the stack sets (functions/switch/schema.ts ENV): the table
 * from SUSPENSE_TABLE (required), the rest with their documented defaults.
 * Throws SwitchConfigurationError when a variable is missing or unusable.
 */
export function switchStoreFromEnvironment(env: NodeJS.ProcessEnv = process.env): SwitchStore {
  const tableName = env[ENV.table];
  if (!tableName) {
    throw new SwitchConfigurationError(
      `${ENV.table} is not set: the function needs the switch table's name (SwitchTable.grantRead sets it with the read permission)`,
    );
  }
  try {
    return new SwitchStore({ tableName, settings: settingsFromEnvironment(env) });
  } catch (error) {
    throw new SwitchConfigurationError(error instanceof Error ? error.message : String(error));
  }
}

let shared: SwitchStore | undefined;

/** The store of this execution environment, configured from process.env at first use and shared after. */
export function sharedSwitchStore(): SwitchStore {
  shared ??= switchStoreFromEnvironment();
  return shared;
}
