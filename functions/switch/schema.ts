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
  /**
   * L of M: the last MAX_HISTORY_ENTRIES changes, oldest first, each with HISTORY_ENTRY_ATTRIBUTES; written in the
   * same conditional UpdateItem as the change itself. Readers of the switch's state never fetch it.
   */
  history: 'history',
} as const;

/** Attribute names inside one history entry. */
export const HISTORY_ENTRY_ATTRIBUTES = {
  /** N: the version this change created. */
  version: 'version',
  /** N: the version it replaced (0: there was no item, or one without a version). */
  replacedVersion: 'replacedVersion',
  /** BOOL */
  suspended: 'suspended',
  /** S, optional */
  reason: 'reason',
  /** S, ISO 8601 UTC, optional */
  until: 'until',
  /** S, ISO 8601 UTC: when the change was written (the item's `updatedAt`). */
  at: 'at',
  /** S: who wrote it (the item's `updatedBy`). */
  by: 'by',
  /**
   * S, ISO 8601 UTC, optional: when the event behind an automatic change happened, by the event source's clock
   * (an alarm's state-change time), so a redelivered or late event can be recognised.
   */
  eventAt: 'eventAt',
} as const;

/** History entries kept per switch: older ones are dropped by the write that adds the 51st. */
export const MAX_HISTORY_ENTRIES = 50;

/** DynamoDB's rule for table names. */
export const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/** Switch names: 1-64 characters of `A-Z a-z 0-9 . _ -`. */
export const SWITCH_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The switch the check function reads when the event names none. */
export const DEFAULT_SWITCH_NAME = 'global';

/** Longest `reason` an operator may record. */
export const MAX_REASON_LENGTH = 500;

/**
 * Longest `updatedBy` (and history `by`) the library records: room for an alarm trip's `alarm:<alarm ARN>`, whose
 * longest form is `alarm:arn:aws-us-gov:cloudwatch:<region>:<account>:alarm:` (at most 75 characters) and a
 * 255-character name.
 */
export const MAX_OPERATOR_LENGTH = 330;

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
  /**
   * Seconds past the TTL that a switch last read active stays active while DynamoDB fails (then the fail policy
   * answers). A suspension is held however long DynamoDB fails; past this bound it only logs a warning.
   */
  maxStaleSeconds: 'SUSPENSE_MAX_STALE_SECONDS',
  /** `open` (treat as active) or `closed` (treat as suspended) when DynamoDB fails and nothing is known. */
  failMode: 'SUSPENSE_FAIL_MODE',
  /** Comma-separated switches treated as suspended when DynamoDB fails and nothing is known, whatever the fail mode. */
  failClosedSwitches: 'SUSPENSE_FAIL_CLOSED_SWITCHES',
  /** Comma-separated switches the check answers for; unset: every valid name. */
  switches: 'SUSPENSE_SWITCHES',
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
  /**
   * Seconds past the TTL that a switch last read active stays active while DynamoDB fails; a suspension is held
   * regardless (ENV.maxStaleSeconds). @default 300
   */
  readonly maxStaleSeconds: number;
  /** For switches with nothing known (or known active past the staleness bound) when DynamoDB fails. @default 'open' */
  readonly failMode: FailMode;
  /**
   * Switches that fail closed whatever `failMode` says: suspended when DynamoDB fails and nothing usable is known
   * (a cold execution environment during an outage). @default [] (none)
   */
  readonly failClosedSwitches: readonly string[];
  /**
   * The only switches reads are answered for: any other valid name is refused without a DynamoDB read, so a flood
   * of names costs nothing. `defaultSwitch` and `failClosedSwitches` must be among them. @default undefined (every valid name)
   */
  readonly switches: readonly string[] | undefined;
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
  failClosedSwitches: [],
  switches: undefined,
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

/**
 * The environment variables that carry `settings`, as the stack writes them. A switch list is written only when
 * it names a switch: an unset variable is the documented default, never an empty placeholder in the plan.
 */
export function settingsToEnvironment(settings: SwitchSettings): Record<string, string> {
  return {
    [ENV.cacheTtlSeconds]: String(settings.cacheTtlSeconds),
    [ENV.maxStaleSeconds]: String(settings.maxStaleSeconds),
    [ENV.failMode]: settings.failMode,
    ...(settings.failClosedSwitches.length > 0 ? { [ENV.failClosedSwitches]: settings.failClosedSwitches.join(',') } : {}),
    ...(settings.switches !== undefined ? { [ENV.switches]: settings.switches.join(',') } : {}),
    [ENV.defaultSwitch]: settings.defaultSwitch,
    [ENV.requestTimeoutMs]: String(settings.requestTimeoutMs),
    [ENV.maxAttempts]: String(settings.maxAttempts),
  };
}

