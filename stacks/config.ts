import { DEFAULT_SETTINGS, readDeadlineMs, settingProblem, settingsConflict, TABLE_NAME_PATTERN, type SwitchSettings } from '../functions/switch/schema';
import { tripProblem, type TripConfig } from '../functions/trip/trip-config';
import { partitionOfRegion } from './aws-regions';
import { CHECK_FUNCTION_RESERVED_CONCURRENCY, DEFAULT_REGION, FUNCTION_DEFAULTS, TABLE_DEFAULTS } from './defaults';

export { DEFAULT_REGION } from './defaults';

/** How the switch table is billed. */
export type TableBilling =
  | { readonly mode: 'PAY_PER_REQUEST' }
  /** Low fixed capacity, as the proof of concept ran: cheapest for a table read through a cache. */
  | { readonly mode: 'PROVISIONED'; readonly readCapacity: number; readonly writeCapacity: number };

/** What an environment's stack may set. Everything but `environment` and `accountId` has a default. */
export interface EnvironmentProps {
  /** Short environment name (`dev`, `prod`): part of the stack name, resource names and tags. */
  readonly environment: string;
  /**
   * The AWS account the environment lives in. The provider refuses any other account
   * (`allowed_account_ids`), and IAM policies name exact ARNs, so a plan shows the full policy before apply.
   */
  readonly accountId: string;
  /** An AWS region of any partition (stacks/aws-regions.ts). @default DEFAULT_REGION ('eu-west-1') */
  readonly region?: string;
  /** @default `suspense-switches-${environment}` */
  readonly tableName?: string;
  /** @default `suspense-check-${environment}` */
  readonly functionName?: string;
  /** Lambda memory in MB. @default FUNCTION_DEFAULTS.memorySize (640: half the cold start of 128 MB) */
  readonly memorySize?: number;
  /** Lambda timeout in seconds; the switch read's own time budget stays well inside it. @default FUNCTION_DEFAULTS.timeoutSeconds (5) */
  readonly timeoutSeconds?: number;
  /** Lambda architecture. @default FUNCTION_DEFAULTS.architecture ('arm64') */
  readonly architecture?: 'arm64' | 'x86_64';
  /** Days the function's logs are kept. @default FUNCTION_DEFAULTS.logRetentionDays (30) */
  readonly logRetentionDays?: number;
  /**
   * Concurrent executions reserved for the check function: its ceiling and its guaranteed share of the account.
   * @default CHECK_FUNCTION_RESERVED_CONCURRENCY (100)
   */
  readonly reservedConcurrentExecutions?: number;
  /** Refuse to delete the table (DynamoDB deletion protection and Terraform `prevent_destroy`). @default TABLE_DEFAULTS.deletionProtection (false) */
  readonly deletionProtection?: boolean;
  /** @default TABLE_DEFAULTS.billing ({ mode: 'PAY_PER_REQUEST' }) */
  readonly billing?: TableBilling;
  /**
   * The check function's runtime settings, written as its SUSPENSE_* variables: cache TTL, staleness bound, fail
   * policy (`failMode`, `failClosedSwitches`), declared `switches`, default switch and request limits.
   * @default DEFAULT_SETTINGS from functions/switch/schema.ts
   */
  readonly switchSettings?: Partial<SwitchSettings>;
  /** Tags added to every resource, beside `project`, `environment` and `managed-by`. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * CloudWatch alarms that suspend switches (see README "Trips"); with at least one, the stack adds the trip
   * function and an EventBridge rule per trip. @default [] (no trip function)
   */
  readonly trips?: readonly TripConfig[];
  /** The trip function's name (and its role's). @default `suspense-trip-${environment}` */
  readonly tripFunctionName?: string;
}

