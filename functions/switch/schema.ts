/**
 * The switch table's public contract: key schema, attribute names, name rules, environment variables and
 * runtime defaults. The stack, the check function, the switch library, the CLI, the sandbox and the tests all
 * import this module, so a change here is a change everywhere at once.
 *
 * This module must stay dependency-free: it is bundled into the Lambda function and loaded by cdktf at synth.
 */

/** The table's partition key: one item per switch, keyed by the switch's name. */
export const SWITCH_KEY = { name: 'switch', type: 'S' } as const;

/** Attribute names of a switch item. */
export const SWITCH_ATTRIBUTES = {
  name: SWITCH_KEY.name,
  /** BOOL: true while suspended. */
  suspended: 'suspended',
  /** S: why the switch was last changed. */
  reason: 'reason',
  /** S, ISO 8601 UTC, optional: the suspension ends by itself at this instant. */
  until: 'until',
  /** S, ISO 8601 UTC: when the item was last written. */
  updatedAt: 'updatedAt',
  /** S: who last wrote the item. */
  updatedBy: 'updatedBy',
  /** N: starts at 1 and grows by exactly 1 on every change; writes are conditional on it. */
  version: 'version',
} as const;

/** Switch names: 1-64 characters of `A-Z a-z 0-9 . _ -`. */
export const SWITCH_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The switch the check function reads when the event names none. */
export const DEFAULT_SWITCH_NAME = 'global';

/** Longest `reason` an operator may record. */
export const MAX_REASON_LENGTH = 500;

export function isValidSwitchName(name: unknown): name is string {
  return typeof name === 'string' && SWITCH_NAME_PATTERN.test(name);
}

/** What the check does when DynamoDB cannot answer and nothing recent enough is known. */
export type FailMode = 'open' | 'closed';

/** Environment variables read by the switch library and the check function; the stack sets them. */
export const ENV = {
  /** Name of the switch table. Required. */
  table: 'SUSPENSE_TABLE',
  /** Seconds a read is served from memory before DynamoDB is asked again. */
  cacheTtlSeconds: 'SUSPENSE_CACHE_TTL_SECONDS',
  /** Seconds past the TTL that the last known value may still be served while DynamoDB fails. */
  maxStaleSeconds: 'SUSPENSE_MAX_STALE_SECONDS',
  /** `open` (treat as active) or `closed` (treat as suspended) when DynamoDB fails and nothing is known. */
  failMode: 'SUSPENSE_FAIL_MODE',
  /** Switch read when an event names none. */
  defaultSwitch: 'SUSPENSE_DEFAULT_SWITCH',
  /** Milliseconds one DynamoDB request may take, connection included. */
  requestTimeoutMs: 'SUSPENSE_REQUEST_TIMEOUT_MS',
  /** Attempts per read (the first one included). */
  maxAttempts: 'SUSPENSE_MAX_ATTEMPTS',
} as const;

/** Runtime settings of the switch check, with the defaults used when a variable is unset. */
export interface SwitchSettings {
  /** @default 5 */
  readonly cacheTtlSeconds: number;
  /** @default 300 */
  readonly maxStaleSeconds: number;
  /** @default 'open' */
  readonly failMode: FailMode;
  /** @default 'global' */
  readonly defaultSwitch: string;
  /** @default 250 */
  readonly requestTimeoutMs: number;
  /** @default 3 */
  readonly maxAttempts: number;
}

export const DEFAULT_SETTINGS: SwitchSettings = {
  cacheTtlSeconds: 5,
  maxStaleSeconds: 300,
  failMode: 'open',
  defaultSwitch: DEFAULT_SWITCH_NAME,
  requestTimeoutMs: 250,
  maxAttempts: 3,
};

/** How long DynamoDB requests may take. */
export type RequestLimits = Pick<SwitchSettings, 'requestTimeoutMs' | 'maxAttempts'>;

/**
 * Pause allowed between two attempts when bounding a whole read. The SDK's backoff is random and grows with each
 * retry (up to seconds when throttled); `readDeadlineMs` caps the sum, so a read never outlasts its budget.
 */
export const RETRY_PAUSE_ALLOWANCE_MS = 100;

/**
 * The most one read may take, retries included: every attempt timing out, plus a pause between attempts. The
 * switch store enforces it; the stack checks it against the Lambda timeout.
 */
export function readDeadlineMs(limits: RequestLimits): number {
  return limits.requestTimeoutMs * limits.maxAttempts + RETRY_PAUSE_ALLOWANCE_MS * (limits.maxAttempts - 1);
}

/** The environment variables that carry `settings`, as the stack writes them. */
export function settingsToEnvironment(settings: SwitchSettings): Record<string, string> {
  return {
    [ENV.cacheTtlSeconds]: String(settings.cacheTtlSeconds),
    [ENV.maxStaleSeconds]: String(settings.maxStaleSeconds),
    [ENV.failMode]: settings.failMode,
    [ENV.defaultSwitch]: settings.defaultSwitch,
    [ENV.requestTimeoutMs]: String(settings.requestTimeoutMs),
    [ENV.maxAttempts]: String(settings.maxAttempts),
  };
}

/**
 * Reads settings from the environment, falling back to DEFAULT_SETTINGS for unset variables.
 * Throws on a value that is set but unusable: a typo must not silently become a default.
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SwitchSettings {
  const number = (variable: string, fallback: number, min: number, max: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`${variable} must be a number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const failMode = env[ENV.failMode] || DEFAULT_SETTINGS.failMode;
  if (failMode !== 'open' && failMode !== 'closed') {
    throw new Error(`${ENV.failMode} must be "open" or "closed", got "${failMode}"`);
  }
  const defaultSwitch = env[ENV.defaultSwitch] || DEFAULT_SETTINGS.defaultSwitch;
  if (!isValidSwitchName(defaultSwitch)) {
    throw new Error(`${ENV.defaultSwitch} must match ${SWITCH_NAME_PATTERN}, got "${defaultSwitch}"`);
  }
  return {
    cacheTtlSeconds: number(ENV.cacheTtlSeconds, DEFAULT_SETTINGS.cacheTtlSeconds, 0, 3600),
    maxStaleSeconds: number(ENV.maxStaleSeconds, DEFAULT_SETTINGS.maxStaleSeconds, 0, 86400),
    failMode,
    defaultSwitch,
    requestTimeoutMs: number(ENV.requestTimeoutMs, DEFAULT_SETTINGS.requestTimeoutMs, 10, 60000),
    maxAttempts: number(ENV.maxAttempts, DEFAULT_SETTINGS.maxAttempts, 1, 10),
  };
}

/**
 * The CreateTable request for a switch table with this key schema, for local tables (tests, sandbox,
 * benchmark). The stack declares the same key from SWITCH_KEY.
 */
export function createSwitchTableRequest(tableName: string) {
  return {
    TableName: tableName,
    KeySchema: [{ AttributeName: SWITCH_KEY.name, KeyType: 'HASH' as const }],
    AttributeDefinitions: [{ AttributeName: SWITCH_KEY.name, AttributeType: SWITCH_KEY.type }],
    BillingMode: 'PAY_PER_REQUEST' as const,
  };
}
