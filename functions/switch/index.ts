/**
 * The switch library's public entry: what other teams' functions, the check function and the CLI import.
 *
 *   import { withSwitch } from '<suspense>/functions/switch';
 *   export const handler = withSwitch(myHandler, { switch: 'orders' });
 */
export { withSwitch, type AsyncHandler, type SwitchGuardOptions } from './switch-guard';
export { SwitchStore, InvalidSwitchNameError, UndeclaredSwitchError, type SwitchStoreOptions } from './switch-store';
export type { SwitchState, SwitchSource } from './switch-state';
export { sharedSwitchStore, switchStoreFromEnvironment, SwitchConfigurationError } from './environment-store';
export { createDynamoClient, sharedDynamoClient, readDeadlineMs, type DynamoClientOptions, type RequestLimits } from './dynamo-client';
export { switchStateResponse, errorResponse, retryAfterSeconds, type ProxyResponse } from './proxy-response';
export { parseSwitchItem, isSuspendedAt, type SwitchRecord, type ParsedSwitchItem } from './switch-item';
export {
  DEFAULT_SETTINGS,
  DEFAULT_SWITCH_NAME,
  ENV,
  isValidSwitchName,
  settingsConflict,
  settingsFromEnvironment,
  SWITCH_ATTRIBUTES,
  SWITCH_KEY,
  SWITCH_NAME_PATTERN,
  type FailMode,
  type SwitchSettings,
} from './schema';