export type EnvironmentConfig = Required<Omit<EnvironmentProps, 'switchSettings'>> & {
  readonly switchSettings: SwitchSettings;
};

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Applies the documented defaults and rejects values AWS would reject later, with a message naming the field. */
export function environmentConfig(props: EnvironmentProps): EnvironmentConfig {
  const config: EnvironmentConfig = {
    region: DEFAULT_REGION,
    tableName: `suspense-switches-${props.environment}`,
    functionName: `suspense-check-${props.environment}`,
    memorySize: FUNCTION_DEFAULTS.memorySize,
    timeoutSeconds: FUNCTION_DEFAULTS.timeoutSeconds,
    architecture: FUNCTION_DEFAULTS.architecture,
    logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
    reservedConcurrentExecutions: CHECK_FUNCTION_RESERVED_CONCURRENCY,
    deletionProtection: TABLE_DEFAULTS.deletionProtection,
    billing: TABLE_DEFAULTS.billing,
    tags: {},
    trips: [],
    tripFunctionName: `suspense-trip-${props.environment}`,
    ...definedOnly(props),
    environment: props.environment,
    accountId: props.accountId,
    switchSettings: { ...DEFAULT_SETTINGS, ...definedOnly(props.switchSettings ?? {}) },
  };
  const fail = (field: string, message: string): never => {
    throw new Error(`environment "${props.environment}": ${field} ${message}`);
  };
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(config.environment)) fail('environment', 'must be 1-16 of a-z 0-9 -, starting with a letter');
  if (!/^\d{12}$/.test(config.accountId)) fail('accountId', `must be 12 digits, got "${config.accountId}"`);
  if (!partitionOfRegion(config.region)) fail('region', `is not an AWS region: "${config.region}" (stacks/aws-regions.ts lists them)`);
  if (!TABLE_NAME_PATTERN.test(config.tableName)) fail('tableName', 'must be 3-255 of A-Z a-z 0-9 _ . -');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.functionName)) fail('functionName', 'must be 1-64 of A-Z a-z 0-9 _ -');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.tripFunctionName)) fail('tripFunctionName', 'must be 1-64 of A-Z a-z 0-9 _ -');
  if (config.tripFunctionName === config.functionName) fail('tripFunctionName', 'must differ from functionName');
  config.trips.forEach((trip, index) => {
    const problem = tripProblem(trip);
    if (problem) fail(`trips[${index}]`, problem);
  });
  if (!Number.isInteger(config.memorySize) || config.memorySize < 128 || config.memorySize > 10240) {
    fail('memorySize', 'must be a whole number of MB from 128 to 10240');
  }
  if (!Number.isInteger(config.timeoutSeconds) || config.timeoutSeconds < 1 || config.timeoutSeconds > 900) {
    fail('timeoutSeconds', 'must be a whole number from 1 to 900');
  }
  if (!Number.isInteger(config.reservedConcurrentExecutions) || config.reservedConcurrentExecutions < 1) {
    // 0 would throttle every invocation: a suspension nobody asked for, with no reason recorded.
    fail('reservedConcurrentExecutions', 'must be a whole number of at least 1');
  }
  if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
    fail('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  if (config.billing.mode === 'PROVISIONED') {
    const { readCapacity, writeCapacity } = config.billing;
    if (!(Number.isInteger(readCapacity) && readCapacity >= 1 && Number.isInteger(writeCapacity) && writeCapacity >= 1)) {
      fail('billing', 'PROVISIONED needs whole readCapacity and writeCapacity of at least 1');
    }
  }
  const settings = config.switchSettings;
  for (const [setting, value] of Object.entries(settings) as Array<[keyof SwitchSettings, unknown]>) {
    const problem = settingProblem(setting, value);
    if (problem) fail(`switchSettings.${setting}`, `${problem}, got ${JSON.stringify(value)}`);
  }
  const conflict = settingsConflict(settings);
  if (conflict) fail(`switchSettings.${conflict[0]}`, conflict[1]);
  // The handler needs time to answer after the slowest possible read.
  const worstReadMs = readDeadlineMs(settings);
  if (worstReadMs >= (config.timeoutSeconds * 1000) / 2) {
    fail('switchSettings', `allow a read of up to ${worstReadMs} ms, which must stay under half the ${config.timeoutSeconds} s timeout`);
  }
  for (const key of ['project', 'environment', 'managed-by']) {
    if (key in config.tags) fail('tags', `must not set "${key}": the stack sets it`);
  }
  return config;
}

/** `object` without its undefined fields: `{ billing: undefined }` must leave the default in place, not erase it. */
function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The AWS partition of a region, for ARNs. */
export function partitionOf(region: string): string {
  const partition = partitionOfRegion(region);
  if (!partition) throw new Error(`"${region}" is not an AWS region (stacks/aws-regions.ts lists them)`);
  return partition;
}