/**
 * Longest a switch list may be once written as a variable (names and commas): Lambda allows 4 KB for all of a
 * function's variables together.
 */
export const MAX_SWITCH_LIST_LENGTH = 2048;

/** Accepted range of each numeric setting. */
export const SETTING_LIMITS = {
  cacheTtlSeconds: { min: 0, max: 3600, whole: false },
  maxStaleSeconds: { min: 0, max: 86400, whole: false },
  requestTimeoutMs: { min: 10, max: 60000, whole: false },
  maxAttempts: { min: 1, max: 10, whole: true },
} as const;

/**
 * What is wrong with `value` for `setting` (e.g. `must be "open" or "closed"`), or undefined when it is usable. The
 * stack checks its config with it and the function its environment, so neither accepts what the other refuses.
 */
export function settingProblem(setting: keyof SwitchSettings, value: unknown): string | undefined {
  if (setting === 'failMode') return value === 'open' || value === 'closed' ? undefined : 'must be "open" or "closed"';
  if (setting === 'switches') return value === undefined ? undefined : switchListProblem(value, 1);
  if (setting === 'failClosedSwitches') return switchListProblem(value, 0);
  if (setting === 'defaultSwitch') return isValidSwitchName(value) ? undefined : `must match ${SWITCH_NAME_PATTERN}`;
  const { min, max, whole } = SETTING_LIMITS[setting];
  const usable = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!whole || Number.isInteger(value));
  return usable ? undefined : `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}`;
}

function switchListProblem(value: unknown, minNames: number): string | undefined {
  const expected = `must be a list of ${minNames > 0 ? 'at least one ' : ''}switch names (each matching ${SWITCH_NAME_PATTERN})`;
  if (!Array.isArray(value) || value.length < minNames || !value.every(isValidSwitchName)) return expected;
  if (new Set(value).size !== value.length) return 'must not name a switch twice';
  if (value.join(',').length > MAX_SWITCH_LIST_LENGTH) return `must fit in ${MAX_SWITCH_LIST_LENGTH} characters once joined with commas`;
  return undefined;
}

/**
 * What is wrong with settings that are each usable but disagree, as `[setting, problem]`, or undefined. A declared
 * list of switches must include the default switch and every fail-closed one: otherwise the check would refuse
 * the very switch it is told to answer for.
 */
export function settingsConflict(settings: SwitchSettings): readonly [keyof SwitchSettings, string] | undefined {
  const declared = settings.switches;
  if (declared === undefined) return undefined;
  if (!declared.includes(settings.defaultSwitch)) return ['switches', `must include the default switch "${settings.defaultSwitch}"`];
  const undeclared = settings.failClosedSwitches.filter((name) => !declared.includes(name));
  if (undeclared.length > 0) return ['switches', `must include every fail-closed switch (missing ${undeclared.map((name) => `"${name}"`).join(', ')})`];
  return undefined;
}

/** A comma-separated list of names as a variable carries it: spaces around names are ignored. */
function parseSwitchList(raw: string): string[] {
  return raw.split(',').map((name) => name.trim());
}

/**
 * Reads settings from the environment, falling back to DEFAULT_SETTINGS for unset variables.
 * Throws on a value that is set but unusable: a typo must not silently become a default.
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SwitchSettings {
  const read = <K extends keyof SwitchSettings>(setting: K): SwitchSettings[K] => {
    const variable = ENV[setting];
    const raw = env[variable];
    if (raw === undefined || raw === '') return DEFAULT_SETTINGS[setting];
    const value = setting === 'failMode' || setting === 'defaultSwitch' ? raw : LIST_SETTINGS.has(setting) ? parseSwitchList(raw) : Number(raw);
    const problem = settingProblem(setting, value);
    if (problem) throw new Error(`${variable} ${problem}, got "${raw.length > 80 ? `${raw.slice(0, 80)}...` : raw}"`);
    return value as SwitchSettings[K];
  };
  const settings: SwitchSettings = {
    cacheTtlSeconds: read('cacheTtlSeconds'),
    maxStaleSeconds: read('maxStaleSeconds'),
    failMode: read('failMode'),
    failClosedSwitches: read('failClosedSwitches'),
    switches: read('switches'),
    defaultSwitch: read('defaultSwitch'),
    requestTimeoutMs: read('requestTimeoutMs'),
    maxAttempts: read('maxAttempts'),
  };
  const conflict = settingsConflict(settings);
  if (conflict) throw new Error(`${ENV[conflict[0]]} ${conflict[1]}`);
  return settings;
}

const LIST_SETTINGS: ReadonlySet<keyof SwitchSettings> = new Set(['failClosedSwitches', 'switches']);

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
